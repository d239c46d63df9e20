import type { Permission, Role } from '@gatehousejs/core';

export interface Persona {
  readonly id: string;
  readonly label: string;
  /** Claims of its dev token; none for the anonymous caller. */
  readonly claims?: {
    readonly sub: string;
    readonly name: string;
    readonly email: string;
    readonly roles: readonly Role[];
    readonly permissions: readonly Permission[];
    readonly tenantId: string;
  };
}

const TENANT = 'tenant-demo';

/** The callers the page and the start-up banner offer, from no token at all to a full admin. */
export const PERSONAS: readonly Persona[] = [
  { id: 'anonymous', label: 'Anonymous (no token)' },
  persona('user', 'User', 'user-1', ['user'], []),
  persona('read-only', 'Read-only', 'user-2', ['read-only'], []),
  persona('uploader', 'Uploader', 'uploader-1', ['user'], ['uploadFile']),
  persona('reports-reader', 'Reports reader', 'analyst-1', ['user'], ['reports:read']),
  persona('admin', 'Admin without billing:read', 'admin-1', ['admin'], ['reports:admin', 'users:email']),
  persona(
    'billing-admin',
    'Admin with billing:read',
    'admin-2',
    ['admin'],
    ['reports:admin', 'users:email', 'billing:read'],
  ),
];

function persona(id: string, label: string, sub: string, roles: Role[], permissions: Permission[]): Persona {
  return {
    id,
    label,
    claims: { sub, name: label, email: `${sub}@example.com`, roles, permissions, tenantId: TENANT },
  };
}
