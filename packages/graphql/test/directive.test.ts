import { type AccessEntry, defineCatalog, GatehouseConfigError } from '@gatehousejs/core';
import { authDirective, listFieldRequirements } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildSchema, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, test } from 'vitest';
import { buildTestSchema } from './support/schema.js';

function build(typeDefs: string, options: Parameters<typeof authDirective>[0] = {}) {
  const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective(options);
  return authDirectiveTransformer(makeExecutableSchema({ typeDefs: [authDirectiveTypeDefs, typeDefs] }));
}

function requirementsOf(schema: GraphQLSchema) {
  return Object.fromEntries(listFieldRequirements(schema).map((f) => [f.path, f.description]));
}

describe('schema-build errors', () => {
  test.each([
    ['an empty roles list', 'type Query { a: String @auth(roles: []) }'],
    ['an empty permissions list', 'type Query { a: String @auth(permissions: []) }'],
    ['a nested list', 'type Query { a: String @auth(roles: [["admin"]]) }'],
    ['a null list', 'type Query { a: String @auth(roles: null) }'],
    ['an empty name', 'type Query { a: String @auth(roles: [""]) }'],
    ['a type-level empty list', 'type Query @auth(permissions: []) { a: String }'],
  ])('%s is a GatehouseConfigError', (_name, typeDefs) => {
    expect(() => build(typeDefs)).toThrow(GatehouseConfigError);
  });

  test('an unknown argument fails the build', () => {
    expect(() => build('type Query { a: String @auth(role: ["admin"]) }')).toThrow(/Unknown argument "role"/);
  });

  test('a look-alike directive definition with other arguments is refused', () => {
    const schema = makeExecutableSchema({
      typeDefs: `directive @auth(requires: String) on FIELD_DEFINITION
        type Query { a: String @auth(requires: "ADMIN") }`,
    });
    expect(() => authDirective().authDirectiveTransformer(schema)).toThrow(GatehouseConfigError);
  });

  test('a definition that allows locations Gatehouse does not enforce is refused', () => {
    const schema = makeExecutableSchema({
      typeDefs: `directive @auth(roles: [String!]) on FIELD_DEFINITION | ARGUMENT_DEFINITION
        type Query { a(x: String @auth(roles: ["admin"])): String }`,
    });
    expect(() => authDirective().authDirectiveTransformer(schema)).toThrow(/ARGUMENT_DEFINITION/);
  });

  test('code-first: an unknown key or a bad value in extensions', () => {
    const withExtensions = (extensions: Record<string, unknown>) =>
      new GraphQLSchema({
        query: new GraphQLObjectType({
          name: 'Query',
          fields: { a: { type: GraphQLString, extensions } },
        }),
      });
    const { authDirectiveTransformer } = authDirective();
    expect(() => authDirectiveTransformer(withExtensions({ auth: { role: ['admin'] } }))).toThrow(/unknown key "role"/);
    expect(() => authDirectiveTransformer(withExtensions({ auth: { roles: 'admin' } }))).toThrow(GatehouseConfigError);
    expect(() => authDirectiveTransformer(withExtensions({ auth: { roles: [['admin']] } }))).toThrow(
      GatehouseConfigError,
    );
    expect(() => authDirectiveTransformer(withExtensions({ auth: { permissions: [] } }))).toThrow(GatehouseConfigError);
    expect(() => authDirectiveTransformer(withExtensions({ public: 'yes' }))).toThrow(GatehouseConfigError);
  });

  test('public and @auth on the same element', () => {
    expect(() => build('type Query { a: String @auth @public }')).toThrow(/both public/);
  });

  test('@public cannot weaken a type rule', () => {
    expect(() => build('type Query { s: S } type S @auth(roles: ["admin"]) { id: ID @public }')).toThrow(
      /never weaken/,
    );
    expect(() => build('type Query { s: S @public } type S @auth(roles: ["admin"]) { id: ID }')).toThrow(
      /never weaken/,
    );
  });

  test('the catalog catches misspelt names at build', () => {
    const catalog = defineCatalog({ roles: ['admin'], permissions: ['reports:read'] });
    expect(() => build('type Query { a: String @auth(roles: ["admn"]) }', { catalog })).toThrow(/"admn"/);
    expect(() => build('type Query { a: String @auth(permissions: ["report:read"]) }', { catalog })).toThrow(
      /"report:read"/,
    );
    expect(() =>
      build('type Query { a: String @auth(roles: ["admin"], permissions: ["reports:read"]) }', { catalog }),
    ).not.toThrow();
  });

  test('directive names are checked', () => {
    expect(() => authDirective({ name: 'skip' })).toThrow(GatehouseConfigError);
    expect(() => authDirective({ name: 'has space' })).toThrow(GatehouseConfigError);
    expect(() => authDirective({ name: 'x', publicName: 'x' })).toThrow(GatehouseConfigError);
  });

  test('a schema is transformed once', () => {
    const schema = build('type Query { a: String }');
    expect(() => authDirective().authDirectiveTransformer(schema)).toThrow(/already/);
  });

  test('listing an untransformed schema is refused', () => {
    expect(() => listFieldRequirements(buildSchema('type Query { a: String }'))).toThrow(GatehouseConfigError);
  });
});

