import { GatehouseConfigError } from '@gatehousejs/core';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, GraphQLInterfaceType, GraphQLSchema, GraphQLUnionType, isInterfaceType } from 'graphql';
import { checkDirectiveDefinitions, type DeclarationNames, type NameCatalog } from './declarations.js';
import { guardResolver, guardTypeResolver } from './guards.js';
import { buildTable, TABLE_EXTENSION, tableOf } from './table.js';

export interface AuthDirectiveOptions {
  /** Name of the requirement directive, and of the `extensions` key code-first schemas use. Default `auth`. */
  name?: string;
  /** Name of the directive (and `extensions` key) that marks a type or field public. Default `public`. */
  publicName?: string;
  /** Checks every role and permission name against a catalog (e.g. `defineCatalog(...)`) at schema build. */
  catalog?: NameCatalog;
  /** Default-deny: building fails for any object field with no access decision (`@auth`, `@public`, or a protected type). */
  defaultDeny?: boolean;
  /** Pre-execution verdicts kept per document (per operation, condition variables and caller roles). Default 64. */
  cacheSize?: number;
}

export interface AuthDirective {
  /** SDL of the `@auth` and `@public` directives, to add to `typeDefs`. */
  readonly authDirectiveTypeDefs: string;
  /**
   * Reads every requirement once, refuses bad ones (GatehouseConfigError), and returns the schema
   * with its requirement table, protected fields and abstract types guarded. Unprotected fields are
   * left exactly as they were.
   */
  readonly authDirectiveTransformer: (schema: GraphQLSchema) => GraphQLSchema;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const RESERVED = new Set(['skip', 'include', 'deprecated', 'specifiedBy', 'oneOf', 'defer', 'stream']);

export function authDirective(options: AuthDirectiveOptions = {}): AuthDirective {
  const names: DeclarationNames = Object.freeze({
    auth: directiveName(options.name ?? 'auth', 'name'),
    public: directiveName(options.publicName ?? 'public', 'publicName'),
  });
  if (names.auth === names.public) throw new GatehouseConfigError('name and publicName must differ');
  if (options.cacheSize !== undefined && !(Number.isInteger(options.cacheSize) && options.cacheSize > 0)) {
    throw new GatehouseConfigError('cacheSize must be a positive integer');
  }
  const authDirectiveTypeDefs = [
    `directive @${names.auth}(roles: [String!], permissions: [String!]) on OBJECT | INTERFACE | FIELD_DEFINITION`,
    `directive @${names.public} on OBJECT | INTERFACE | FIELD_DEFINITION`,
  ].join('\n');

  function authDirectiveTransformer(schema: GraphQLSchema): GraphQLSchema {
    if (tableOf(schema))
      throw new GatehouseConfigError('this schema has already been through authDirectiveTransformer');
    checkDirectiveDefinitions(schema, names);
    const table = buildTable(schema, {
      names,
      catalog: options.catalog,
      defaultDeny: options.defaultDeny,
      cacheSize: options.cacheSize,
    });
    const guarded = mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
        const requirements = table.fields.get(typeName)?.get(fieldName);
        if (!requirements) return config;
        return {
          ...config,
          resolve: guardResolver(requirements, config.resolve ?? defaultFieldResolver),
          ...(config.subscribe ? { subscribe: guardResolver(requirements, config.subscribe) } : {}),
        };
      },
      [MapperKind.ABSTRACT_TYPE]: (type) => {
        if (table.types.size === 0) return type;
        const resolveType = guardTypeResolver(table.types, type.resolveType ?? undefined);
        return isInterfaceType(type)
          ? new GraphQLInterfaceType({ ...type.toConfig(), resolveType })
          : new GraphQLUnionType({ ...type.toConfig(), resolveType });
      },
    });
    return new GraphQLSchema({
      ...guarded.toConfig(),
      extensions: { ...guarded.extensions, [TABLE_EXTENSION]: table },
    });
  }

  return Object.freeze({ authDirectiveTypeDefs, authDirectiveTransformer });
}

function directiveName(value: unknown, option: string): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.startsWith('__') || RESERVED.has(value)) {
    throw new GatehouseConfigError(`${option} must be a GraphQL name that is not a built-in directive`);
  }
  return value;
}
