import { type AccessEntry, GatehouseConfigError, type Requirement } from '@gatehousejs/core';
import { describeRequirement, isOpenRequirement } from '@gatehousejs/core/adapter';
import {
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { type Declaration, type DeclarationNames, type NameCatalog, readDeclaration } from './declarations.js';
import { addUp, NO_REQUIREMENTS, type RequirementList } from './requirements.js';
import { VerdictCache } from './verdict-cache.js';

/** Key of `schema.extensions` that holds the table; it survives later `mapSchema` transforms. */
export const TABLE_EXTENSION = 'gatehouse';

/**
 * One field's effective access, as `listFieldRequirements` lists it (core's `AccessEntry` shape, shared
 * with tRPC's `listProcedures`).
 */
export interface FieldAccess extends AccessEntry {
  /** The field coordinate, `Type.field`. */
  readonly path: string;
  readonly typeName: string;
  readonly fieldName: string;
  /** Every schema field is decided (`@auth`, `@public`, or public by default): never `unchecked`. */
  readonly access: 'public' | 'authenticated' | 'restricted';
  /** Requirements that must all hold (own, type, interfaces and return type added up); empty unless `restricted`. */
  readonly requirements: readonly Requirement[];
  /** Protected object types behind an abstract return type: each object is checked at run time. */
  readonly checkedAtRunTime: readonly string[];
}

/** The requirement table of a schema, built once when the schema is transformed. */
export interface AccessTable {
  readonly names: DeclarationNames;
  /** Type name → field name → requirements (non-empty), for object and interface fields. */
  readonly fields: ReadonlyMap<string, ReadonlyMap<string, RequirementList>>;
  /** Object or interface type name → its type-level requirements (own and its interfaces'), non-empty. */
  readonly types: ReadonlyMap<string, RequirementList>;
  readonly listing: readonly FieldAccess[];
  readonly verdicts: VerdictCache;
}

export interface TableOptions {
  readonly names: DeclarationNames;
  readonly catalog?: NameCatalog;
  readonly defaultDeny?: boolean;
  readonly cacheSize?: number;
}

type Composite = GraphQLObjectType | GraphQLInterfaceType;
type AnyField = GraphQLField<unknown, unknown>;

/** The table of a transformed schema, or undefined when the schema never went through the transformer. */
export function tableOf(schema: GraphQLSchema): AccessTable | undefined {
  const table = (schema.extensions as Record<string, unknown> | undefined)?.[TABLE_EXTENSION];
  return table instanceof Object && 'verdicts' in table ? (table as AccessTable) : undefined;
}

export function buildTable(schema: GraphQLSchema, options: TableOptions): AccessTable {
  const { names, catalog } = options;
  const own = new Map<Composite | AnyField, Declaration>();
  const declaration = (element: Composite | AnyField, where: string): Declaration => {
    let found = own.get(element);
    if (!found) {
      found = readDeclaration(schema, element, where, names, catalog);
      own.set(element, found);
    }
    return found;
  };

  const composites = Object.values(schema.getTypeMap()).filter(
    (type): type is Composite => !type.name.startsWith('__') && (isObjectType(type) || isInterfaceType(type)),
  );

  const typeLevel = new Map<string, RequirementList>();
  for (const type of composites) {
    const inherited = addUp(...type.getInterfaces().map((i) => declaration(i, i.name).requirements));
    const self = declaration(type, type.name);
    if (self.isPublic && inherited.length > 0) {
      throw new GatehouseConfigError(`${type.name} is declared public but its interfaces require more`);
    }
    const all = addUp(self.requirements, inherited);
    if (all.length > 0) typeLevel.set(type.name, all);
  }
  const typeRequirements = (type: GraphQLNamedType): RequirementList => typeLevel.get(type.name) ?? NO_REQUIREMENTS;

  const fields = new Map<string, Map<string, RequirementList>>();
  const listing: FieldAccess[] = [];
  const undecided: string[] = [];
  for (const type of composites) {
    const byName = new Map<string, RequirementList>();
    for (const field of Object.values(type.getFields()) as AnyField[]) {
      const coordinate = `${type.name}.${field.name}`;
      const self = declaration(field, coordinate);
      const interfaceFields = type
        .getInterfaces()
        .map((i) => [i, i.getFields()[field.name] as AnyField | undefined] as const)
        .filter((pair): pair is readonly [GraphQLInterfaceType, AnyField] => pair[1] !== undefined);
      const returned = getNamedType(field.type);
      const inherited = addUp(
        typeRequirements(type),
        ...interfaceFields.map(([i, f]) => declaration(f, `${i.name}.${f.name}`).requirements),
        typeRequirements(returned),
      );
      if (self.isPublic && inherited.length > 0) {
        throw new GatehouseConfigError(`${coordinate} is declared public but a field can never weaken its type's rule`);
      }
      const requirements = addUp(self.requirements, inherited);
      if (requirements.length > 0) byName.set(field.name, requirements);

      const decided =
        self.isPublic ||
        self.requirements.length > 0 ||
        requirements.length > 0 ||
        isDecided(declaration(type, type.name)) ||
        type.getInterfaces().some((i) => isDecided(declaration(i, i.name))) ||
        interfaceFields.some(([i, f]) => isDecided(declaration(f, `${i.name}.${f.name}`)));
      if (!decided && isObjectType(type)) undecided.push(coordinate);

      const checkedAtRunTime = isAbstractType(returned)
        ? schema
            .getPossibleTypes(returned)
            .filter((t) => typeLevel.has(t.name))
            .map((t) => t.name)
        : [];
      listing.push(describeField(type.name, field.name, requirements, checkedAtRunTime));
    }
    if (byName.size > 0) fields.set(type.name, byName);
  }

  if (options.defaultDeny && undecided.length > 0) {
    const shown = undecided.slice(0, 20).join(', ');
    const more = undecided.length > 20 ? ` and ${undecided.length - 20} more` : '';
    throw new GatehouseConfigError(
      `default-deny: no access decision for ${shown}${more}; add @${names.auth} or @${names.public} to the field or its type`,
    );
  }

  return Object.freeze({
    names,
    fields,
    types: typeLevel,
    listing: Object.freeze(listing),
    verdicts: new VerdictCache(options.cacheSize),
  });
}

function isDecided(declaration: Declaration): boolean {
  return declaration.isPublic || declaration.requirements.length > 0;
}

function describeField(
  typeName: string,
  fieldName: string,
  requirements: RequirementList,
  checkedAtRunTime: readonly string[],
): FieldAccess {
  const strict = requirements.filter((r) => !isOpenRequirement(r));
  const access = requirements.length === 0 ? 'public' : strict.length === 0 ? 'authenticated' : 'restricted';
  const description =
    access === 'restricted' ? strict.map(describeRequirement).join(' AND ') : (access as 'public' | 'authenticated');
  return Object.freeze({
    path: `${typeName}.${fieldName}`,
    access,
    requirements: Object.freeze(strict),
    description,
    typeName,
    fieldName,
    checkedAtRunTime: Object.freeze(checkedAtRunTime),
  });
}
