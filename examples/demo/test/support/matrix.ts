import { isDeepStrictEqual } from 'node:util';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { PERSONAS, type Persona } from '../../src/personas.js';
import type { AppRouter } from '../../src/trpc.js';

/** What a caller gets: the data, or the auth outcome's code. */
export type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';
const A = 'ok';
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';

/** The protected operations of DESIGN.md's table, and who may reach them (literal, not computed). */
export const PROTECTED = ['me', 'admin', 'home', 'reports', 'billing', 'upload', 'userEmail', 'secret'] as const;
export type ProtectedOperation = (typeof PROTECTED)[number];

export const EXPECTED: Record<string, Record<ProtectedOperation, Outcome>> = {
  //                 me        admin     home      reports      billing      upload     userEmail     secret
  anonymous: { me: U, admin: U, home: U, reports: U, billing: U, upload: U, userEmail: U, secret: U },
  user: { me: A, admin: F, home: F, reports: F, billing: F, upload: F, userEmail: F, secret: F },
  'read-only': { me: A, admin: F, home: A, reports: F, billing: F, upload: F, userEmail: F, secret: F },
  uploader: { me: A, admin: F, home: F, reports: F, billing: F, upload: A, userEmail: F, secret: F },
  'reports-reader': { me: A, admin: F, home: F, reports: A, billing: F, upload: F, userEmail: F, secret: F },
  admin: { me: A, admin: A, home: A, reports: A, billing: F, upload: F, userEmail: A, secret: A },
  'billing-admin': { me: A, admin: A, home: A, reports: A, billing: A, upload: F, userEmail: A, secret: A },
};

export const REPORTS = [
  { id: 'report-1', title: 'Quarterly revenue' },
  { id: 'report-2', title: 'Active users' },
];
export const BILLING = 'Invoices: 3 open, 12 paid';
export const UPLOAD_NAME = 'matrix.pdf';

export function personas(): readonly Persona[] {
  return PERSONAS;
}

/** A token for each persona, made by `mint` (the demo's /dev/token, or an external issuer). */
export async function tokensFor(
  mint: (claims: NonNullable<Persona['claims']>) => Promise<string>,
): Promise<Map<string, string | undefined>> {
  const tokens = new Map<string, string | undefined>();
  for (const persona of PERSONAS) tokens.set(persona.id, persona.claims ? await mint(persona.claims) : undefined);
  return tokens;
}

