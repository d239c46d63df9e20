/** A mistake on the command line or in what it points at: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** The command ran but could not do its job (server unreachable, module without a router): exit code 1. */
export class CommandError extends Error {}
