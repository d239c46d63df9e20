// What the load bench sends: callers, routes per target, and how an answer is judged.

export const AUDIENCE = 'gatehouse-load';
export const ISSUER = 'https://issuer.gatehouse.test';

const tenantId = 'tenant-load';

/** Three callers with different rights, mixed in every authorized phase. */
export const PERSONAS = {
  reader: { sub: 'user-2', roles: ['read-only'], permissions: ['reports:read'], tenantId, type: 'userToken' },
  uploader: { sub: 'uploader-1', roles: ['user'], permissions: ['uploadFile'], tenantId, type: 'userToken' },
  admin: {
    sub: 'admin-2',
    roles: ['admin'],
    permissions: ['reports:admin', 'users:email', 'billing:read'],
    tenantId,
    type: 'userToken',
  },
};

const ANY_USER = {};
const HOME = { roles: ['admin', 'read-only'] };
const REPORTS = { permissions: ['reports:read', 'reports:admin'] };

const trpc = (procedure, requirement) => ({
  name: `tRPC ${procedure}`,
  method: 'GET',
  path: `/trpc/${procedure}`,
  requirement,
});
const graphql = (query, requirement) => ({
  name: `GraphQL ${query}`,
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query }),
  requirement,
});
const rest = (path, requirement) => ({ name: `GET ${path}`, method: 'GET', path, requirement });

/**
 * Routes per target. `open`: anyone may call (baseline traffic); `protected`: the authorized mix.
 * `demo` is the example server; `rest` is the fallback server in ./server.mjs (core's withAuthentication only).
 */
export const ROUTES = {
  demo: {
    open: [trpc('health'), trpc('uploads.count'), graphql('{ health }'), graphql('{ uploadCount }')],
    protected: [
      trpc('me', ANY_USER),
      trpc('home', HOME),
      trpc('reports', REPORTS),
      graphql('{ me { id } }', ANY_USER),
      graphql('{ home { area } }', HOME),
      graphql('{ reports { id title } }', REPORTS),
    ],
    me: [trpc('me', ANY_USER), graphql('{ me { id } }', ANY_USER)],
  },
  rest: {
    open: [rest('/api/public')],
    protected: [rest('/api/shift', ANY_USER), rest('/api/home', HOME), rest('/api/reports', REPORTS)],
    me: [rest('/api/shift', ANY_USER)],
  },
};

/** The reference rule (any-of roles, any-of permissions, AND between them), kept apart from Gatehouse's own. */
export function allowed(persona, requirement = {}) {
  const anyOf = (held, wanted) => wanted === undefined || wanted.some((name) => held.includes(name));
  return anyOf(persona.roles, requirement.roles) && anyOf(persona.permissions, requirement.permissions);
}

/** What an answer means, for tRPC (status codes), GraphQL (errors[].extensions.code) and REST alike. */
export function outcomeOf(status, body) {
  if (status === 503) return 'unavailable';
  const text = typeof body === 'string' ? body : '';
  if (text.includes('"errors"')) {
    if (text.includes('KEYS_UNAVAILABLE')) return 'unavailable';
    if (text.includes('UNAUTHENTICATED')) return 'unauthenticated';
    if (text.includes('FORBIDDEN')) return 'forbidden';
    if (text.includes('BAD_REQUEST')) return 'bad-request';
    return 'error';
  }
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 400) return 'bad-request';
  if (status >= 200 && status < 300) return 'ok';
  return 'error';
}
