import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';

/** A real tRPC client over `httpLink` (or `httpBatchLink`) sending `token` as a Bearer credential. */
export function client<TRouter extends AnyTRPCRouter>(url: string, token?: string, batch = false) {
  const headers = () => (token === undefined ? {} : { authorization: `Bearer ${token}` });
  const link = batch ? httpBatchLink({ url, headers }) : httpLink({ url, headers });
  return createTRPCClient<TRouter>({ links: [link] });
}

export interface CallOutcome {
  ok: boolean;
  code?: string;
  httpStatus?: number;
  message?: string;
  data?: unknown;
}

/** Runs a call and reports what the client saw. */
export async function outcome(call: () => Promise<unknown>): Promise<CallOutcome> {
  try {
    return { ok: true, data: await call() };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    return { ok: false, code: data?.code, httpStatus: data?.httpStatus, message: error.message };
  }
}
