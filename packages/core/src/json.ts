/**
 * JSON.parse, refusing duplicate member names at any depth (RFC 7515 §5.2: a JOSE header or
 * claims set with duplicates must be rejected, since parsers disagree on which one wins).
 * Returns undefined for anything that is not a JSON object.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return hasDuplicateMembers(text) ? undefined : (value as Record<string, unknown>);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/** Scans text that JSON.parse already accepted, so only structure needs tracking. */
function hasDuplicateMembers(text: string): boolean {
  // One frame per open container: a Set of member names for objects, null for arrays.
  const frames: (Set<string> | null)[] = [];
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      pendingKey = text.slice(i, end + 1);
      i = end;
    } else if (c === COLON) {
      const frame = frames[frames.length - 1];
      if (frame && pendingKey !== undefined) {
        const name = pendingKey.includes('\\') ? (JSON.parse(pendingKey) as string) : pendingKey;
        if (frame.has(name)) return true;
        frame.add(name);
      }
      pendingKey = undefined;
    } else if (c === OPEN_BRACE) {
      frames.push(new Set());
    } else if (c === OPEN_BRACKET) {
      frames.push(null);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      frames.pop();
    }
  }
  return false;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i;
    else i++;
  }
  return i;
}
