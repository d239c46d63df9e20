export interface PackedPackage {
  path: string;
  manifest: {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
}
export function publishedPackageDirs(): string[];
export function packAll(destination: string): PackedPackage[];
export function checkTarballs(tarballs: string[]): Promise<boolean>;
