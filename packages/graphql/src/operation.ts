import type { AuthUser } from '@gatehousejs/core';
import { refusalOf } from '@gatehousejs/core/adapter';
import {
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { RequirementList } from './requirements.js';
import type { AccessTable } from './table.js';
import type { DeniedField, DocumentFacts, Unmet, Verdict } from './verdict-cache.js';

const ALLOWED: Verdict = Object.freeze({ denied: undefined, checkFields: false });
const UNDECIDED: Verdict = Object.freeze({ denied: undefined, checkFields: true });

/**
 * The pre-execution pass: the verdict for one operation of a document and one caller, cached per
 * document, operation, condition variables and the caller's roles and permissions.
 */
export function judgeOperation(
  schema: GraphQLSchema,
  table: AccessTable,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: unknown,
  user: AuthUser | null,
): Verdict {
  const facts = table.verdicts.facts(schema, document);
  const key = table.verdicts.key(facts, operationName, variables, user);
  let verdict = table.verdicts.get(facts, key);
  if (!verdict) {
    verdict = walkOperation(schema, table, facts, operationName, variables, user);
    table.verdicts.set(facts, key, verdict);
  }
  return verdict;
}

function walkOperation(
  schema: GraphQLSchema,
  table: AccessTable,
  facts: DocumentFacts,
  operationName: string | null | undefined,
  variables: unknown,
  user: AuthUser | null,
): Verdict {
  const operation = findOperation(facts, operationName);
  // No operation to run: execution fails before any resolver, but stay strict anyway.
  if (!operation) return UNDECIDED;
  const root = schema.getRootType(operation.operation);
  if (!root) return UNDECIDED;
  const walker = new Walker(schema, table, facts, operation, variables, user);
  walker.selectionSet(operation.selectionSet, root);
  if (walker.denied) return Object.freeze({ denied: walker.denied, deniedAt: walker.deniedAt, checkFields: true });
  // A document the pass cannot read exactly as graphql-js runs it is never declared allowed.
  return walker.checkFields || !facts.readable ? UNDECIDED : ALLOWED;
}

/**
 * The operation graphql-js would run: the only one, or the last of that name (an unvalidated
 * document may repeat a name, and graphql-js then runs the last one).
 */
function findOperation(facts: DocumentFacts, operationName: string | null | undefined) {
  if (operationName == null) return facts.operations.length === 1 ? facts.operations[0] : undefined;
  for (let i = facts.operations.length - 1; i >= 0; i--) {
    const operation = facts.operations[i];
    if (operation?.name?.value === operationName) return operation;
  }
  return undefined;
}

/**
 * Walks the selections graphql-js would collect, with fragments resolved and `@skip`/`@include`
 * honoured, and stops at the first field the caller may not read. Fields selected on an object
 * type are decided exactly; fields selected on an interface are decided for the interface field,
 * and any implementation that asks for more leaves the field to the run-time guard.
 *
 * In a document that is not readable (see readable.ts) the walk only looks for denials, reading
 * the document as broadly as graphql-js might: every `@skip`/`@include` counts as "included", and
 * a field its abstract parent does not define is checked on every implementation that has it.
 */
class Walker {
  denied: Unmet | undefined;
  /** Where the denied field was selected: its response path and its node. */
  deniedAt: DeniedField | undefined;
  checkFields = false;
  /** Response keys from the root to the field being walked. */
  readonly #path: string[] = [];
  readonly #visited = new Set<string>();
  readonly #decisions = new Map<RequirementList, Unmet | null>();
  readonly #definitions: ReadonlyMap<string, VariableDefinitionNode>;
  /** Variables the fragment being walked declares itself (graphql 17 fragment arguments): they hide the operation's. */
  #fragmentVariables: ReadonlySet<string> = NO_NAMES;

  constructor(
    readonly schema: GraphQLSchema,
    readonly table: AccessTable,
    readonly facts: DocumentFacts,
    operation: OperationDefinitionNode,
    readonly variables: unknown,
    readonly user: AuthUser | null,
  ) {
    this.#definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
  }

  /** The first requirement of the list the caller fails, with core's refusal, or null. */
  unmet(requirements: RequirementList | undefined): Unmet | null {
    if (!requirements) return null;
    let found = this.#decisions.get(requirements);
    if (found === undefined) {
      found = null;
      for (const requirement of requirements) {
        const refusal = refusalOf(this.user, requirement);
        if (refusal !== undefined) {
          found = Object.freeze({ requirement, refusal });
          break;
        }
      }
      this.#decisions.set(requirements, found);
    }
    return found;
  }

  deny(unmet: Unmet | null, node: FieldNode): boolean {
    if (unmet) {
      this.denied = unmet;
      this.deniedAt = Object.freeze({
        path: Object.freeze([...this.#path, node.alias?.value ?? node.name.value]),
        nodes: Object.freeze([node]),
      });
    }
    return unmet !== null;
  }

  selectionSet(set: SelectionSetNode, parent: GraphQLCompositeType): void {
    for (const selection of set.selections) {
      if (this.denied) return;
      if (!this.included(selection.directives)) continue;
      if (selection.kind === Kind.FIELD) {
        this.field(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        const next = this.narrow(parent, condition);
        if (next) this.selectionSet(selection.selectionSet, next);
      } else {
        const fragment = this.facts.fragments.get(selection.name.value);
        if (!fragment) continue;
        const next = this.narrow(parent, this.schema.getType(fragment.typeCondition.name.value));
        if (!next) continue;
        // A fragment under the same type reads the same fields: walking it once is enough, and
        // keeps a document of fragments spread many times over linear to walk.
        const key = `${fragment.name.value}\u0000${next.name}`;
        if (this.#visited.has(key)) continue;
        this.#visited.add(key);
        // graphql 17 gives a fragment that declares variables its own scope, and a fragment that
        // declares none the operation's. Spreads of one fragment may pass different values, so the
        // conditions on its own variables stay undecided and one walk covers every spread.
        const outer = this.#fragmentVariables;
        this.#fragmentVariables = fragmentVariablesOf(fragment);
        this.selectionSet(fragment.selectionSet, next);
        this.#fragmentVariables = outer;
      }
    }
  }

  field(node: FieldNode, parent: GraphQLCompositeType): void {
    const name = node.name.value;
    if (name === '__typename') {
      // Naming an object's type reveals it as much as reading one of its fields.
      if (isObjectType(parent)) this.deny(this.unmet(this.table.types.get(parent.name)), node);
      return;
    }
    if ((name === '__schema' || name === '__type') && parent === this.schema.getQueryType()) return;
    const definition = isUnionType(parent) ? undefined : parent.getFields()[name];
    if (!definition) {
      // graphql-js looks the field up on each object's own type: an implementation may have it.
      if (!this.facts.readable && isAbstractType(parent)) this.onImplementations(node, parent);
      return;
    }
    if (this.deny(this.unmet(this.table.fields.get(parent.name)?.get(name)), node)) return;
    if (isInterfaceType(parent) && !this.checkFields) this.checkImplementations(name, parent);
    this.subSelection(node, definition.type);
  }

  /** A field that its abstract parent does not define, as graphql-js runs it on each object type that has it. */
  onImplementations(node: FieldNode, parent: GraphQLAbstractType): void {
    const name = node.name.value;
    for (const type of this.schema.getPossibleTypes(parent)) {
      if (this.denied) return;
      // Objects of a type the caller may not see never get this far: the abstract guard stops them.
      if (this.unmet(this.table.types.get(type.name))) continue;
      const definition = type.getFields()[name];
      if (!definition || this.deny(this.unmet(this.table.fields.get(type.name)?.get(name)), node)) continue;
      this.subSelection(node, definition.type);
    }
  }

  /** The field's own selections, under its response key. graphql-js ignores a selection under a leaf: so does the walk. */
  subSelection(node: FieldNode, type: GraphQLOutputType): void {
    const named = getNamedType(type);
    if (!node.selectionSet || !isCompositeType(named)) return;
    this.#path.push(node.alias?.value ?? node.name.value);
    this.selectionSet(node.selectionSet, named);
    this.#path.pop();
  }

  /** An interface field is resolved by each object type's own field, which may ask for more. */
  checkImplementations(fieldName: string, parent: GraphQLCompositeType): void {
    if (!isAbstractType(parent)) return;
    for (const type of this.schema.getPossibleTypes(parent)) {
      // Objects of a type the caller may not see never get this far: the abstract guard stops them.
      if (this.unmet(this.table.types.get(type.name))) continue;
      if (this.unmet(this.table.fields.get(type.name)?.get(fieldName))) {
        this.checkFields = true;
        return;
      }
    }
  }

  /** The type the selections of a fragment apply to, or null when graphql-js would never apply them. */
  narrow(parent: GraphQLCompositeType, condition: GraphQLNamedType | undefined | null): GraphQLCompositeType | null {
    if (!condition || !isCompositeType(condition)) return null;
    if (isObjectType(parent)) {
      if (condition === parent) return parent;
      return isAbstractType(condition) && this.schema.isSubType(condition, parent) ? parent : null;
    }
    if (isObjectType(condition)) {
      return this.schema.isSubType(parent, condition as GraphQLObjectType) ? condition : null;
    }
    return condition;
  }

  /** False only when `@skip`/`@include` certainly leave the selection out; when unsure, it is checked. */
  included(directives: readonly DirectiveNode[] | undefined): boolean {
    if (!directives || !this.facts.readable) return true;
    for (const directive of directives) {
      const name = directive.name.value;
      if (name === 'skip' && this.condition(directive) === true) return false;
      if (name === 'include' && this.condition(directive) === false) return false;
    }
    return true;
  }

  condition(directive: DirectiveNode): boolean | undefined {
    const arg = directive.arguments?.find((a) => a.name.value === 'if');
    if (!arg) return undefined;
    if (arg.value.kind === Kind.BOOLEAN) return arg.value.value;
    if (arg.value.kind !== Kind.VARIABLE) return undefined;
    const name = arg.value.name.value;
    if (this.#fragmentVariables.has(name)) return undefined;
    const definition = this.#definitions.get(name);
    // Only a `Boolean` variable is passed to the directive as sent. In a document that skipped
    // validation, a list or custom scalar is coerced first (`true` may become `[true]`): undecided.
    if (!definition || !isBooleanVariable(definition)) return undefined;
    const variables = this.variables;
    if (typeof variables === 'object' && variables !== null && Object.hasOwn(variables, name)) {
      const value = (variables as Record<string, unknown>)[name];
      return typeof value === 'boolean' ? value : undefined;
    }
    const fallback = definition.defaultValue;
    return fallback?.kind === Kind.BOOLEAN ? fallback.value : undefined;
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();

function fragmentVariablesOf(fragment: FragmentDefinitionNode): ReadonlySet<string> {
  const definitions = fragment.variableDefinitions;
  return definitions?.length ? new Set(definitions.map((d) => d.variable.name.value)) : NO_NAMES;
}

function isBooleanVariable(definition: VariableDefinitionNode): boolean {
  const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
  return type.kind === Kind.NAMED_TYPE && type.name.value === 'Boolean';
}
