import type { Demo } from './demo.js';
import { PERSONAS, type Persona } from './personas.js';

const ROUTES = [
  ['GET', '/', 'the page: pick a persona, call everything'],
  ['POST', '/trpc/<procedure>', 'tRPC (health, me, admin, home, reports, billing, uploads.create, uploads.count)'],
  ['POST', '/graphql', 'GraphQL'],
  ['GET', '/api/shift | /api/admin | /api/home | /api/reports | /api/billing', 'REST'],
  ['POST', '/api/uploads', 'REST, JSON { "name": "..." }'],
  ['POST', '/api/revocations', 'admin: revoke, JSON { "jti" | "sub" | "sid": "..." }'],
  ['POST', '/backchannel-logout', 'OIDC back-channel logout (form logout_token=...)'],
  ['GET', '/healthz', 'liveness: 200 while the process runs'],
  ['GET', '/readyz', 'readiness: 200 once keys are loaded, 503 while they cannot be'],
  ['GET', '/metrics', 'OpenTelemetry metrics in Prometheus text format'],
  ['GET', '/graphql?persona=<id>', "GraphiQL with that persona's token (embedded mode)"],
] as const;

export interface BannerOptions {
  /** The address printed; default `http://localhost:<port>`. */
  publicUrl?: string;
  /** Every persona's token, every route and more curl commands (`--tokens` / `SHOW_TOKENS=1`). */
  full?: boolean;
}

/** The persona whose token the short banner shows, and whose GraphiQL link it prints. */
const SHOWN_PERSONA = 'billing-admin';

/**
 * What the demo prints at start. Short by default: where it is, the page, GraphiQL, one token and
 * one command. `full` adds every route, every persona's token and more commands.
 */
export async function startupBanner(demo: Demo, options: BannerOptions = {}): Promise<string> {
  const publicUrl = options.publicUrl ?? `http://localhost:${demo.port}`;
  const lines = [
    `Gatehouse demo on ${publicUrl} (keys: ${describeMode(demo)})`,
    listening(demo),
    `  page      ${publicUrl}/`,
    `  GraphiQL  ${publicUrl}/graphql${demo.devIssuer ? `?persona=${SHOWN_PERSONA}` : ''}`,
    `  probes    ${publicUrl}/healthz  ${publicUrl}/readyz  ${publicUrl}/metrics`,
  ];
  if (options.full) {
    lines.push('');
    for (const [method, path, what] of ROUTES) lines.push(`  ${method.padEnd(5)}${publicUrl}${path}  ${what}`);
  }
  lines.push('');
  if (!demo.devIssuer) {
    lines.push('Send an access token from your issuer as "Authorization: Bearer <token>".');
    return lines.join('\n');
  }
  if (!options.full) {
    const persona = PERSONAS.find((p) => p.id === SHOWN_PERSONA) as Persona;
    const token = await demo.devIssuer.mintFor(persona);
    lines.push(
      `Token of "${persona.label}" (valid 1 hour):`,
      `  ${token}`,
      `  curl -s ${publicUrl}/trpc/billing -H 'authorization: Bearer ${token}'`,
      '',
      "Every persona's token and more commands: start with --tokens (or SHOW_TOKENS=1).",
    );
    return lines.join('\n');
  }
  lines.push(
    `Dev issuer: JWKS at ${publicUrl}/.well-known/jwks.json, tokens from POST ${publicUrl}/dev/token`,
    '(development only: it signs a token for anyone who asks)',
    '',
    'Tokens (valid 1 hour):',
  );
  const tokens = new Map<string, string>();
  for (const persona of PERSONAS) {
    const token = await demo.devIssuer.mintFor(persona);
    if (!token) continue;
    tokens.set(persona.id, token);
    lines.push(`  ${persona.label}:`, `    ${token}`);
  }
  const admin = tokens.get('billing-admin');
  const uploader = tokens.get('uploader');
  lines.push(
    '',
    'Try:',
    `  curl -s ${publicUrl}/dev/token -H 'content-type: application/json' -d '{"sub":"me","roles":["admin"],"permissions":["billing:read"]}'`,
    `  curl -s ${publicUrl}/api/admin -H 'authorization: Bearer ${admin}'`,
    `  curl -s ${publicUrl}/trpc/billing -H 'authorization: Bearer ${admin}'`,
    `  curl -s ${publicUrl}/trpc/uploads.create -H 'authorization: Bearer ${uploader}' -H 'content-type: application/json' -d '{"name":"report.pdf"}'`,
    `  curl -s ${publicUrl}/graphql -H 'authorization: Bearer ${admin}' -H 'content-type: application/json' -d '{"query":"{ me { id name } billing secret: node(id: \\"secret-1\\") { ... on Secret { value } } }"}'`,
    `  curl -si ${publicUrl}/api/admin    # no token: 401`,
  );
  return lines.join('\n');
}

function listening(demo: Demo): string {
  const address = `${demo.host.includes(':') ? `[${demo.host}]` : demo.host}:${demo.port}`;
  if (demo.host === '0.0.0.0' || demo.host === '::') {
    const warning = demo.devIssuer ? ': anyone who can reach it can mint tokens at /dev/token' : '';
    return `Listening on ${address}, every interface (HOST)${warning}`;
  }
  return `Listening on ${address} (set HOST to listen elsewhere, e.g. HOST=0.0.0.0)`;
}

function describeMode(demo: Demo): string {
  switch (demo.mode) {
    case 'embedded':
      return 'embedded dev issuer';
    case 'jwks':
      return 'GATEHOUSE_JWKS_URI';
    case 'frontegg':
      return 'Frontegg';
    case 'oidc-discovery':
      return 'OIDC discovery from GATEHOUSE_ISSUER';
  }
}
