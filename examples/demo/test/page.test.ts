import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Demo, startDemo } from '../src/demo.js';
import { EXPECTED, type ProtectedOperation } from './support/matrix.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/', import.meta.url));

/** Each row of the page's table, and the requirement it is under (none: public). */
const PAGE_CALLS: Record<string, ProtectedOperation | undefined> = {
  'tRPC:health': undefined,
  'tRPC:me': 'me',
  'tRPC:admin': 'admin',
  'tRPC:home': 'home',
  'tRPC:reports': 'reports',
  'tRPC:billing': 'billing',
  'tRPC:uploads.create': 'upload',
  'tRPC:uploads.count': undefined,
  'GraphQL:health': undefined,
  'GraphQL:me': 'me',
  'GraphQL:admin': 'admin',
  'GraphQL:home': 'home',
  'GraphQL:reports': 'reports',
  'GraphQL:billing': 'billing',
  'GraphQL:uploadFile': 'upload',
  'GraphQL:uploadCount': undefined,
  'GraphQL:users': undefined,
  'GraphQL:users.email': 'userEmail',
  'GraphQL:node(user-1)': undefined,
  'GraphQL:node(secret-1)': 'secret',
  'GraphQL:search(user)': undefined,
  'GraphQL:search(secret)': 'secret',
  'REST:GET /api/shift': 'me',
  'REST:GET /api/admin': 'admin',
  'REST:GET /api/home': 'home',
  'REST:GET /api/reports': 'reports',
  'REST:GET /api/billing': 'billing',
  'REST:POST /api/uploads': 'upload',
};

const CODES = { tRPC: { UNAUTHENTICATED: 'UNAUTHORIZED 401', FORBIDDEN: 'FORBIDDEN 403' }, REST: {}, GraphQL: {} };

function expectedRows(persona: string): Record<string, string> {
  const outcomes = EXPECTED[persona] as Record<ProtectedOperation, string>;
  const rows: Record<string, string> = {};
  for (const [call, guard] of Object.entries(PAGE_CALLS)) {
    const outcome = guard ? outcomes[guard] : 'ok';
    const api = call.split(':')[0] as keyof typeof CODES;
    if (outcome === 'ok') rows[call] = 'allowed';
    else if (api === 'tRPC') rows[call] = `denied ${CODES.tRPC[outcome as 'FORBIDDEN']}`;
    else if (api === 'REST') rows[call] = `denied ${outcome} ${outcome === 'FORBIDDEN' ? 403 : 401}`;
    else rows[call] = `denied ${outcome}`;
  }
  return rows;
}

let demo: Demo;
let context: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the page test`,
    );
  }
  demo = await startDemo({ port: 0, env: {} });
  profile = await mkdtemp(join(tmpdir(), 'gatehouse-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${demo.url}/`)) foreignRequests.push(request.url());
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await demo?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function pick(persona: string): Promise<Record<string, string>> {
  await page.click(`#personas button[data-persona="${persona}"]`);
  await page.waitForSelector(`#status[data-state="done"][data-persona="${persona}"]`, { timeout: 20_000 });
  return page.$$eval('#results tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => {
        const result = row.querySelector('[data-result]')?.getAttribute('data-result');
        const code = row.querySelector('[data-code]')?.getAttribute('data-code');
        return [row.getAttribute('data-call'), result === 'allowed' ? 'allowed' : `${result} ${code}`];
      }),
    ),
  );
}

test('the page calls every procedure, field and route as each persona and shows who got through', async () => {
  await page.goto(demo.url);
  await page.waitForSelector('#status[data-state="ready"]');
  const offered = await page.$$eval('#personas button', (buttons) =>
    buttons.map((b) => b.getAttribute('data-persona')),
  );
  expect(offered).toEqual(Object.keys(EXPECTED));

  for (const persona of ['anonymous', 'uploader', 'read-only', 'admin', 'billing-admin']) {
    expect(await pick(persona), persona).toEqual(expectedRows(persona));
  }
  expect(pageErrors).toEqual([]);
  expect(foreignRequests).toEqual([]);
}, 90_000);

test('switching callers mid-run shows only the last caller’s results', async () => {
  await page.click('#personas button[data-persona="billing-admin"]');
  expect(await pick('anonymous')).toEqual(expectedRows('anonymous'));
  expect(await page.textContent('#token')).toContain('No token');
}, 60_000);

test('it shows the decoded token and me, and saves a screenshot', async () => {
  await pick('reports-reader');
  const token = JSON.parse((await page.textContent('#token')) ?? '{}') as { header: object; payload: object };
  expect(token.header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
  expect(token.payload).toMatchObject({ sub: 'analyst-1', permissions: ['reports:read'], aud: 'gatehouse-demo' });
  expect(JSON.parse((await page.textContent('#me')) ?? '{}')).toEqual({
    id: 'analyst-1',
    roles: ['user'],
    permissions: ['reports:read'],
    tenantId: 'tenant-demo',
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, 'demo-page.png');
  await page.screenshot({ path, fullPage: true });
  expect(existsSync(path)).toBe(true);

  await pick('anonymous');
  expect(await page.textContent('#token')).toContain('No token');
  expect(await page.textContent('#me')).toContain('UNAUTHORIZED');
}, 60_000);

test('GraphiQL renders with no network but the demo, as the chosen persona, and runs a query', async () => {
  const graphiql = await context.newPage();
  const offsite: string[] = [];
  const errors: string[] = [];
  graphiql.on('pageerror', (error) => errors.push(error.message));
  // Offline: anything not served by the demo fails, as it would without a network.
  await graphiql.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith(`${demo.url}/`) || target.startsWith('blob:') || target.startsWith('data:')) {
      return route.continue();
    }
    offsite.push(target);
    return route.abort();
  });
  try {
    // The page's link opens GraphiQL as the caller picked there.
    await pick('reports-reader');
    const link = await page.getAttribute('#graphiql-link', 'href');
    expect(link).toBe('/graphql?persona=reports-reader');
    await graphiql.goto(`${demo.url}${link}`);
    await graphiql.waitForSelector('.graphiql-container', { timeout: 30_000 });
    await graphiql.click('.graphiql-execute-button');
    await graphiql.waitForFunction(
      () => document.querySelector('.graphiql-response')?.textContent?.includes('analyst-1'),
      undefined,
      { timeout: 30_000 },
    );
    const response = (await graphiql.textContent('.graphiql-response')) ?? '';
    expect(response).toContain('"health"'); // `me` answered: the persona's token was in the headers
    expect(offsite).toEqual([]);
    expect(errors).toEqual([]);
    await mkdir(SCREENSHOTS, { recursive: true });
    await graphiql.screenshot({ path: join(SCREENSHOTS, 'demo-graphiql.png') });
  } finally {
    await graphiql.close();
  }
}, 90_000);