describe('requirements add up', () => {
  test('the test schema lists every field with its effective requirement', () => {
    const listed = requirementsOf(buildTestSchema().schema);
    expect(listed).toMatchObject({
      'Query.health': 'public',
      'Query.me': 'authenticated',
      'Query.admin': 'roles: admin',
      'Query.home': 'roles: admin | read-only',
      'Query.reports': 'permissions: reports:read | reports:admin',
      'Query.billing': 'roles: admin AND permissions: billing:read',
      'Query.users': 'public',
      'User.email': 'permissions: users:email',
      // The return type's requirement: reaching a Secret means passing the Secret's rule.
      'Query.secret': 'roles: admin',
      'Mutation.createSecret': 'roles: admin',
      'Secret.id': 'roles: admin',
      // A field never weakens its type's rule: both must hold.
      'Secret.weakField': 'roles: read-only AND roles: admin',
      'Query.node': 'public',
      'Node.id': 'public',
    });
    const node = listFieldRequirements(buildTestSchema().schema).find((f) => f.path === 'Query.search');
    expect(node).toMatchObject({ access: 'public', checkedAtRunTime: ['Secret'] });
  });

  test("entries have core's AccessEntry shape, as tRPC's listProcedures: requirements empty unless restricted", () => {
    const listing: readonly AccessEntry[] = listFieldRequirements(buildTestSchema().schema);
    const byPath = new Map(listing.map((entry) => [entry.path, entry]));
    expect(byPath.get('Query.health')).toMatchObject({ access: 'public', requirements: [], description: 'public' });
    expect(byPath.get('Query.me')).toMatchObject({
      access: 'authenticated',
      requirements: [],
      description: 'authenticated',
    });
    expect(byPath.get('Query.billing')).toMatchObject({
      path: 'Query.billing',
      access: 'restricted',
      requirements: [{ roles: ['admin'], permissions: ['billing:read'] }],
      description: 'roles: admin AND permissions: billing:read',
    });
    for (const entry of listing) {
      expect(entry.requirements.length > 0).toBe(entry.access === 'restricted');
      expect(Object.isFrozen(entry) && Object.isFrozen(entry.requirements)).toBe(true);
    }
  });

  test('interfaces: type-level and field-level requirements reach implementations', () => {
    const schema = build(`
      type Query { things: [Thing!]! }
      interface Thing @auth(permissions: ["things:read"]) { id: ID! label: String @auth(roles: ["editor"]) }
      interface Audited implements Thing @auth { id: ID! label: String auditedAt: String @auth(roles: ["auditor"]) }
      type Doc implements Thing & Audited { id: ID! label: String auditedAt: String body: String @auth(roles: ["writer"]) }
    `);
    expect(requirementsOf(schema)).toMatchObject({
      'Query.things': 'permissions: things:read',
      'Doc.id': 'permissions: things:read',
      'Doc.label': 'permissions: things:read AND roles: editor',
      'Doc.auditedAt': 'permissions: things:read AND roles: auditor',
      'Doc.body': 'roles: writer AND permissions: things:read',
      'Thing.label': 'roles: editor AND permissions: things:read',
    });
  });

  test('a custom directive name, with extend type', () => {
    const schema = build(
      `type Query { a: String @requires(roles: ["x"]) b: String }
       extend type Query @requires(permissions: ["y"])`,
      { name: 'requires', publicName: 'open' },
    );
    expect(requirementsOf(schema)).toMatchObject({
      'Query.a': 'roles: x AND permissions: y',
      'Query.b': 'permissions: y',
    });
  });
});

describe('what is wrapped', () => {
  test('unprotected fields keep their own resolver; protected fields and abstract types are guarded', () => {
    const health = () => 'ok';
    const admin = () => ({ area: 'a' });
    const resolveType = () => 'S';
    const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();
    const raw = makeExecutableSchema({
      typeDefs: [
        authDirectiveTypeDefs,
        `type Query { health: String admin: Area @auth(roles: ["admin"]) n: N }
         type Area { area: String } interface N { id: ID } type S implements N @auth { id: ID }`,
      ],
      resolvers: { Query: { health, admin }, N: { __resolveType: resolveType } },
    });
    const schema = authDirectiveTransformer(raw);
    const before = raw.getQueryType()?.getFields();
    const fields = schema.getQueryType()?.getFields();
    expect(fields?.health?.resolve).toBe(before?.health?.resolve);
    expect(fields?.admin?.resolve).not.toBe(before?.admin?.resolve);
    expect((schema.getType('Area') as GraphQLObjectType).getFields().area?.resolve).toBeUndefined();
    expect((schema.getType('N') as { resolveType?: unknown }).resolveType).not.toBe(
      (raw.getType('N') as { resolveType?: unknown }).resolveType,
    );
  });
});

describe('default-deny', () => {
  const typeDefs = `
    type Query { health: String @public me: User @auth stray: String users: [User!]! @public }
    type User { id: ID! name: String email: String @auth(permissions: ["users:email"]) }
  `;

  test('a field with no access decision fails at startup, naming it', () => {
    expect(() => build(typeDefs, { defaultDeny: true })).toThrow(
      /no access decision for Query\.stray, User\.id, User\.name/,
    );
  });

  test('decisions come from the field, its type, its interfaces or a protected return type', () => {
    const schema = build(
      `type Query { health: String @public me: User @auth secret: Secret }
       type User @public { id: ID! email: String @auth(permissions: ["users:email"]) }
       interface Node @public { id: ID! }
       type Secret implements Node @auth(roles: ["admin"]) { id: ID! }
       type Leaf implements Node { id: ID! }`,
      { defaultDeny: true },
    );
    expect(requirementsOf(schema)).toMatchObject({
      'Query.health': 'public',
      'Query.secret': 'roles: admin',
      'User.id': 'public',
      'Leaf.id': 'public',
    });
  });

  test('without default-deny an undecided field is public', () => {
    expect(requirementsOf(build(typeDefs))['Query.stray']).toBe('public');
  });
});