export function trpcClient(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

export interface Answer {
  outcome: Outcome | string;
  data?: unknown;
}

const TRPC_TO_OUTCOME: Record<string, Outcome> = { UNAUTHORIZED: U, FORBIDDEN: F };

/** Calls a tRPC procedure; a denial becomes its outcome, after checking its HTTP status. */
export async function trpcCall(call: () => Promise<unknown>): Promise<Answer> {
  try {
    return { outcome: A, data: await call() };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    const outcome = TRPC_TO_OUTCOME[data?.code ?? ''] ?? data?.code ?? 'UNKNOWN';
    const status = outcome === U ? 401 : outcome === F ? 403 : data?.httpStatus;
    if (data?.httpStatus !== status) return { outcome: `${outcome} with status ${data?.httpStatus}` };
    return { outcome };
  }
}

export async function graphqlCall(
  url: string,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Answer & { body: GraphQLBody }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLBody;
  const code = body.errors?.[0]?.extensions?.code;
  if (body.errors?.length) return { outcome: typeof code === 'string' ? code : 'UNKNOWN', body };
  return { outcome: A, data: body.data, body };
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

const REST_TO_OUTCOME: Record<number, Outcome> = { 401: U, 403: F };

export async function restCall(
  url: string,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Answer & { status: number; headers: Headers }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json()) as unknown;
  if (response.ok) return { outcome: A, data, status: response.status, headers: response.headers };
  const outcome = REST_TO_OUTCOME[response.status];
  const error = (data as { error?: unknown }).error;
  // The JSON error code must agree with the status.
  return {
    outcome: outcome && error === outcome ? outcome : `HTTP ${response.status} ${String(error)}`,
    data,
    status: response.status,
    headers: response.headers,
  };
}

type Check = (data: unknown, persona: Persona) => boolean;
interface Operation {
  readonly key: string;
  /** The protected operation whose expectation applies; none for public ones. */
  readonly guard?: ProtectedOperation;
  readonly call: (url: string, token: string | undefined) => Promise<Answer>;
  readonly check: Check;
}

const same =
  (expected: unknown): Check =>
  (data) =>
    isDeepStrictEqual(data, expected);
const isUpload: Check = (data) =>
  typeof data === 'object' &&
  data !== null &&
  /^upload-\d+$/.test(String((data as { id?: unknown }).id)) &&
  (data as { name?: unknown }).name === UPLOAD_NAME;
const sub = (persona: Persona) => persona.claims?.sub;

const gql = (key: string, guard: ProtectedOperation | undefined, query: string, check: Check): Operation => ({
  key: `graphql:${key}`,
  guard,
  call: (url, token) => graphqlCall(url, token, query, { name: UPLOAD_NAME }),
  check,
});
const rest = (
  key: string,
  guard: ProtectedOperation,
  method: 'GET' | 'POST',
  path: string,
  check: Check,
): Operation => ({
  key: `rest:${key}`,
  guard,
  call: (url, token) => restCall(url, token, method, path, method === 'POST' ? { name: UPLOAD_NAME } : undefined),
  check,
});
const trpc = (
  key: string,
  guard: ProtectedOperation | undefined,
  call: (client: ReturnType<typeof trpcClient>) => Promise<unknown>,
  check: Check,
): Operation => ({
  key: `trpc:${key}`,
  guard,
  call: (url, token) => trpcCall(() => call(trpcClient(url, token))),
  check,
});

/** Every route of DESIGN.md's table, through tRPC, GraphQL and REST. */
export const OPERATIONS: readonly Operation[] = [
  trpc('health', undefined, (c) => c.health.query(), same('ok')),
  trpc(
    'me',
    'me',
    (c) => c.me.query(),
    (data, p) =>
      isDeepStrictEqual(data, {
        id: sub(p),
        roles: p.claims?.roles,
        permissions: p.claims?.permissions,
        tenantId: p.claims?.tenantId,
      }),
  ),
  trpc('admin', 'admin', (c) => c.admin.query(), same({ area: 'admin' })),
  trpc('home', 'home', (c) => c.home.query(), same({ area: 'home' })),
  trpc('reports', 'reports', (c) => c.reports.query(), same(REPORTS)),
  trpc('billing', 'billing', (c) => c.billing.query(), same(BILLING)),
  trpc('uploads.create', 'upload', (c) => c.uploads.create.mutate({ name: UPLOAD_NAME }), isUpload),
  trpc(
    'uploads.count',
    undefined,
    (c) => c.uploads.count.query(),
    (data) => Number.isInteger(data),
  ),

  gql('health', undefined, '{ health }', same({ health: 'ok' })),
  gql('me', 'me', '{ me { id name } }', (data, p) =>
    isDeepStrictEqual(data, { me: { id: sub(p), name: p.claims?.name } }),
  ),
  gql('admin', 'admin', '{ admin { area } }', same({ admin: { area: 'admin' } })),
  gql('home', 'home', '{ home { area } }', same({ home: { area: 'home' } })),
  gql('reports', 'reports', '{ reports { id title } }', same({ reports: REPORTS })),
  gql('billing', 'billing', '{ billing }', same({ billing: BILLING })),
  gql('uploadFile', 'upload', 'mutation ($name: String!) { uploadFile(name: $name) { id name } }', (data) =>
    isUpload((data as { uploadFile?: unknown }).uploadFile, PERSONAS[0] as Persona),
  ),
  gql('uploadCount', undefined, '{ uploadCount }', (data) =>
    Number.isInteger((data as { uploadCount?: unknown }).uploadCount),
  ),
  gql(
    'users',
    undefined,
    '{ users { id name } }',
    same({
      users: [
        { id: 'user-1', name: 'Ada Lovelace' },
        { id: 'user-2', name: 'Alan Turing' },
      ],
    }),
  ),
  gql(
    'users.email',
    'userEmail',
    '{ users { id email } }',
    same({
      users: [
        { id: 'user-1', email: 'ada@example.com' },
        { id: 'user-2', email: 'alan@example.com' },
      ],
    }),
  ),
  gql(
    'node(user-1)',
    undefined,
    '{ node(id: "user-1") { __typename id ... on User { name } } }',
    same({ node: { __typename: 'User', id: 'user-1', name: 'Ada Lovelace' } }),
  ),
  gql(
    'node(secret-1)',
    'secret',
    '{ node(id: "secret-1") { id ... on Secret { value } } }',
    same({ node: { id: 'secret-1', value: 'The vault code is 0000' } }),
  ),
  gql(
    'search(user)',
    undefined,
    '{ search(term: "user") { __typename ... on User { id } } }',
    same({
      search: [
        { __typename: 'User', id: 'user-1' },
        { __typename: 'User', id: 'user-2' },
      ],
    }),
  ),
  gql(
    'search(secret)',
    'secret',
    '{ search(term: "secret") { ... on Secret { id value } } }',
    same({ search: [{ id: 'secret-1', value: 'The vault code is 0000' }] }),
  ),

  rest('GET /api/shift', 'me', 'GET', '/api/shift', (data, p) =>
    isDeepStrictEqual(data, { area: 'shift', user: sub(p) }),
  ),
  rest('GET /api/admin', 'admin', 'GET', '/api/admin', same({ area: 'admin' })),
  rest('GET /api/home', 'home', 'GET', '/api/home', same({ area: 'home' })),
  rest('GET /api/reports', 'reports', 'GET', '/api/reports', same(REPORTS)),
  rest('GET /api/billing', 'billing', 'GET', '/api/billing', same({ billing: BILLING })),
  rest('POST /api/uploads', 'upload', 'POST', '/api/uploads', isUpload),
];

const UPLOADS_PER_ALLOWED_CALLER = 3; // one each through tRPC, GraphQL and REST

/** What each persona should get from each operation, and how many uploads it should add. */
export function expectedMatrix(): Record<string, Record<string, string>> {
  const matrix: Record<string, Record<string, string>> = {};
  for (const persona of PERSONAS) {
    const row: Record<string, string> = {};
    const expected = EXPECTED[persona.id] as Record<ProtectedOperation, Outcome>;
    for (const op of OPERATIONS) row[op.key] = op.guard ? expected[op.guard] : A;
    row['uploads added'] = String(expected.upload === A ? UPLOADS_PER_ALLOWED_CALLER : 0);
    matrix[persona.id] = row;
  }
  return matrix;
}

/** What each persona does get, over HTTP; an allowed call with the wrong data is reported as such. */
export async function observeMatrix(
  url: string,
  tokens: ReadonlyMap<string, string | undefined>,
): Promise<Record<string, Record<string, string>>> {
  const matrix: Record<string, Record<string, string>> = {};
  const count = () => trpcClient(url).uploads.count.query();
  for (const persona of PERSONAS) {
    const token = tokens.get(persona.id);
    const row: Record<string, string> = {};
    const before = await count();
    for (const op of OPERATIONS) {
      const answer = await op.call(url, token);
      row[op.key] =
        answer.outcome === A && !op.check(answer.data, persona)
          ? `ok with unexpected data ${JSON.stringify(answer.data)}`
          : answer.outcome;
    }
    row['uploads added'] = String((await count()) - before);
    matrix[persona.id] = row;
  }
  return matrix;
}
