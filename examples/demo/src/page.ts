import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's own files, next to src/ and dist/. */
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/calls.js': { file: 'calls.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * `@trpc/client` runs in the browser unbundled: its ESM files (and the parts of `@trpc/server` they
 * import) are served from node_modules under /vendor/, and the page's import map points at them.
 */
const require = createRequire(import.meta.url);
const VENDOR_DIRS: Record<string, string> = {
  '@trpc/client': join(dirname(require.resolve('@trpc/client/package.json')), 'dist'),
  '@trpc/server': join(dirname(require.resolve('@trpc/server/package.json')), 'dist'),
};
const VENDOR_FILE = /^\/vendor\/(@trpc\/(?:client|server))\/((?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_.-]+\.mjs)$/;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Serves the page and its modules; false for other paths. */
export async function servePage(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const page = PAGE_FILES[path];
  if (page) {
    await sendFile(req, res, join(PUBLIC_DIR, page.file), page.type, 'no-cache');
    return true;
  }
  const vendor = VENDOR_FILE.exec(path);
  if (vendor) {
    const dir = VENDOR_DIRS[vendor[1] as string] as string;
    const file = join(dir, vendor[2] as string);
    if (!file.startsWith(dir + sep) || file.includes('..')) return false;
    await sendFile(req, res, file, 'text/javascript; charset=utf-8', 'public, max-age=3600');
    return true;
  }
  return false;
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, type: string, cache: string) {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    res.statusCode = 404;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', cache);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.end(req.method === 'HEAD' ? undefined : body);
}
