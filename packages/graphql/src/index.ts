export { credentialsOf } from './credentials.js';
export type { DeclarationNames, NameCatalog } from './declarations.js';
export { type AuthDirective, type AuthDirectiveOptions, authDirective } from './directive.js';
export { type AuthErrorExtensions, toGraphQLError } from './errors.js';
export {
  type AuthExecutionOptions,
  type AuthExecutor,
  type AuthExecutorOptions,
  createAuthExecutor,
  type ExecuteFunction,
  type IncrementalResults,
  type SubscribeFunction,
} from './execute.js';
export { listFieldRequirements } from './listing.js';
export type { FieldRequirement } from './table.js';
export { type GatehouseContext, type UseGatehouseOptions, useGatehouse } from './yoga.js';

import './extensions.js';
