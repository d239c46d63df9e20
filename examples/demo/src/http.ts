import type { IncomingMessage, ServerResponse } from 'node:http';

const DEFAULT_BODY_LIMIT = 16 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(JSON.stringify(body));
}

export function sendNotFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'NOT_FOUND', message: 'Not found' });
}

export function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'Method not allowed' }, { allow });
}

/** A request body the server will not read: answered with `status` and a fixed message. */
class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * JSON, or a body sent without a meaningful type (`text/plain`, as `fetch` labels a string, or none).
 * Credentials travel in `Authorization`, never in cookies, so accepting these opens no CSRF hole; form
 * encodings are refused.
 */
function isJsonLike(type: string | undefined): boolean {
  if (type === undefined || type.trim() === '') return true;
  const essence = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || essence.endsWith('+json') || essence === 'text/plain';
}

/** Reads a JSON request body of at most `limit` bytes; a body of another type is refused with `typeRefusal`. */
async function readJsonBody(
  req: IncomingMessage,
  typeRefusal: 400 | 415,
  limit = DEFAULT_BODY_LIMIT,
): Promise<unknown> {
  if (!isJsonLike(req.headers['content-type'])) throw new BodyError(typeRefusal, 'Expected a JSON body');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyError(413, 'Request body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyError(413, 'Request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, 'The body is not valid JSON');
  }
}

function sendBodyError(res: ServerResponse, error: BodyError): void {
  const code =
    error.status === 413 ? 'PAYLOAD_TOO_LARGE' : error.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
  // The body may be unread: close the connection rather than drain an oversized upload.
  if (error.status === 413) res.setHeader('connection', 'close');
  sendJson(res, error.status, { error: code, message: error.message });
}

/**
 * Reads the JSON body and validates it; on any failure the error answer is already sent and the
 * result is undefined. `describe` turns validation issues into the 400 message.
 */
export async function readValidBody<T>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Issue[] } } },
  describe: (issues: Issue[]) => string,
  /** The status for a body that is not JSON: 415, or 400 where the contract says "any other body is 400". */
  typeRefusal: 400 | 415 = 415,
): Promise<T | undefined> {
  let body: unknown;
  try {
    body = await readJsonBody(req, typeRefusal);
  } catch (error) {
    if (error instanceof BodyError) {
      sendBodyError(res, error);
      return undefined;
    }
    throw error;
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  sendJson(res, 400, { error: 'BAD_REQUEST', message: describe(parsed.error.issues) });
  return undefined;
}

interface Issue {
  readonly path: readonly PropertyKey[];
}

/** The path of a request URL, without query string. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}
