// The verified-token cache's memory bound: heap and RSS after verifying 100,000 distinct tokens
// with the default cache, against the same run with the cache off.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createVerifier } from '@gatehousejs/core';
import { AUDIENCE, hs256Signer, ISSUER } from './tokens.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const SECRET = 'bench-secret-bench-secret-bench-secret!';
const TOKENS = 100_000;
const CHECKPOINTS = [10_000, 50_000, 100_000];

function settledMemory() {
  for (let i = 0; i < 3; i++) gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** Verifies TOKENS distinct tokens (signed on the fly, so only what the cache keeps stays reachable). */
async function run(cache, padding = 0, tokens = TOKENS) {
  const sign = hs256Signer(SECRET, padding);
  const verifier = createVerifier({
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    ...(cache ? {} : { cache: false }),
  });
  const before = settledMemory();
  const growth = [];
  let tokenLength = 0;
  for (let i = 1; i <= tokens; i++) {
    const token = sign(i);
    tokenLength = token.length;
    await verifier.verify(token);
    if (CHECKPOINTS.includes(i) || i === tokens) {
      const now = settledMemory();
      growth.push({ tokens: i, heap: now.heapUsed - before.heapUsed, rss: now.rss - before.rss });
    }
  }
  return { verifier, growth, tokenLength };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export async function measureCacheMemory() {
  const off = await run(false);
  const on = await run(true);
  console.log('### Verified-token cache memory (default cache: 10,000 entries, 8 MiB of token text)\n');
  console.log(`HS256 tokens of ${on.tokenLength} characters, Frontegg-shaped claims; growth after a full GC.\n`);
  console.log('| distinct tokens verified | heap growth, cache on | heap growth, cache off | RSS growth, cache on |');
  console.log('|---:|---:|---:|---:|');
  on.growth.forEach((row, i) => {
    console.log(
      `| ${row.tokens.toLocaleString('en-US')} | ${mb(row.heap)} | ${mb(off.growth[i].heap)} | ${mb(row.rss)} |`,
    );
  });
  const last = on.growth.at(-1);
  const perEntry = (last.heap - off.growth.at(-1).heap) / 10_000;
  console.log(
    `\nRetained per cached entry: ~${Math.round(perEntry).toLocaleString('en-US')} bytes (heap, cache on − off, / 10,000).\n`,
  );

  // The worst case: tokens close to the 8 KB limit, where the 8 MiB of token text binds first.
  const large = await run(true, 5800, 20_000);
  const largeOff = await run(false, 5800, 20_000);
  const worst = large.growth.at(-1).heap - largeOff.growth.at(-1).heap;
  const fit = Math.floor((8 * 1024 * 1024) / large.tokenLength).toLocaleString('en-US');
  console.log(
    `Tokens of ${large.tokenLength} characters (a 5,800-character claim): heap growth after 20,000 of them, ` +
      `cache on − off: ${mb(worst)} (${fit} entries fit in 8 MiB of token text).\n`,
  );
  return { on, off, perEntry, worst };
}
