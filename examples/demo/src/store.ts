/** The demo's data: fixed users, secrets and reports, and the uploads made since start. */

export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
}

export interface SecretRecord {
  readonly id: string;
  readonly value: string;
}

export interface Report {
  readonly id: string;
  readonly title: string;
}

export interface Upload {
  readonly id: string;
  readonly name: string;
}

export interface Area {
  readonly area: string;
}

export const USERS: readonly UserRecord[] = Object.freeze([
  { id: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 'user-2', name: 'Alan Turing', email: 'alan@example.com' },
]);

const SECRETS: readonly SecretRecord[] = Object.freeze([{ id: 'secret-1', value: 'The vault code is 0000' }]);

export const REPORTS: readonly Report[] = Object.freeze([
  { id: 'report-1', title: 'Quarterly revenue' },
  { id: 'report-2', title: 'Active users' },
]);

export const BILLING_SUMMARY = 'Invoices: 3 open, 12 paid';

export function area(name: string): Area {
  return { area: name };
}

export interface Store {
  createUpload(name: string): Upload;
  uploadCount(): number;
}

/** Uploads live in memory for the life of the process, shared by tRPC, GraphQL and REST. */
export function createStore(): Store {
  const uploads: Upload[] = [];
  return {
    createUpload(name) {
      const upload = Object.freeze({ id: `upload-${uploads.length + 1}`, name });
      uploads.push(upload);
      return upload;
    },
    uploadCount: () => uploads.length,
  };
}

export type NodeRecord = ({ kind: 'User' } & UserRecord) | ({ kind: 'Secret' } & SecretRecord);

/** `node(id)`: a user or a secret. */
export function findNode(id: string): NodeRecord | null {
  const user = USERS.find((u) => u.id === id);
  if (user) return { kind: 'User', ...user };
  const secret = SECRETS.find((s) => s.id === id);
  if (secret) return { kind: 'Secret', ...secret };
  return null;
}

/** `search(term)`: users by id or name, secrets by id, case-insensitive. An empty term matches everything. */
export function search(term: string): NodeRecord[] {
  const needle = term.trim().toLowerCase();
  const hit = (...values: string[]) => values.some((v) => v.toLowerCase().includes(needle));
  return [
    ...USERS.filter((u) => hit(u.id, u.name)).map((u) => ({ kind: 'User' as const, ...u })),
    ...SECRETS.filter((s) => hit(s.id)).map((s) => ({ kind: 'Secret' as const, ...s })),
  ];
}
