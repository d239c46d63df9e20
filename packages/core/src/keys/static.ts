import type { Algorithm } from '../algorithms.js';
import { AuthError } from '../errors.js';
import type { JwsHeader } from '../jws.js';
import type { PlatformKey } from '../platform/contract.js';
import { type KeySource, selectKey, type VerificationKey } from './key.js';

/** A fixed key: a static public key or a shared secret. */
export function staticKeySource(key: VerificationKey): KeySource {
  const keys = [key];
  return {
    algorithms: [...key.algorithms],
    resolve(header: JwsHeader) {
      const found = selectKey(keys, { alg: header.alg });
      if (!found) throw new AuthError('UNAUTHENTICATED', 'KEY_NOT_FOUND');
      return found;
    },
  };
}

export function staticKey(key: PlatformKey, algorithms: readonly Algorithm[]): VerificationKey {
  return { key, kid: undefined, algorithms: new Set(algorithms), retired: false };
}
