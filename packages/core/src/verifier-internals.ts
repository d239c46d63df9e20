import { GatehouseConfigError } from './errors.js';
import type { SharedState } from './state/shared-state.js';

/** How a token other than an access token (a logout token) is checked with a verifier's keys and issuers. */
export interface TokenCheck {
  /** Accepted `typ` values, lower-cased, `''` for none. */
  readonly types: ReadonlySet<string>;
  /** Accepted `aud` values: the token must name one. */
  readonly audiences: readonly string[];
}

/** What features built on a verifier (back-channel logout) use of it; never public. */
export interface VerifierInternals {
  readonly state: SharedState;
  /** The verifier's accepted audiences (undefined: any). */
  readonly audiences: readonly string[] | undefined;
  /** Clock tolerance, seconds. */
  readonly clockTolerance: number;
  readonly now: () => number;
  /** Signature, algorithm, issuer, expiry and audience, exactly as for access tokens; rejects with AuthError. */
  checkToken(token: string, check: TokenCheck): Promise<Readonly<Record<string, unknown>>>;
}

const registry = new WeakMap<object, VerifierInternals>();

export function registerInternals(verifier: object, internals: VerifierInternals): void {
  registry.set(verifier, internals);
}

export function internalsOf(verifier: unknown): VerifierInternals {
  const internals = typeof verifier === 'object' && verifier !== null ? registry.get(verifier) : undefined;
  if (!internals) throw new GatehouseConfigError('expected a verifier made by createVerifier() or verifierFromEnv()');
  return internals;
}
