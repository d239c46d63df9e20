export { type Algorithm, SUPPORTED_ALGORITHMS } from './algorithms.js';
export { authorize, type Catalog, defineCatalog, satisfies } from './authorize.js';
export { extractBearerToken, parseAuthorization } from './credentials.js';
export type { AuthDecision, DecisionHook } from './decision.js';
export { type Env, optionsFromEnv, verifierFromEnv } from './env.js';
export {
  AUTH_ERROR_MESSAGES,
  AuthError,
  type AuthErrorCode,
  type AuthErrorReason,
  type AuthErrorStatus,
  authErrorHeaders,
  GatehouseConfigError,
  isAuthError,
} from './errors.js';
export {
  type AuthenticatedRequest,
  sendAuthError,
  type WithAuthenticationOptions,
  withAuthentication,
} from './http.js';
export { DEFAULT_FRONTEGG_GATEWAY, type FronteggOptions } from './keys/frontegg.js';
export { DEFAULT_KEY_SET_POLICY, type KeySetPolicy, type KeyStoreStatus } from './keys/key-store.js';
export { defineRequirement, describeRequirement, isOpenRequirement } from './requirement.js';
export type {
  AuthUser,
  ClaimSource,
  CredentialSource,
  HeaderRecord,
  JwtClaims,
  Permission,
  Register,
  Requirement,
  Role,
} from './types.js';
export { type ClaimMapping, FRONTEGG_CLAIMS, readClaim } from './user.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';
