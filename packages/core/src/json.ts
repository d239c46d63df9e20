/** Deepest nesting of objects and arrays accepted: real claims sets nest a few levels, and code that walks claims recursively must not run out of stack. */
const MAX_JSON_DEPTH = 32;

/**
 * JSON.parse, refusing duplicate member names at any depth (RFC 7515 §5.2: a JOSE header or
 * claims set with duplicates must be rejected, since parsers disagree on which one wins) and
 * nesting deeper than {@link MAX_JSON_DEPTH}. Returns undefined for anything that is not a JSON object.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return isWellFormed(text, value) ? (value as Record<string, unknown>) : undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/**
 * Scans text that JSON.parse already accepted, so only structure needs tracking: bounded depth,
 * and no duplicate members. JSON.parse keeps one member per name ("a" and "\u0061" alike), so
 * the text has a duplicate exactly when it holds more members (colons outside strings) than the
 * parsed value has own keys. Counting, rather than collecting names, keeps this off the hot path.
 */
function isWellFormed(text: string, value: object): boolean {
  let members = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
    } else if (c === COLON) {
      members++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return false;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return members === countMembers(value);
}

/** Own keys of every object in a parsed JSON value (depth already bounded by the scan). */
function countMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countMembers(item);
    return count;
  }
  const keys = Object.keys(value);
  count = keys.length;
  for (const key of keys) count += countMembers((value as Record<string, unknown>)[key]);
  return count;
}

/** Index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}
