export { type Demo, type DemoOptions, startDemo } from './demo.js';
export { type DevIssuer, type DevTokenRequest, devTokenRequest } from './dev-issuer.js';
export { schema } from './graphql.js';
export { type KeyMode, keyModeFromEnv } from './key-mode.js';
export { PERSONAS, type Persona } from './personas.js';
export { type AppRouter, createAppRouter } from './trpc.js';
