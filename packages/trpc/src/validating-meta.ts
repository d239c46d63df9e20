import { requirementOfMeta } from './meta.js';

interface BuilderLike {
  _def: { procedure: true; meta?: unknown };
  query: unknown;
}

function isBuilder(value: unknown): value is BuilderLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<BuilderLike>)._def === 'object' &&
    (value as BuilderLike)._def.procedure === true &&
    typeof (value as BuilderLike).query === 'function'
  );
}

/**
 * Wraps a procedure builder so that the meta of every builder derived from it is validated as soon
 * as `.meta()` is called: a requirement nobody can meet fails when the router module loads, not on
 * the first request. Procedures (what `.query()` and friends return) are not wrapped.
 */
export function validatingMeta<B extends object>(builder: B): B {
  return new Proxy(builder, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || key === 'query' || key === 'mutation' || key === 'subscription') {
        return value;
      }
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!isBuilder(result)) return result;
        if (key === 'meta') requirementOfMeta(result._def.meta);
        return validatingMeta(result);
      };
    },
  });
}
