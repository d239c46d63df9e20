import { GatehouseConfigError } from '@gatehousejs/core';
import type { GraphQLSchema } from 'graphql';
import { type FieldAccess, tableOf } from './table.js';

/**
 * Every field of every object and interface type with its effective access (own, type, interfaces and
 * return type added up), for audits and tests: `{ path: 'Type.field', access, requirements, description }`
 * and the GraphQL details `typeName`, `fieldName`, `checkedAtRunTime`.
 */
export function listFieldRequirements(schema: GraphQLSchema): readonly FieldAccess[] {
  const table = tableOf(schema);
  if (!table) throw new GatehouseConfigError('the schema has not been through authDirectiveTransformer');
  return table.listing;
}
