import { defineCatalog, type Requirement } from '@gatehousejs/core';

/** Every role and permission the demo knows: a misspelt name in a requirement below fails to compile. */
export const catalog = defineCatalog({
  roles: ['admin', 'read-only', 'user'],
  permissions: ['reports:read', 'reports:admin', 'billing:read', 'uploadFile', 'users:email'],
});

/**
 * Who may reach what, once for the whole demo. tRPC meta and the REST routes read this table; the
 * GraphQL schema states the same rules in SDL with `@auth`, and the tests check that all three agree.
 */
export const access = {
  /** any authenticated caller */
  me: catalog.requirement({}),
  admin: catalog.requirement({ roles: ['admin'] }),
  home: catalog.requirement({ roles: ['admin', 'read-only'] }),
  reports: catalog.requirement({ permissions: ['reports:read', 'reports:admin'] }),
  billing: catalog.requirement({ roles: ['admin'], permissions: ['billing:read'] }),
  upload: catalog.requirement({ permissions: ['uploadFile'] }),
  userEmail: catalog.requirement({ permissions: ['users:email'] }),
  secret: catalog.requirement({ roles: ['admin'] }),
  revoke: catalog.requirement({ roles: ['admin'] }),
} as const satisfies Record<string, Requirement>;
