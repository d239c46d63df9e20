import { defineRequirement, GatehouseConfigError, type Requirement } from '@gatehousejs/core';
import { getDirective } from '@graphql-tools/utils';
import {
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { addUp, NO_REQUIREMENTS, type RequirementList } from './requirements.js';

export interface DeclarationNames {
  /** Name of the directive (and of the `extensions` key) that declares a requirement. Default `auth`. */
  readonly auth: string;
  /** Name of the directive (and of the `extensions` key) that declares a field or type public. Default `public`. */
  readonly public: string;
}

/** Role and permission names every requirement must come from, e.g. a `defineCatalog()` result. */
export interface NameCatalog {
  isRole(name: string): boolean;
  isPermission(name: string): boolean;
}

/** What one type or field says about itself: its own requirements and whether it is declared public. */
export interface Declaration {
  readonly requirements: RequirementList;
  readonly isPublic: boolean;
}

type Declarable = GraphQLObjectType | GraphQLInterfaceType | GraphQLField<unknown, unknown>;

const ALLOWED_LOCATIONS = new Set(['OBJECT', 'INTERFACE', 'FIELD_DEFINITION']);
const ARGUMENTS = new Set(['roles', 'permissions']);

/** Checks the schema's own definitions of the directives, if it has them: a look-alike with other arguments is refused. */
export function checkDirectiveDefinitions(schema: GraphQLSchema, names: DeclarationNames): void {
  const auth = schema.getDirective(names.auth);
  if (auth) {
    for (const arg of auth.args) {
      if (!ARGUMENTS.has(arg.name)) {
        throw new GatehouseConfigError(
          `directive @${names.auth} has an argument "${arg.name}": only roles and permissions are understood`,
        );
      }
      const list = getNullableType(arg.type);
      const item = isListType(list) ? list.ofType : undefined;
      const name = item === undefined ? undefined : isNonNullType(item) ? item.ofType : item;
      if (!name || !((isScalarType(name) && name.name === 'String') || isEnumType(name))) {
        throw new GatehouseConfigError(`directive @${names.auth}: argument "${arg.name}" must be a list of names`);
      }
    }
  }
  for (const directive of [auth, schema.getDirective(names.public)]) {
    if (!directive) continue;
    for (const location of directive.locations) {
      if (!ALLOWED_LOCATIONS.has(location)) {
        throw new GatehouseConfigError(
          `directive @${directive.name} may not be used on ${location}: only OBJECT, INTERFACE and FIELD_DEFINITION are enforced`,
        );
      }
    }
  }
  const pub = schema.getDirective(names.public);
  if (pub && pub.args.length > 0) throw new GatehouseConfigError(`directive @${names.public} takes no arguments`);
}

/** Reads the `@auth`/`@public` directives and `extensions` of one type or field, checking them as declared. */
export function readDeclaration(
  schema: GraphQLSchema,
  element: Declarable,
  where: string,
  names: DeclarationNames,
  catalog: NameCatalog | undefined,
): Declaration {
  const found: Requirement[] = [];
  let directives: Record<string, unknown>[] | undefined;
  try {
    directives = getDirective(schema, element, names.auth);
  } catch {
    throw new GatehouseConfigError(`@${names.auth} on ${where}: roles and permissions must be lists of names`);
  }
  for (const args of directives ?? []) found.push(defineRequirement(args, `@${names.auth} on ${where}`));
  const extensions = (element.extensions ?? {}) as Record<string, unknown>;
  if (extensions[names.auth] !== undefined) {
    found.push(defineRequirement(extensions[names.auth], `extensions.${names.auth} on ${where}`));
  }

  let isPublic = false;
  for (const args of getDirective(schema, element, names.public) ?? []) {
    if (args && Object.keys(args).length > 0)
      throw new GatehouseConfigError(`@${names.public} on ${where} takes no arguments`);
    isPublic = true;
  }
  const flag = extensions[names.public];
  if (flag !== undefined) {
    if (flag !== true) throw new GatehouseConfigError(`extensions.${names.public} on ${where} must be true`);
    isPublic = true;
  }
  if (isPublic && found.length > 0) {
    throw new GatehouseConfigError(`${where} is declared both public and @${names.auth}: choose one`);
  }
  if (catalog) for (const requirement of found) checkNames(requirement, catalog, where);
  return { requirements: found.length === 0 ? NO_REQUIREMENTS : addUp(found), isPublic };
}

function checkNames(requirement: Requirement, catalog: NameCatalog, where: string): void {
  for (const role of requirement.roles ?? []) {
    if (!catalog.isRole(role)) throw new GatehouseConfigError(`${where}: "${role}" is not a role of the catalog`);
  }
  for (const permission of requirement.permissions ?? []) {
    if (!catalog.isPermission(permission)) {
      throw new GatehouseConfigError(`${where}: "${permission}" is not a permission of the catalog`);
    }
  }
}
