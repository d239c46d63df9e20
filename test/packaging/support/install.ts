import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { PackedPackage } from '../../../scripts/check-packages.mjs';

const run = promisify(execFile);

/**
 * Installs packed tarballs and registry packages into a fresh app the way `npm ci` would from a lockfile,
 * with every registry package pinned to the version (and integrity) the workspace lockfile holds. The
 * `npm ci` of the workspace put those exact tarballs in the npm cache, so the install needs no network;
 * if the cache lacks one, npm fetches it from the registry (`--prefer-offline`).
 */

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export type Tarball = PackedPackage;

export interface AppInstall {
  /** Folder that gets package.json, package-lock.json and node_modules. */
  dir: string;
  tarballs: Tarball[];
  /** Registry packages the app names, at the workspace's versions: a bare name, or `name@lockfile-path`. */
  registry: string[];
}

const FLAGS = ['dev', 'optional', 'peer', 'devOptional', 'inBundle', 'extraneous'];

export async function installApp(workspaceRoot: string, app: AppInstall): Promise<void> {
  const workspace = JSON.parse(readFileSync(join(workspaceRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, LockEntry> = {};
  const dependencies: Record<string, string> = {};

  const add = (at: string, entry: LockEntry) => {
    const copy: LockEntry = { ...entry };
    for (const flag of FLAGS) delete copy[flag];
    packages[at] = copy;
  };
  const closure = (from: string, entry: LockEntry, resolveFrom: string) => {
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional),
    ];
    for (const name of wanted) {
      if (name.startsWith('@gatehousejs/')) continue; // from the tarballs
      const found = locate(workspace.packages, resolveFrom, name);
      if (!found) {
        if (entry.optionalDependencies?.[name]) continue; // another platform's binary
        throw new Error(`${name} (needed by ${from}) is not in the workspace lockfile`);
      }
      if (packages[found]) continue;
      add(found, workspace.packages[found]!);
      closure(found, workspace.packages[found]!, found);
    }
  };

  for (const tarball of app.tarballs) {
    const { manifest } = tarball;
    const file = `file:${relative(app.dir, tarball.path)}`;
    dependencies[manifest.name] = file;
    add(`node_modules/${manifest.name}`, {
      version: manifest.version,
      resolved: file,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball.path)).digest('base64')}`,
      license: 'MIT',
      ...(manifest.dependencies && { dependencies: manifest.dependencies }),
      ...(manifest.peerDependencies && { peerDependencies: manifest.peerDependencies }),
      ...(manifest.peerDependenciesMeta && { peerDependenciesMeta: manifest.peerDependenciesMeta }),
    });
  }
  for (const spec of app.registry) {
    const [name, at = `node_modules/${spec}`] = spec.split(/(?<=.)@/);
    const entry = workspace.packages[at];
    if (!name || !entry?.version) throw new Error(`${spec} is not in the workspace lockfile`);
    dependencies[name] = entry.version;
    add(`node_modules/${name}`, entry);
    closure(name, entry, at);
  }
  for (const tarball of app.tarballs) {
    closure(tarball.manifest.name, packages[`node_modules/${tarball.manifest.name}`]!, '');
  }

  const manifest = { name: 'packed-app', private: true, dependencies };
  writeFileSync(join(app.dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = { name: manifest.name, lockfileVersion: 3, requires: true, packages: { '': manifest, ...packages } };
  writeFileSync(join(app.dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: app.dir,
  });
}

/** Where Node would find `name` from the package at lockfile path `from` ('' is the root). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate] && !packages[candidate].link) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}
