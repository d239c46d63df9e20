/** Outputs under dist/ whose source is gone, or that no build writes: paths relative to dist/. */
export function staleOutputs(packageDir: string): string[];
/** Sources with no compiled module in one of the formats: paths relative to dist/. */
export function missingOutputs(packageDir: string): string[];
/** The packages under packages/ that are built. */
export function builtPackageDirs(): string[];
