/**
 * Role and permission names can be declared once for the whole program, so that a misspelt name
 * in a requirement fails to compile:
 *
 * ```ts
 * declare module '@gatehousejs/core' {
 *   interface Register {
 *     roles: 'admin' | 'read-only';
 *     permissions: 'reports:read' | 'uploadFile';
 *   }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by applications
export interface Register {}

/** A role name: the names declared in {@link Register}, or any string when none are declared. */
export type Role = Register extends { roles: infer R extends string } ? R : string;
/** A permission name: the names declared in {@link Register}, or any string when none are declared. */
export type Permission = Register extends { permissions: infer P extends string } ? P : string;

/** Who may pass: at least one of `roles` (if given) and at least one of `permissions` (if given). */
export interface Requirement<R extends string = Role, P extends string = Permission> {
  readonly roles?: readonly R[];
  readonly permissions?: readonly P[];
}

/** A requirement whose names are not checked against {@link Register}: one read from a schema or a config file. */
export type AnyRequirement = Requirement<string, string>;

/** The verified caller. Frozen; roles and permissions are the token's exact strings. */
export interface AuthUser {
  readonly id: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly tenantId?: string;
  readonly type?: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The verified JWT payload handed to claim sources. */
export type JwtClaims = Readonly<Record<string, unknown>>;

/**
 * Where a user attribute is read from: a dot path into the claims (`'realm_access.roles'`),
 * or a function of the claims. Only own properties are followed.
 */
export type ClaimSource = string | ((claims: JwtClaims) => unknown);

/** Something a token can be read from. */
export type CredentialSource =
  | Request
  | Headers
  | import('node:http').IncomingMessage
  | { readonly headers: Headers | HeaderRecord }
  | HeaderRecord;

export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Who may reach an entry of an access listing:
 * - `public`: anyone (a token that is sent must still be valid);
 * - `authenticated`: any authenticated caller;
 * - `restricted`: callers meeting every one of `requirements`;
 * - `unchecked`: nothing decides (for example a tRPC procedure built without Gatehouse).
 */
export type AccessKind = 'public' | 'authenticated' | 'restricted' | 'unchecked';

/** One entry of an access listing: tRPC's `listProcedures`, GraphQL's `listFieldRequirements`. */
export interface AccessEntry {
  /** What is protected: a tRPC procedure path (`uploads.create`), a GraphQL field coordinate (`Query.me`). */
  readonly path: string;
  readonly access: AccessKind;
  /** Requirements that must all hold (each: any of its roles, and any of its permissions); empty unless `restricted`. */
  readonly requirements: readonly AnyRequirement[];
  /** `public`, `authenticated`, `roles: admin | read-only AND permissions: billing:read`, `unchecked`. */
  readonly description: string;
}
