export {
  createTestIssuer,
  type SignOptions,
  type TestIssuer,
  type TestIssuerAlgorithm,
  type TestIssuerOptions,
} from './issuer.js';
export { type SignJwtInput, signJwt } from './sign.js';
