import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

/** A README code block marked `<!-- quick-start: <folder>/<file> -->`: complete programs, run by the tests. */
export interface QuickStart {
  /** `<readme>/<folder>`: `root/core`, `trpc/standalone`... */
  id: string;
  readme: string;
  files: Record<string, string>;
}

const MARKED_BLOCK = /<!-- quick-start: ([\w-]+)\/([\w.-]+) -->\s*```ts\n([\s\S]*?)\n```/g;

/** The root README (`root`) and each package's README (named after its folder). */
export function readmes(root: string): { name: string; path: string }[] {
  const packages = readdirSync(join(root, 'packages')).map((name) => ({
    name,
    path: join(root, 'packages', name, 'README.md'),
  }));
  return [{ name: 'root', path: join(root, 'README.md') }, ...packages];
}

export function quickStarts(root: string): QuickStart[] {
  const found = new Map<string, QuickStart>();
  for (const readme of readmes(root)) {
    for (const [, folder, file, code] of readFileSync(readme.path, 'utf8').matchAll(MARKED_BLOCK)) {
      const id = `${readme.name}/${folder}`;
      const quickStart = found.get(id) ?? { id, readme: readme.path, files: {} };
      quickStart.files[file!] = `${code}\n`;
      found.set(id, quickStart);
    }
  }
  return [...found.values()];
}

/** Package names in the README's `npm install` lines (code blocks and inline code alike). */
export function installedPackages(readme: string): Set<string> {
  const names = new Set<string>();
  for (const [, args] of readFileSync(readme, 'utf8').matchAll(/npm install ([^`\n#]+)/g)) {
    for (const arg of args!.trim().split(/\s+/)) if (!arg.startsWith('-')) names.add(arg);
  }
  return names;
}

/** Packages a module imports from outside itself and Node. */
export function importedPackages(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:from|import)\s+'([^']+)'/g)].map(([, specifier]) => specifier!);
  const packages = specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    )
    .filter((name) => !builtinModules.includes(name));
  return [...new Set(packages)];
}
