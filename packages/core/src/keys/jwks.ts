import { type Algorithm, SUPPORTED_ALGORITHMS } from '../algorithms.js';
import { type EventLoopHold, fetchJson, KeyFetchError } from './fetch-json.js';
import { importJwk, type VerificationKey } from './key.js';
import {
  createKeyStore,
  type KeyStore,
  type KeyStoreOptions,
  type ResolvedKeySetPolicy,
  requestLimits,
} from './key-store.js';

/** Asymmetric algorithms only: a key set is public, so it never holds a secret. */
export const REMOTE_ALGORITHMS: readonly Algorithm[] = SUPPORTED_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

/**
 * Fetches and imports a JWKS document. Unusable members (symmetric, encryption-only, malformed,
 * weak) are skipped; a set with none, or with more members than `maxKeys`, is refused whole.
 */
export async function loadJwks(
  url: URL,
  policy: ResolvedKeySetPolicy,
  hold?: EventLoopHold,
): Promise<VerificationKey[]> {
  const body = await fetchJson(url, { ...requestLimits(policy), hold });
  const members = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(members)) throw new KeyFetchError('not a JWKS document');
  if (members.length > policy.maxKeys) throw new KeyFetchError('too many keys');
  const keys: VerificationKey[] = [];
  for (const member of members) {
    const key = await importJwk(member);
    if (key) keys.push(key);
  }
  if (keys.length === 0) throw new KeyFetchError('no usable keys');
  return keys;
}

export function jwksKeySource(url: URL, policy: ResolvedKeySetPolicy, options: KeyStoreOptions = {}): KeyStore {
  return createKeyStore((hold) => loadJwks(url, policy, hold), REMOTE_ALGORITHMS, policy, options.now, options.events);
}
