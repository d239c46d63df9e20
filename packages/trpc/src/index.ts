export {
  type ConnectionParamsPolicy,
  createGatehouseContext,
  type GatehouseAuth,
  type GatehouseContext,
  type GatehouseContextInput,
  type GatehouseContextOptions,
} from './context.js';
export { authResponseMeta, TRPC_CODE_OF, toTRPCError } from './errors.js';
export {
  assertAccessDecisions,
  type ListProceduresOptions,
  listProcedures,
  type ProcedureAccess,
  type ProcedureAccessKind,
} from './listing.js';
export { type AuthMeta, type MetaRequirement, requirementOfMeta } from './meta.js';
export {
  type GatehouseProcedure,
  type GatehouseProcedures,
  type GatehouseRoot,
  gatehouse,
  gatehousePlugin,
} from './procedures.js';
