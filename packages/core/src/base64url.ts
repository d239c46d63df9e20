/**
 * Decodes canonical unpadded base64url only: no padding, no other alphabet, no impossible
 * length, and zero in the unused bits of the last character, so that one token has one spelling.
 * Node's decoder is lenient (it skips what it does not know), so the test is exact: the bytes
 * must encode back to the very same text. That is cheaper than checking the alphabet first.
 */
export function decodeBase64url(input: string): Buffer | undefined {
  const bytes = Buffer.from(input, 'base64url');
  return bytes.toString('base64url') === input ? bytes : undefined;
}

export function encodeBase64url(input: Buffer | Uint8Array | string): string {
  return (typeof input === 'string' ? Buffer.from(input) : Buffer.from(input)).toString('base64url');
}
