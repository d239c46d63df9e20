/** Why a key server's answer could not be used. Internal: never reaches a client. */
export class KeyFetchError extends Error {
  override readonly name = 'KeyFetchError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface FetchJsonOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetch?: typeof fetch;
}

/** One bounded request: a timeout over the whole exchange, no redirects, a capped body, JSON only. */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'error',
      signal,
    });
  } catch (error) {
    throw new KeyFetchError(signal.aborted ? 'timed out' : `request failed: ${describe(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new KeyFetchError(`answered ${response.status}`, response.status);
  }
  const text = await readCapped(response, options.maxBytes, signal);
  try {
    return JSON.parse(text);
  } catch {
    throw new KeyFetchError('answered with invalid JSON');
  }
}

async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
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
      if (size > maxBytes) throw new KeyFetchError('answer too large');
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof KeyFetchError) throw error;
    throw new KeyFetchError(signal.aborted ? 'timed out' : 'answer broken off');
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
