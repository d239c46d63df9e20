// The public API of @gatehousejs/core on every runtime (Bun, Deno, Workers, browsers, Node); what only
// the adapters need is in `./adapter`. The Node entry (index.ts) adds the node:http middleware.
export { type Algorithm, SUPPORTED_ALGORITHMS } from './algorithms.js';
export { authorize, type Catalog, defineCatalog, isAuthorized } from './authorize.js';
export {
  type BackchannelLogoutHandler,
  type BackchannelLogoutOptions,
  backchannelLogout,
} from './backchannel-logout.js';
export {
  type Auth0ClaimOptions,
  auth0Claims,
  type ClaimReader,
  claimAt,
  combineLists,
  type KeycloakClaimOptions,
  keycloakClaims,
  spaceDelimited,
} from './claim-presets.js';
export { extractBearerToken } from './credentials.js';
export type { AuthDecision, DecisionHook } from './decision.js';
export { type Env, optionsFromEnv, verifierFromEnv } from './env.js';
export {
  AUTH_ERROR_MESSAGES,
  AuthError,
  type AuthErrorCode,
  type AuthErrorReason,
  authErrorHeaders,
  challenge,
  GatehouseConfigError,
  isAuthError,
} from './errors.js';
export type { FronteggOptions } from './keys/frontegg.js';
export type { KeySetPolicy, KeyStoreStatus } from './keys/key-store.js';
export type { LogFields, Logger } from './logger.js';
export { defineRequirement } from './requirement.js';
export { type MemoryStoreOptions, memoryStore } from './state/memory-store.js';
export type { SyncState } from './state/revocation-sync.js';
export type { RevocationTarget, RevokeOptions } from './state/shared-state.js';
export {
  type OnUnavailable,
  type RevocationKind,
  type RevocationPage,
  type RevocationRecord,
  type StateStore,
  StateStoreError,
  type StoreWatcher,
} from './state/store.js';
export { type UntilTokenExpiryOptions, untilTokenExpiry } from './token-expiry.js';
export type {
  AccessEntry,
  AccessKind,
  AnyRequirement,
  AuthUser,
  ClaimSource,
  CredentialSource,
  JwtClaims,
  Permission,
  Register,
  Requirement,
  Role,
} from './types.js';
export { type ClaimMapping, FRONTEGG_CLAIMS } from './user.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';
