import { GatehouseConfigError } from '@gatehousejs/core';
import type { GraphQLSchema } from 'graphql';
import { type FieldRequirement, tableOf } from './table.js';

/**
 * Every field of every object and interface type with its effective requirement (own, type,
 * interfaces and return type added up), for audits and tests.
 */
export function listFieldRequirements(schema: GraphQLSchema): readonly FieldRequirement[] {
  const table = tableOf(schema);
  if (!table) throw new GatehouseConfigError('the schema has not been through authDirectiveTransformer');
  return table.listing;
}
