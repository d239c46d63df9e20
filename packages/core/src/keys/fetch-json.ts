import { platform } from '#platform';
import type { FetchJsonOptions, LoopHold } from '../platform/contract.js';

export { type FetchJsonOptions, KeyFetchError } from '../platform/contract.js';

/** Whether the requests of one key fetch keep the process alive (see {@link LoopHold}). */
export type EventLoopHold = LoopHold;

export function createLoopHold(held: boolean): EventLoopHold {
  return platform.createLoopHold(held);
}

/** One bounded request to a key server, the same limits on every platform (see `Platform.fetchJson`). */
export function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  return platform.fetchJson(url, options);
}
