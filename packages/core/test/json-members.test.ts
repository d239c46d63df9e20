import { createHmac } from 'node:crypto';
import { createVerifier } from '@gatehousejs/core';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { nowSeconds, rejection } from './verifier-fixtures.js';

// Duplicate members are found by counting (colons outside strings against parsed keys), with a
// shortcut for texts without escapes. This checks that counting against a reference that
// compares the decoded names of every object, on texts full of colons, escapes and look-alikes.

const SECRET = 'j'.repeat(32);
const verifier = createVerifier({ secret: SECRET, audience: false, cache: false });
const b64 = (text: string) => Buffer.from(text).toString('base64url');
function signRaw(payloadJson: string): string {
  const input = `${b64('{"alg":"HS256"}')}.${b64(payloadJson)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

/** A JSON string literal for `text`, each character escaped as \uXXXX where `escapes` says. */
function literal(text: string, escapes: readonly boolean[]): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (escapes[i % escapes.length]) out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c === '"' || c === '\\' ? `\\${c}` : c;
  }
  return `${out}"`;
}

interface Node {
  readonly text: string;
  readonly duplicates: boolean;
}

const name = fc.constantFrom('a', 'b', ':', 'a:b', 'https://x', '"', '\\', 'a ', '::');
const escapes = fc.array(fc.boolean(), { minLength: 1, maxLength: 3 });
const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(name, escapes).map(([t, e]) => ({ text: literal(t, e), duplicates: false })),
    fc.integer().map((n) => ({ text: String(n), duplicates: false })),
    fc.array(tie('node'), { maxLength: 3 }).map((items) => ({
      text: `[${items.map((i) => i.text).join(',')}]`,
      duplicates: items.some((i) => i.duplicates),
    })),
    fc.array(fc.tuple(name, escapes, tie('node')), { maxLength: 4 }).map((members) => ({
      text: `{${members.map(([k, e, v]) => `${literal(k, e)}:${v.text}`).join(',')}}`,
      duplicates: new Set(members.map(([k]) => k)).size < members.length || members.some(([, , v]) => v.duplicates),
    })),
  ),
}));

test('a claims set is refused exactly when some object repeats a name, however it is spelt', async () => {
  await fc.assert(
    fc.asyncProperty(node, async (extra) => {
      const token = signRaw(`{"sub":"u","exp":${nowSeconds() + 60},"x":${extra.text}}`);
      if (extra.duplicates) {
        expect((await rejection(verifier.verify(token))).reason).toBe('TOKEN_MALFORMED');
      } else {
        expect((await verifier.verify(token)).claims.x).toEqual(JSON.parse(extra.text));
      }
    }),
    { numRuns: 1500 },
  );
});
