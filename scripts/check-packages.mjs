// Lints the packed tarballs as the registry would serve them: @arethetypeswrong/cli (types resolve for
// node10, node16 from CJS and from ESM, and bundlers) and publint (strict: warnings count). Offline.
//
//   node scripts/check-packages.mjs                 packs every published package (build first), checks them
//   node scripts/check-packages.mjs a.tgz b.tgz     checks these tarballs
//
// Prints each tool's report; exits 1 if any reports a problem.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { builtPackageDirs } from './dist-outputs.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const manifestOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Packages under packages/ that are published (built, and not private). */
export function publishedPackageDirs() {
  return builtPackageDirs().filter((dir) => !manifestOf(dir).private);
}

/** `npm pack` of every published package into `destination`: each tarball's path and package.json. */
export function packAll(destination) {
  const dirs = publishedPackageDirs();
  const output = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', destination, ...dirs.flatMap((dir) => ['-w', dir])],
    {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const manifests = dirs.map(manifestOf);
  return JSON.parse(output).map((entry) => ({
    path: join(destination, entry.filename),
    manifest: manifests.find((manifest) => manifest.name === entry.name),
  }));
}

async function attw(tarball) {
  const cli = join(require.resolve('@arethetypeswrong/cli/package.json'), '../dist/index.js');
  const args = [cli, tarball, '--no-definitely-typed', '--format', 'ascii', '--no-color'];
  const run = await promisify(execFile)(process.execPath, args).then(
    (output) => ({ ...output, failed: false }),
    (error) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? error.message, failed: true }),
  );
  return { ok: !run.failed, report: `${run.stdout}${run.stderr}`.trim() };
}

async function lint(tarball) {
  const bytes = readFileSync(tarball);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: buffer }, strict: true });
  const lines = messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`);
  return { ok: messages.length === 0, report: lines.length ? lines.join('\n') : 'publint: no messages' };
}

export async function checkTarballs(tarballs) {
  const reports = await Promise.all(
    tarballs.map(async (tarball) => [tarball, await attw(tarball), await lint(tarball)]),
  );
  for (const [tarball, types, metadata] of reports) console.log(`\n== ${tarball}\n${types.report}\n${metadata.report}`);
  return reports.every(([, types, metadata]) => types.ok && metadata.ok);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let tarballs = process.argv.slice(2);
  const scratch = tarballs.length ? undefined : mkdtempSync(join(tmpdir(), 'gatehouse-check-'));
  try {
    if (scratch) tarballs = packAll(scratch).map((packed) => packed.path);
    const ok = await checkTarballs(tarballs);
    console.log(ok ? '\nattw and publint: no problems' : '\nattw or publint reported problems');
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
