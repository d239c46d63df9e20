import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { signJwt } from '@gatehousejs/core/testing';
import { parsingArgs } from './args.js';
import { parseDuration } from './duration.js';
import { CommandError, UsageError } from './errors.js';

const TOKEN_HELP = `Usage: gatehouse token [options]

Mints an access token: from the running demo's dev issuer (POST <url>/dev/token), or, with --key,
signed here with a private key of yours. Prints the token alone, so that
  TOKEN=$(gatehouse token --role admin)
works.

Options:
  --role <name>         a role; repeat for several
  --permission <name>   a permission; repeat for several
  --sub <id>            the subject (user id), default "cli-user"
  --tenant <id>         the tenant id
  --ttl <duration>      lifetime: 90s, 15m, 1h, 1d (default 1h, at most 1d)
  --url <url>           the running demo (default $GATEHOUSE_DEMO_URL or http://localhost:4000)
  --key <file>          sign locally with this private key (PEM: RSA, EC or Ed25519) instead
  --issuer <iss>        with --key: the "iss" claim
  --audience <aud>      with --key: the "aud" claim
  --kid <kid>           with --key: the "kid" header
  -h, --help            show this help
`;

const MAX_TTL = 24 * 3600;

interface TokenRequest {
  sub: string;
  roles: string[];
  permissions: string[];
  tenantId?: string;
  expiresIn: number;
}

export async function tokenCommand(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { values, positionals } = parsingArgs(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        role: { type: 'string', multiple: true },
        permission: { type: 'string', multiple: true },
        sub: { type: 'string' },
        tenant: { type: 'string' },
        ttl: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        kid: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return TOKEN_HELP;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const names = (list: string[] | undefined, option: string) => {
    for (const name of list ?? []) if (name.trim() === '') throw new UsageError(`${option} needs a non-empty name`);
    return list ?? [];
  };
  const expiresIn = values.ttl === undefined ? 3600 : parseDuration(values.ttl, '--ttl');
  if (expiresIn > MAX_TTL) throw new UsageError('--ttl must be at most 1d');
  if (values.sub !== undefined && values.sub.trim() === '') throw new UsageError('--sub needs a non-empty id');
  const request: TokenRequest = {
    sub: values.sub ?? 'cli-user',
    roles: names(values.role, '--role'),
    permissions: names(values.permission, '--permission'),
    expiresIn,
  };
  if (values.tenant !== undefined) request.tenantId = values.tenant;

  if (values.key !== undefined) {
    if (values.url !== undefined) throw new UsageError('give --key or --url, not both');
    return signLocally(request, values.key, { issuer: values.issuer, audience: values.audience, kid: values.kid });
  }
  for (const option of ['issuer', 'audience', 'kid'] as const) {
    if (values[option] !== undefined) throw new UsageError(`--${option} goes with --key (the demo sets its own)`);
  }
  return fromDemo(request, values.url ?? env.GATEHOUSE_DEMO_URL ?? 'http://localhost:4000');
}

async function fromDemo(request: TokenRequest, base: string): Promise<string> {
  let url: URL;
  try {
    url = new URL('/dev/token', base);
  } catch {
    throw new UsageError(`--url must be a URL such as http://localhost:4000, got "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--url must be an http(s) URL');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new CommandError(`cannot reach the demo at ${url.origin}: start it with "npm run demo", or use --key`);
  }
  if (response.status === 404) {
    throw new CommandError(`${url.origin} has no dev issuer (it verifies tokens from a real issuer): use --key`);
  }
  const body = (await response.json().catch(() => null)) as { accessToken?: unknown; message?: unknown } | null;
  if (!response.ok || typeof body?.accessToken !== 'string') {
    const reason = typeof body?.message === 'string' ? `: ${body.message}` : '';
    throw new CommandError(`the demo refused the token request (${response.status})${reason}`);
  }
  return body.accessToken;
}

async function signLocally(
  request: TokenRequest,
  file: string,
  options: { issuer?: string; audience?: string; kid?: string },
): Promise<string> {
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(file));
  } catch {
    throw new UsageError(`--key: ${file} is not a readable private key in PEM`);
  }
  const alg = algorithmFor(key);
  const now = Math.floor(Date.now() / 1000);
  const { expiresIn, ...claims } = request;
  const payload: Record<string, unknown> = { ...claims, type: 'userToken', iat: now, exp: now + expiresIn };
  if (options.issuer !== undefined) payload.iss = options.issuer;
  if (options.audience !== undefined) payload.aud = options.audience;
  const header: Record<string, unknown> = { alg, typ: 'JWT' };
  if (options.kid !== undefined) header.kid = options.kid;
  return signJwt({ header, payload, key });
}

function algorithmFor(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new UsageError('--key must be an RSA, EC (P-256, P-384, P-521) or Ed25519 private key');
}
