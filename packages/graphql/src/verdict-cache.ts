import type { AuthUser, Requirement } from '@gatehousejs/core';
import type { Refusal } from '@gatehousejs/core/adapter';
import {
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  visit,
} from 'graphql';
import { isReadable } from './readable.js';

/** Where a denied field was selected, for the error: its response path (keys, no list indices) and its node. */
export interface DeniedField {
  readonly path: readonly string[];
  readonly nodes: readonly FieldNode[];
}

/** A requirement the caller does not meet, with core's decision on it. */
export interface Unmet {
  readonly requirement: Requirement;
  readonly refusal: Refusal;
}

/** What the pre-execution pass concluded for one operation and caller. */
export interface Verdict {
  /** The first requirement the caller does not meet, if any, and why: the operation is rejected. */
  readonly denied: Unmet | undefined;
  /** The field that requirement guards, when denied. */
  readonly deniedAt?: DeniedField | undefined;
  /**
   * True when some protected field could be reached in a way static analysis cannot decide
   * (through an interface field, resolved per object at run time): protected fields then check
   * at run time. False when every protected field the operation can reach was already allowed.
   */
  readonly checkFields: boolean;
}

/** Facts about a document that do not depend on the caller, computed once per document. */
export interface DocumentFacts {
  /** The schema these facts were computed against. */
  readonly schema: GraphQLSchema;
  /**
   * False when the document breaks a rule that validation enforces and the pass relies on (see
   * readable.ts): its verdict can then deny but never allow, and every guard checks at run time.
   */
  readonly readable: boolean;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly operations: readonly OperationDefinitionNode[];
  /** Variables used by `@skip(if:)`/`@include(if:)`: the only variables a verdict depends on. */
  readonly conditionVariables: readonly string[];
  readonly verdicts: Map<string, Verdict>;
}

const DEFAULT_VERDICTS_PER_DOCUMENT = 64;

/**
 * Verdicts per document (held weakly: a document that is gone takes its verdicts with it), and per
 * operation, condition variables and the caller's roles and permissions (at most `perDocument`
 * of them, oldest dropped first). A repeated document costs a lookup, never a new walk.
 */
export class VerdictCache {
  readonly #documents = new WeakMap<DocumentNode, DocumentFacts>();
  readonly #userKeys = new WeakMap<AuthUser, string>();
  readonly #perDocument: number;

  constructor(perDocument = DEFAULT_VERDICTS_PER_DOCUMENT) {
    this.#perDocument = Math.max(1, Math.floor(perDocument));
  }

  facts(schema: GraphQLSchema, document: DocumentNode): DocumentFacts {
    let facts = this.#documents.get(document);
    if (!facts || facts.schema !== schema) {
      facts = collectFacts(schema, document);
      this.#documents.set(document, facts);
    }
    return facts;
  }

  key(
    facts: DocumentFacts,
    operationName: string | null | undefined,
    variables: unknown,
    user: AuthUser | null,
  ): string {
    let conditions = '';
    for (const name of facts.conditionVariables) conditions += conditionState(variables, name);
    // The name comes from the client, unchecked: JSON keeps "no name" (empty) apart from every string
    // (`''`, control characters and the separator included), so no request can write another's verdict.
    const operation = operationName == null ? '' : JSON.stringify(operationName);
    return `${operation}\u0000${conditions}\u0000${this.#userKey(user)}`;
  }

  get(facts: DocumentFacts, key: string): Verdict | undefined {
    return facts.verdicts.get(key);
  }

  set(facts: DocumentFacts, key: string, verdict: Verdict): void {
    if (facts.verdicts.size >= this.#perDocument) {
      const oldest = facts.verdicts.keys().next().value;
      if (oldest !== undefined) facts.verdicts.delete(oldest);
    }
    facts.verdicts.set(key, verdict);
  }

  #userKey(user: AuthUser | null): string {
    if (!user) return '';
    let key = this.#userKeys.get(user);
    if (key === undefined) {
      // JSON keeps names apart whatever characters they hold.
      key = JSON.stringify([user.roles, user.permissions]);
      this.#userKeys.set(user, key);
    }
    return key;
  }
}

/** `t`/`f`: the variable is that boolean; `d`: absent, so its default applies; `u`: anything else. */
function conditionState(variables: unknown, name: string): string {
  if (typeof variables !== 'object' || variables === null || !Object.hasOwn(variables, name)) return 'd';
  const value = (variables as Record<string, unknown>)[name];
  return value === true ? 't' : value === false ? 'f' : 'u';
}

function collectFacts(schema: GraphQLSchema, document: DocumentNode): DocumentFacts {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      // graphql-js uses the last definition of a name; do the same.
      fragments.set(definition.name.value, definition);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations.push(definition);
    }
  }
  const conditionVariables = new Set<string>();
  visit(document, {
    Directive(node: DirectiveNode) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const arg of node.arguments ?? []) {
        if (arg.name.value === 'if' && arg.value.kind === Kind.VARIABLE) conditionVariables.add(arg.value.name.value);
      }
    },
  });
  return {
    schema,
    readable: isReadable(schema, document),
    fragments,
    operations,
    conditionVariables: [...conditionVariables].sort(),
    verdicts: new Map(),
  };
}
