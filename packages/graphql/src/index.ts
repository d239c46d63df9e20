// The public API of @gatehousejs/graphql. The graphql-yoga plugin is `@gatehousejs/graphql/yoga`.
export type { GraphQLAuthContext } from './context.js';
export type { NameCatalog } from './declarations.js';
export { type AuthDirective, type AuthDirectiveOptions, authDirective } from './directive.js';
export { type AuthErrorExtensions, type GraphQLErrorOptions, toGraphQLError } from './errors.js';
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
export type { FieldAccess } from './table.js';

import './extensions.js';
