import { z } from 'zod';

/** What an upload needs, for tRPC, GraphQL and REST alike. */
export const uploadInput = z.strictObject({ name: z.string().min(1).max(100) });
