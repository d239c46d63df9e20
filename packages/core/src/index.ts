export { type Algorithm, SUPPORTED_ALGORITHMS } from './algorithms.js';
export { authorize, type Catalog, defineCatalog, isAuthorized, satisfies } from './authorize.js';
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
export { type ConnectionParamsOptions, credentialsWithConnectionParams } from './connection-params.js';
export { extractBearerToken, MAX_AUTHORIZATION_HEADER_LENGTH, parseAuthorization } from './credentials.js';
export type { AuthDecision, DecisionHook } from './decision.js';
export { type Env, optionsFromEnv, verifierFromEnv } from './env.js';
export {
  AUTH_ERROR_MESSAGES,
  AuthError,
  type AuthErrorCode,
  type AuthErrorMessage,
  type AuthErrorReason,
  type AuthErrorStatus,
  authErrorHeaders,
  challenge,
  DEFAULT_REALM,
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
  AnyRequirement,
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
export { type ClaimMapping, FRONTEGG_CLAIMS, INVALID_CLAIM, readClaim } from './user.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';
