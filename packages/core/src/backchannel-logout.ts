import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, GatehouseConfigError, isAuthError } from './errors.js';
import type { Verifier } from './verifier.js';
import { internalsOf, type VerifierInternals } from './verifier-internals.js';

export interface BackchannelLogoutOptions {
  /** The `aud` a logout token must name (the client id the provider knows this application by). Default: the verifier's audiences. */
  audience?: string | string[];
}

/**
 * The back-channel logout endpoint, as a fetch handler (`Request` → `Response`: Hono, Bun, Deno,
 * Next.js route handlers, Cloudflare Workers) and as a `node:http` / Express handler
 * (`(req, res)`; an Express body parser's `req.body` is used when present).
 */
export interface BackchannelLogoutHandler {
  (request: Request): Promise<Response>;
  (req: IncomingMessage, res: ServerResponse, next?: unknown): Promise<void>;
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const LOGOUT_TYPES: ReadonlySet<string> = new Set(['', 'logout+jwt']);
const MAX_BODY_BYTES = 64 * 1024;
const FORM = 'application/x-www-form-urlencoded';

interface Answer {
  readonly status: 200 | 400 | 405 | 503;
  readonly body?: { error: string; error_description?: string };
}

/**
 * OIDC Back-Channel Logout 1.0: `POST` with a form `logout_token=<JWT>`. The token is checked with
 * the verifier's keys, algorithms and issuers (the same checks as an access token), and then as
 * a logout token: `typ` `logout+jwt` or absent, `aud` one of `audience`, `iat`, `exp`, a `jti`
 * accepted once across every instance sharing the store, the back-channel logout event, `sid`
 * and/or `sub`, and no `nonce`. With `sid`, that session is revoked; with `sub` only, every token of
 * that user. Answers 200; 400 for any invalid logout token (nothing revoked); 503 when the
 * revocation cannot be stored (the provider may retry).
 */
export function backchannelLogout(
  verifier: Verifier,
  options: BackchannelLogoutOptions = {},
): BackchannelLogoutHandler {
  const internals = internalsOf(verifier);
  const audiences = logoutAudiences(options.audience, internals.audiences);

  async function answer(
    method: string | undefined,
    type: string | null | undefined,
    body: () => Promise<string | undefined>,
  ): Promise<Answer> {
    if (method !== 'POST') return { status: 405, body: { error: 'invalid_request' } };
    // A body that is not a form, too large, or without exactly one token: 400, as for an invalid token.
    const text = essence(type) === FORM ? await body() : undefined;
    const tokens = text === undefined ? [] : new URLSearchParams(text).getAll('logout_token');
    if (tokens.length !== 1 || tokens[0] === '') {
      return { status: 400, body: { error: 'invalid_request', error_description: 'one logout_token is required' } };
    }
    try {
      await logOut(internals, tokens[0] as string, audiences);
      return { status: 200 };
    } catch (error) {
      if (isAuthError(error) && error.code === 'KEYS_UNAVAILABLE')
        return { status: 503, body: { error: 'temporarily_unavailable' } };
      return { status: 400, body: { error: 'invalid_request', error_description: 'invalid logout token' } };
    }
  }

  async function fetchHandler(request: Request): Promise<Response> {
    const result = await answer(request.method, request.headers.get('content-type'), () => readLimited(request));
    return new Response(result.body ? JSON.stringify(result.body) : null, {
      status: result.status,
      headers: headersFor(result),
    });
  }

  async function nodeHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = (req as { body?: unknown }).body;
    // A body parser (Express) may have read the body already.
    const read = () =>
      typeof parsed === 'string'
        ? Promise.resolve(parsed)
        : typeof parsed === 'object' && parsed !== null && !(parsed instanceof Uint8Array)
          ? Promise.resolve(new URLSearchParams(formOf(parsed as Record<string, unknown>)).toString())
          : readNodeBody(req);
    const result = await answer(req.method, req.headers['content-type'], read);
    res.writeHead(result.status, headersFor(result));
    res.end(result.body ? JSON.stringify(result.body) : undefined);
  }

  return ((request: Request | IncomingMessage, res?: ServerResponse) =>
    res === undefined || typeof (res as { writeHead?: unknown }).writeHead !== 'function'
      ? fetchHandler(request as Request)
      : nodeHandler(request as IncomingMessage, res)) as BackchannelLogoutHandler;
}

/** Checks a logout token and revokes what it names; throws AuthError. */
async function logOut(internals: VerifierInternals, token: string, audiences: readonly string[]): Promise<void> {
  const claims = await internals.checkToken(token, { types: LOGOUT_TYPES, audiences });
  const invalid = () => new AuthError('BAD_REQUEST', 'LOGOUT_TOKEN_INVALID');
  const { iss, iat, exp, jti, sid, sub, events } = claims;
  if (typeof iss !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') throw invalid();
  if (typeof jti !== 'string' || jti === '' || jti.length > 1024) throw invalid();
  if (Object.hasOwn(claims, 'nonce')) throw invalid();
  if (!isObject(events) || !Object.hasOwn(events, BACKCHANNEL_EVENT) || !isObject(events[BACKCHANNEL_EVENT])) {
    throw invalid();
  }
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) throw invalid();
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) throw invalid();
  if (sid === undefined && sub === undefined) throw invalid();
  // Kept until the token expires: a replay after that is refused as expired.
  const ttlMs = (exp + internals.clockTolerance) * 1000 - internals.now() + 1000;
  if (!(await internals.state.claimOnce(`logout-jti:${iss}:${jti}`, Math.max(ttlMs, 1000)))) {
    throw new AuthError('BAD_REQUEST', 'LOGOUT_TOKEN_REPLAYED');
  }
  await internals.state.revoke(typeof sid === 'string' ? { sid } : { sub: sub as string });
}

function logoutAudiences(
  given: string | string[] | undefined,
  verifier: readonly string[] | undefined,
): readonly string[] {
  const list = given === undefined ? verifier : Array.isArray(given) ? given : [given];
  if (!list || list.length === 0 || list.some((a) => typeof a !== 'string' || a === '')) {
    throw new GatehouseConfigError(
      'backchannelLogout needs the audience of logout tokens (the client id at the provider): give { audience }',
    );
  }
  return Object.freeze([...list]);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function essence(type: string | null | undefined): string {
  return (type ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function headersFor(answer: Answer): Record<string, string> {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (answer.body) headers['content-type'] = 'application/json';
  if (answer.status === 405) headers.allow = 'POST';
  if (answer.status === 503) headers['retry-after'] = '1';
  return headers;
}

function formOf(body: Record<string, unknown>): Record<string, string> {
  const token = body.logout_token;
  return typeof token === 'string' ? { logout_token: token } : {};
}

/** The body as text, or undefined when it is larger than the limit. */
async function readLimited(request: Request): Promise<string | undefined> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concat(chunks, size));
}

async function readNodeBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new TextDecoder().decode(concat(chunks, size));
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
