import { createVerifier } from '@gatehouse/core';
import { createTestIssuer } from '@gatehouse/core/testing';
import { expect, test } from 'vitest';

test('verifies a token from the test issuer', async () => {
  const issuer = await createTestIssuer();
  try {
    const verifier = createVerifier({ jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    const user = await verifier.verify(await issuer.sign({ sub: 'u1', roles: ['admin'] }));
    expect(user).toMatchObject({ id: 'u1', roles: ['admin'], permissions: [] });
  } finally {
    await issuer.close();
  }
});
