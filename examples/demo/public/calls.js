// Every call the page makes: each tRPC procedure, each GraphQL field, each REST route.

const UPLOAD_NAME = 'quarterly-report.pdf';

const trpc = (name, requirement, run) => ({ api: 'tRPC', name, requirement, run: (api) => api.trpc(run) });
const graphql = (name, requirement, query, variables) => ({
  api: 'GraphQL',
  name,
  requirement,
  run: (api) => api.graphql(query, variables),
});
const rest = (method, path, requirement, body) => ({
  api: 'REST',
  name: `${method} ${path}`,
  requirement,
  run: (api) => api.rest(method, path, body),
});

export const CALLS = [
  trpc('health', 'public', (client) => client.health.query()),
  trpc('me', 'authenticated', (client) => client.me.query()),
  trpc('admin', 'roles: admin', (client) => client.admin.query()),
  trpc('home', 'roles: admin | read-only', (client) => client.home.query()),
  trpc('reports', 'permissions: reports:read | reports:admin', (client) => client.reports.query()),
  trpc('billing', 'roles: admin AND permissions: billing:read', (client) => client.billing.query()),
  trpc('uploads.create', 'permissions: uploadFile', (client) => client.uploads.create.mutate({ name: UPLOAD_NAME })),
  trpc('uploads.count', 'public', (client) => client.uploads.count.query()),

  graphql('health', 'public', '{ health }'),
  graphql('me', 'authenticated', '{ me { id name } }'),
  graphql('admin', 'roles: admin', '{ admin { area } }'),
  graphql('home', 'roles: admin | read-only', '{ home { area } }'),
  graphql('reports', 'permissions: reports:read | reports:admin', '{ reports { id title } }'),
  graphql('billing', 'roles: admin AND permissions: billing:read', '{ billing }'),
  graphql(
    'uploadFile',
    'permissions: uploadFile',
    'mutation Upload($name: String!) { uploadFile(name: $name) { id name } }',
    { name: UPLOAD_NAME },
  ),
  graphql('uploadCount', 'public', '{ uploadCount }'),
  graphql('users', 'public', '{ users { id name } }'),
  graphql('users.email', 'permissions: users:email', '{ users { id email } }'),
  graphql('node(user-1)', 'public', '{ node(id: "user-1") { id ... on User { name } } }'),
  graphql('node(secret-1)', 'type Secret: roles: admin', '{ node(id: "secret-1") { id ... on Secret { value } } }'),
  graphql('search(user)', 'public', '{ search(term: "user") { ... on User { id name } } }'),
  graphql(
    'search(secret)',
    'type Secret: roles: admin',
    '{ search(term: "secret") { ... on User { id } ... on Secret { id value } } }',
  ),

  rest('GET', '/api/shift', 'authenticated'),
  rest('GET', '/api/admin', 'roles: admin'),
  rest('GET', '/api/home', 'roles: admin | read-only'),
  rest('GET', '/api/reports', 'permissions: reports:read | reports:admin'),
  rest('GET', '/api/billing', 'roles: admin AND permissions: billing:read'),
  rest('POST', '/api/uploads', 'permissions: uploadFile', { name: UPLOAD_NAME }),
];
