// The public API of @gatehousejs/trpc.
export {
  type ConnectionParamsPolicy,
  createGatehouseContext,
  type GatehouseContext,
  type GatehouseContextInput,
  type GatehouseContextOptions,
} from './context.js';
export { authResponseMeta, toTRPCError } from './errors.js';
export { assertAccessDecisions, type ListProceduresOptions, listProcedures, type ProcedureAccess } from './listing.js';
export type { AuthMeta } from './meta.js';
export { type GatehouseProcedures, gatehouse, gatehousePlugin } from './procedures.js';
