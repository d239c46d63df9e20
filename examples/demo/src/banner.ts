import type { Demo } from './demo.js';
import { PERSONAS } from './personas.js';

const ROUTES = [
  ['GET', '/', 'the page: pick a persona, call everything'],
  ['POST', '/trpc/<procedure>', 'tRPC (health, me, admin, home, reports, billing, uploads.create, uploads.count)'],
  ['POST', '/graphql', 'GraphQL'],
  ['GET', '/api/shift | /api/admin | /api/home | /api/reports | /api/billing', 'REST'],
  ['POST', '/api/uploads', 'REST, JSON { "name": "..." }'],
  ['POST', '/api/revocations', 'admin: revoke, JSON { "jti" | "sub" | "sid": "..." }'],
  ['POST', '/backchannel-logout', 'OIDC back-channel logout (form logout_token=...)'],
  ['GET', '/healthz', 'health check'],
] as const;

/** What the demo prints at start: where it is, how tokens are verified, and ready-to-use tokens and commands. */
export async function startupBanner(demo: Demo, publicUrl = `http://localhost:${demo.port}`): Promise<string> {
  const lines = [`Gatehouse demo on ${publicUrl} (keys: ${describeMode(demo)})`, listening(demo), ''];
  for (const [method, path, what] of ROUTES) lines.push(`  ${method.padEnd(5)}${publicUrl}${path}  ${what}`);
  lines.push('');
  if (!demo.devIssuer) {
    lines.push('Send an access token from your issuer as "Authorization: Bearer <token>".');
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
    if (!persona.claims) continue;
    const token = await demo.devIssuer.mint({
      ...persona.claims,
      roles: [...persona.claims.roles],
      permissions: [...persona.claims.permissions],
    });
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
