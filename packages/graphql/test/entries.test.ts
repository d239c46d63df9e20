import { readFileSync } from 'node:fs';
import * as root from '@gatehousejs/graphql';
import * as yoga from '@gatehousejs/graphql/yoga';
import { expect, test } from 'vitest';

test('the root entry is the public API only; the yoga plugin has its own entry', () => {
  expect(Object.keys(root).sort()).toEqual([
    'authDirective',
    'createAuthExecutor',
    'listFieldRequirements',
    'toGraphQLError',
  ]);
  expect(Object.keys(yoga)).toEqual(['useGatehouse']);
});

test('nothing the root entry loads imports graphql-yoga, types included', () => {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s+'([^']+)'/g)) {
      if (specifier?.startsWith('./')) walk(specifier.slice(2).replace(/\.js$/, '.ts'));
      else if (specifier) specifiers.add(specifier);
    }
  };
  walk('index.ts');
  expect(seen.has('execute.ts')).toBe(true);
  expect(seen.has('yoga.ts')).toBe(false);
  expect([...specifiers].filter((s) => s.includes('yoga'))).toEqual([]);
});
