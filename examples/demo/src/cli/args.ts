import { UsageError } from './errors.js';

/** Runs `node:util`'s `parseArgs` (strict), turning its errors into short usage errors. */
export function parsingArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'bad arguments';
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/, ''));
  }
}
