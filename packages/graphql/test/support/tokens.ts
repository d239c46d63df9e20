import type { Issued } from './server.js';

/** Callers of the requirement matrix, by name. */
export const CALLERS = {
  user: { roles: [], permissions: [] },
  admin: { roles: ['admin'] },
  readOnly: { roles: ['read-only'] },
  reporter: { permissions: ['reports:read'] },
  reportAdmin: { permissions: ['reports:admin'] },
  billingAdmin: { roles: ['admin'], permissions: ['billing:read'] },
  billingOnly: { permissions: ['billing:read'] },
  uploader: { permissions: ['uploadFile'] },
  emailReader: { permissions: ['users:email'] },
  // Case and near-miss spellings must not match.
  upperAdmin: { roles: ['Admin'] },
  adminPrefix: { roles: ['admin-ish', 'adm'] },
} as const;

export type CallerName = keyof typeof CALLERS;

export async function signCallers(issued: Issued): Promise<Record<CallerName, string>> {
  const entries = await Promise.all(
    Object.entries(CALLERS).map(
      async ([name, claims]) => [name, await issued.token({ sub: name, ...claims })] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<CallerName, string>;
}
