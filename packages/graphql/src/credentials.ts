import type { CredentialSource, HeaderRecord } from '@gatehouse/core';

/**
 * Where a GraphQL context keeps the caller's credentials: graphql-ws `connectionParams`
 * (`authorization` or `Authorization`, since browsers cannot set headers on a WebSocket), else the
 * HTTP request (`request`, `req`, or graphql-ws `extra.request`). Credentials in both places are
 * two credentials, which core refuses as a malformed request.
 */
export function credentialsOf(context: Record<string, unknown>): CredentialSource {
  const request = (context.request ?? context.req ?? (context.extra as { request?: unknown } | undefined)?.request) as
    | CredentialSource
    | undefined;
  const params = context.connectionParams;
  if (typeof params === 'object' && params !== null) {
    const values: unknown[] = [];
    for (const key of ['authorization', 'Authorization']) {
      if (Object.hasOwn(params, key)) values.push((params as Record<string, unknown>)[key]);
    }
    if (values.length > 0) {
      const fromRequest = request ? headerOf(request) : undefined;
      if (fromRequest !== undefined) values.push(fromRequest);
      return { authorization: (values.length === 1 ? values[0] : values) as HeaderRecord[string] };
    }
  }
  return request ? asCredentialSource(request) : {};
}

/**
 * A fetch `Request` (or its headers) as a header record. graphql-yoga may hand over a ponyfilled
 * Request whose Headers are not the global class; `get()` works on both, and joins duplicate
 * headers with a comma, which core reads as two credentials.
 */
export function asCredentialSource(source: CredentialSource): CredentialSource {
  const headers = (source as { headers?: unknown }).headers ?? source;
  if (typeof headers === 'object' && headers !== null && typeof (headers as Headers).get === 'function') {
    const value = (headers as Headers).get('authorization');
    return value === null ? {} : { authorization: value };
  }
  return source;
}

function headerOf(request: CredentialSource): string | undefined {
  const headers = (request as { headers?: unknown }).headers;
  if (typeof headers === 'object' && headers !== null && typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get('authorization') ?? undefined;
  }
  if (typeof headers === 'object' && headers !== null) {
    const value = (headers as Record<string, unknown>).authorization;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
