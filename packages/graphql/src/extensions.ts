import type { Requirement } from '@gatehousejs/core';

// Code-first schemas declare requirements in `extensions`; these declarations type them (role and
// permission names included, when `Register` declares a catalog).
declare module 'graphql' {
  interface GraphQLFieldExtensions<_TSource, _TContext, _TArgs> {
    /** The field's requirement (`{}`: any authenticated caller). */
    auth?: Requirement;
    /** The field is public (for default-deny). */
    public?: true;
  }
  interface GraphQLObjectTypeExtensions<_TSource, _TContext> {
    /** The type's requirement, wherever it is reached. */
    auth?: Requirement;
    /** The type's fields are public (for default-deny). */
    public?: true;
  }
  interface GraphQLInterfaceTypeExtensions {
    auth?: Requirement;
    public?: true;
  }
}
