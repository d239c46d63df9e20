import {
  type AuthError,
  type AuthUser,
  authErrorHeaders,
  type CredentialSource,
  GatehouseConfigError,
  type Verifier,
} from '@gatehousejs/core';
import { credentialsWithConnectionParams } from '@gatehousejs/core/adapter';

/**
 * What every procedure built from `gatehouse(t)` needs in its context: the credentials of the request,
 * as `createGatehouseContext` made them (only it can: `ctx.gatehouse` cannot be written by hand).
 */
export interface GatehouseContext {
  readonly gatehouse: RequestAuth;
}

/**
 * Where a token may come from besides the `Authorization` header: `connectionParams`
 * (`{ token }` or `{ authorization: 'Bearer …' }`), as sent by `wsLink` (in its first message) and
 * `httpSubscriptionLink` (in the URL, `?connectionParams=`, since an EventSource cannot send headers).
 * - `'any'` (default): a WebSocket connection's params, and the URL of an SSE subscription;
 * - `'websocket'`: a WebSocket connection's params only;
 * - `'never'`: neither.
 * Over HTTP, tRPC reads `connectionParams` from the URL, which ends up in access logs and proxies:
 * a token there is taken for a single SSE subscription only, never for a query or a mutation
 * (GET or POST, batched or not), whatever the policy. A credential in a place that is not allowed
 * is refused (400), never ignored.
 */
export type ConnectionParamsPolicy = 'any' | 'websocket' | 'never';

export interface GatehouseContextOptions {
  connectionParams?: ConnectionParamsPolicy;
}

/** What the tRPC adapters pass to `createContext`. Every member is optional, for server-side callers. */
export interface GatehouseContextInput {
  /** Fetch adapter: the `Request`; standalone, express and ws adapters: the `IncomingMessage`. Or any headers. */
  req?: CredentialSource;
  /** Fetch adapter: the response headers. */
  resHeaders?: Headers;
  /** Standalone and express adapters: the `ServerResponse`; ws adapter: the socket. */
  res?: unknown;
  /** What tRPC knows about the call: `connectionParams` (from a WebSocket's first message, or from the URL over HTTP), `type`, `isBatchCall`. */
  info?: {
    readonly connectionParams?: Readonly<Record<string, string | undefined>> | null;
    readonly type?: string;
    readonly isBatchCall?: boolean;
  };
}

/**
 * The `createContext` of the fetch, standalone (`createHTTPServer`), express and ws adapters.
 * It never throws and does no work up front: the token is read and verified when a procedure
 * first asks for the caller.
 */
export function createGatehouseContext(
  verifier: Verifier,
  options: GatehouseContextOptions = {},
): (input?: GatehouseContextInput) => GatehouseContext {
  const policy = options.connectionParams ?? 'any';
  if (policy !== 'any' && policy !== 'websocket' && policy !== 'never') {
    throw new GatehouseConfigError('connectionParams must be "any", "websocket" or "never"');
  }
  return (input = {}) => ({ gatehouse: new RequestAuth(verifier, input, policy) });
}

/**
 * `ctx.gatehouse`: the credentials of one request (or one WebSocket connection), verified on demand.
 * Made by `createGatehouseContext` only.
 */
export class RequestAuth {
  readonly #input: GatehouseContextInput;
  readonly #policy: ConnectionParamsPolicy;
  /** The verification under way, if any. */
  #pending: Promise<AuthUser | null> | undefined;

  constructor(
    readonly verifier: Verifier,
    input: GatehouseContextInput,
    policy: ConnectionParamsPolicy,
  ) {
    this.#input = input;
    this.#policy = policy;
  }

  /**
   * The caller, or null when no credentials were sent; rejects with an AuthError for bad ones.
   * Calls made while a verification is under way share it (all calls of a batch: one signature
   * check). A later call asks the verifier again, which answers from its verified-token cache and
   * checks expiry and revocations: a WebSocket connection, whose context lives as long as it does,
   * cannot keep using a token that was revoked or has expired.
   */
  user(): Promise<AuthUser | null> {
    if (this.#pending === undefined) {
      const pending = this.#authenticate();
      this.#pending = pending;
      const settled = () => {
        this.#pending = undefined;
      };
      pending.then(settled, settled);
    }
    return this.#pending;
  }

  async #authenticate(): Promise<AuthUser | null> {
    return this.verifier.authenticate(credentialsOf(this.#input, this.#policy));
  }

  /** @internal Puts the challenge of a failed call on the HTTP response, when there is one. */
  challenge(error: AuthError): void {
    const headers = authErrorHeaders(error, this.verifier.realm);
    const { resHeaders, res } = this.#input;
    if (resHeaders instanceof Headers) {
      for (const [name, value] of Object.entries(headers)) resHeaders.set(name, value);
    } else if (isNodeResponse(res) && !res.headersSent) {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    }
  }
}

/** The credential source handed to the verifier: the request, joined by credentials in `connectionParams`. */
function credentialsOf(input: GatehouseContextInput, policy: ConnectionParamsPolicy): CredentialSource {
  return credentialsWithConnectionParams(input.req, input.info?.connectionParams, {
    allowed: connectionParamsAllowed(input, policy),
  });
}

function connectionParamsAllowed(input: GatehouseContextInput, policy: ConnectionParamsPolicy): boolean {
  if (policy === 'never') return false;
  if (isWebSocket(input.res)) return true;
  // Over HTTP the params come from the URL: for a single SSE subscription only.
  const info = input.info;
  return policy === 'any' && info?.type === 'subscription' && info.isBatchCall === false;
}

/**
 * Whether the context is that of a WebSocket connection. tRPC's ws adapter hands the socket itself
 * as `res`; HTTP adapters hand a response (or nothing). A request's headers (`Upgrade: websocket`)
 * are the client's to choose and prove nothing.
 */
function isWebSocket(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const socket = value as Partial<Record<'readyState' | 'send' | 'close' | 'setHeader', unknown>>;
  return (
    typeof socket.readyState === 'number' &&
    typeof socket.send === 'function' &&
    typeof socket.close === 'function' &&
    socket.setHeader === undefined
  );
}

interface NodeResponseLike {
  headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

function isNodeResponse(value: unknown): value is NodeResponseLike {
  return typeof value === 'object' && value !== null && typeof (value as NodeResponseLike).setHeader === 'function';
}
