import { type AuthUser, withAuthentication } from '@gatehousejs/core';
import express from 'express';
import { expectTypeOf, test } from 'vitest';

test('withAuthentication makes req.user an AuthUser on Express requests, with no cast', () => {
  const app = express();
  app.get('/me', withAuthentication(), (req, res) => {
    expectTypeOf(req.user).toExtend<AuthUser | undefined>();
    expectTypeOf<AuthUser | undefined>().toExtend<typeof req.user>();
    res.json({ id: req.user?.id, roles: req.user?.roles });
  });
});
