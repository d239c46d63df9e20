/** A yoga SSE subscription read over a real HTTP response. */
export interface SseStream {
  status: number;
  headers: Headers;
  /** The next `next` payload, or `complete` when the stream ended. */
  next(): Promise<
    { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | 'complete'
  >;
  close(): Promise<void>;
}

export async function openSse(url: string, query: string, token?: string): Promise<SseStream> {
  const controller = new AbortController();
  const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream' });
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  return {
    status: response.status,
    headers: response.headers,
    async next() {
      for (;;) {
        const boundary = buffer.indexOf('\n\n');
        if (boundary !== -1) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event = /^event: (\w+)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (event === 'complete') return 'complete';
          if (event === 'next' && data) return JSON.parse(data);
          continue;
        }
        if (ended) return 'complete';
        const chunk = await reader.read();
        if (chunk.done) ended = true;
        else buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    async close() {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}
