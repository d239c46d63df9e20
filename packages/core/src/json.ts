/** Deepest nesting of objects and arrays accepted: real claims sets nest a few levels, and code that walks claims recursively must not run out of stack. */
const MAX_JSON_DEPTH = 32;

/**
 * JSON.parse, refusing duplicate member names at any depth (RFC 7515 §5.2: a JOSE header or
 * claims set with duplicates must be rejected, since parsers disagree on which one wins) and
 * nesting deeper than {@link MAX_JSON_DEPTH}. Returns the object deeply frozen (claims are shared
 * by every request a verified token serves), or undefined for anything that is not a JSON object.
 *
 * JSON.parse keeps one member per name ("a" and "\u0061" alike), so the text has a duplicate
 * exactly when it holds more members (colons outside strings) than the parsed value has own keys.
 * One walk of the parsed value counts its keys, checks the depth and freezes it.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const shape = { keys: 0, colonsInStrings: 0 };
  if (!walk(value, 1, shape)) return undefined;
  return membersInText(text, shape) === shape.keys ? (value as Record<string, unknown>) : undefined;
}

interface Shape {
  /** Own keys of every object. */
  keys: number;
  /** Colons inside keys and string values, as parsed. */
  colonsInStrings: number;
}

/** Counts keys and colons in strings, bounds the depth and freezes every object and array. */
function walk(value: object, depth: number, shape: Shape): boolean {
  if (depth > MAX_JSON_DEPTH) return false;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const member of value) if (!walkMember(member, depth, shape)) return false;
    return true;
  }
  const names = Object.keys(value);
  shape.keys += names.length;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    shape.colonsInStrings += colonsIn(name);
    if (!walkMember((value as Record<string, unknown>)[name], depth, shape)) return false;
  }
  return true;
}

function walkMember(member: unknown, depth: number, shape: Shape): boolean {
  if (typeof member === 'string') shape.colonsInStrings += colonsIn(member);
  else if (typeof member === 'object' && member !== null) return walk(member, depth + 1, shape);
  return true;
}

/**
 * Members in the text: colons outside strings. Without a backslash, every string of the text
 * reads as it is written, so that is every colon less those inside the parsed strings (a string
 * dropped by a duplicate name only raises the count: duplicates are never hidden). With escapes,
 * the text is scanned string by string.
 */
function membersInText(text: string, shape: Shape): number {
  if (text.indexOf('\\') === -1) return colonsIn(text) - shape.colonsInStrings;
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === COLON) members++;
  }
  return members;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function colonsIn(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) count++;
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
