import { z } from 'zod';

/** What an upload needs, for tRPC, GraphQL and REST alike. */
export const uploadInput = z.strictObject({ name: z.string().min(1).max(100) });

const target = z.string().min(1).max(1024);

/** The body of `POST /api/revocations`: exactly one of `sub`, `jti`, `sid`, a non-empty string. */
export const revocationInput = z.union([
  z.strictObject({ jti: target }),
  z.strictObject({ sub: target }),
  z.strictObject({ sid: target }),
]);
