import {
  type ASTVisitor,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  TypeInfo,
  visit,
  visitInParallel,
  visitWithTypeInfo,
} from 'graphql';

/**
 * The rules a document must follow for the pre-execution pass to read it exactly as graphql-js
 * executes it. Validation enforces them; a document that skipped validation may break them, and
 * graphql-js then executes what a plain reading does not see:
 * - a field its parent type does not define (on a union, or on an interface that only an
 *   implementation has) is looked up on the object's type at run time;
 * - of a repeated `@skip`/`@include`, only the first is read; of a repeated argument, the last;
 * - fields sharing a response key run as the first one, with all their sub-selections merged;
 * - of repeated operation, fragment or variable names, the last definition wins.
 * Each rule is a small visitor in the style of graphql-js' validation rules; `report` is called
 * for each break. Pure: the result depends only on the schema and the document.
 */
type Rule = (context: RuleContext) => ASTVisitor;

interface RuleContext {
  readonly schema: GraphQLSchema;
  readonly typeInfo: TypeInfo;
  report(rule: string): void;
}

/** Every field names a field of its parent type (as graphql-js' FieldsOnCorrectTypeRule, and no selection under a leaf). */
const fieldsDefinedOnTheirType: Rule = (context) => ({
  Field() {
    if (!context.typeInfo.getFieldDef()) context.report('field not defined on its type');
  },
});

/** No directive appears twice on one node unless it is repeatable (UniqueDirectivesPerLocationRule). */
const directivesOncePerLocation: Rule = (context) => ({
  enter(node) {
    const directives = (node as { directives?: readonly DirectiveNode[] }).directives;
    if (!directives || directives.length < 2) return;
    const seen = new Set<string>();
    for (const directive of directives) {
      const name = directive.name.value;
      if (seen.has(name) && !context.schema.getDirective(name)?.isRepeatable) {
        context.report('directive repeated');
      }
      seen.add(name);
    }
  },
});

/** No argument is given twice to one field or directive (UniqueArgumentNamesRule). */
const argumentsOnce: Rule = (context) => {
  const check = (node: FieldNode | DirectiveNode) => {
    const args = node.arguments;
    if (!args || args.length < 2) return;
    if (new Set(args.map((a) => a.name.value)).size !== args.length) context.report('argument repeated');
  };
  return { Field: check, Directive: check };
};

/**
 * One response key always names one field, anywhere in the document: a cheap, linear stand-in for
 * OverlappingFieldsCanBeMergedRule that may also flag some valid documents (they are then guarded
 * at run time, never refused).
 */
const oneFieldPerResponseKey: Rule = (context) => {
  const fieldOf = new Map<string, string>();
  return {
    Field(node) {
      const key = node.alias?.value ?? node.name.value;
      const known = fieldOf.get(key);
      if (known === undefined) fieldOf.set(key, node.name.value);
      else if (known !== node.name.value) context.report('response key shared by two fields');
    },
  };
};

/** Operation, fragment and variable names are unique; an anonymous operation stands alone. */
const definitionsOnce: Rule = (context) => {
  const operations = new Set<string>();
  const fragments = new Set<string>();
  let operationCount = 0;
  let anonymous = false;
  const once = (seen: Set<string>, name: string) => {
    if (seen.has(name)) context.report('name defined twice');
    seen.add(name);
  };
  return {
    OperationDefinition(node) {
      operationCount += 1;
      if (node.name) once(operations, node.name.value);
      else anonymous = true;
      if (anonymous && operationCount > 1) context.report('anonymous operation not alone');
      const variables = new Set<string>();
      for (const definition of node.variableDefinitions ?? []) once(variables, definition.variable.name.value);
    },
    FragmentDefinition(node) {
      once(fragments, node.name.value);
    },
  };
};

const RULES: readonly Rule[] = [
  fieldsDefinedOnTheirType,
  directivesOncePerLocation,
  argumentsOnce,
  oneFieldPerResponseKey,
  definitionsOnce,
];

/** True when the document follows every rule above, so the pre-execution pass reads it as graphql-js runs it. */
export function isReadable(schema: GraphQLSchema, document: DocumentNode): boolean {
  let readable = true;
  const typeInfo = new TypeInfo(schema);
  const context: RuleContext = {
    schema,
    typeInfo,
    report() {
      readable = false;
    },
  };
  visit(document, visitWithTypeInfo(typeInfo, visitInParallel(RULES.map((rule) => rule(context)))));
  return readable;
}
