// Runs every benchmark under bench/ (or the ones named: `npm run bench -- verify trpc`), one after another.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = new URL('.', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const suites = readdirSync(here)
  .filter((name) => statSync(join(here, name)).isDirectory())
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
for (const name of suites) {
  console.log(`\n# bench/${name}\n`);
  await import(pathToFileURL(join(here, name, 'index.mjs')).href);
}
