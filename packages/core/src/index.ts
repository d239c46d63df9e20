// The Node entry: the runtime-neutral public API, plus `withAuthentication` for node:http, Express and Connect.

export {
  type AuthenticatedRequest,
  sendAuthError,
  type WithAuthenticationOptions,
  withAuthentication,
} from './http.js';
export * from './neutral.js';
