import { describeFetchError, type FetchJsonOptions, KeyFetchError } from './contract.js';

/**
 * One bounded request with the global `fetch`, with the limits of the Node path: a timeout over
 * the whole exchange (connect, headers and body), no redirects, a body capped while it streams
 * (and refused early when `content-length` says it is too large), JSON only.
 */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  try {
    let response: Response;
    try {
      response = await fetch(url.href, {
        method: options.method ?? 'GET',
        headers,
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (error) {
      throw timedOut
        ? new KeyFetchError('timed out')
        : new KeyFetchError(`request failed: ${describeFetchError(error)}`);
    }
    // A redirect (status 3xx, or an opaque one where the runtime hides it) is an answer we do not follow.
    if (response.type === 'opaqueredirect' || response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      throw new KeyFetchError(`answered ${response.status}`, response.status);
    }
    const text = await readCapped(response, options.maxBytes, () => timedOut);
    try {
      return JSON.parse(text);
    } catch {
      throw new KeyFetchError('answered with invalid JSON');
    }
  } finally {
    clearTimeout(timer);
    // Ends whatever is still open (a body we stopped reading): nothing outlives the request.
    controller.abort();
  }
}

async function readCapped(response: Response, maxBytes: number, timedOut: () => boolean): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new KeyFetchError('answer too large');
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new KeyFetchError('answer too large');
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof KeyFetchError) throw error;
    throw new KeyFetchError(timedOut() ? 'timed out' : 'answer broken off');
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
