const ALPHABET = /^[A-Za-z0-9_-]*$/;
const DECODE: Record<string, number> = {};
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) DECODE[c] = i;

/**
 * Decodes canonical unpadded base64url only: no padding, no other alphabet, no impossible
 * length, and zero in the unused bits of the last character, so that one token has one spelling.
 */
export function decodeBase64url(input: string): Buffer | undefined {
  const rest = input.length % 4;
  if (rest === 1 || !ALPHABET.test(input)) return undefined;
  if (rest !== 0) {
    const last = DECODE[input.charAt(input.length - 1)] as number;
    if ((rest === 2 && (last & 0x0f) !== 0) || (rest === 3 && (last & 0x03) !== 0)) return undefined;
  }
  return Buffer.from(input, 'base64url');
}

export function encodeBase64url(input: Buffer | Uint8Array | string): string {
  return (typeof input === 'string' ? Buffer.from(input) : Buffer.from(input)).toString('base64url');
}
