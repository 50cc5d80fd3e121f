import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoPath } from '../config/paths';
import { startLocalStack, type TestLocalStack } from './helpers/local-stack';

/**
 * The local page in Debian's Chromium: sign in as reader, then as subscriber, run the same
 * query, and see `body` denied, then returned; the access-matrix panel agrees.
 */

const CHROMIUM = '/usr/bin/chromium';
const QUERY = '{ articles(limit: 1) { items { title body } } }';

let stack: TestLocalStack;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
  stack = await startLocalStack();
  userDataDir = mkdtempSync(path.join(tmpdir(), 'local-browser-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

async function signInAndRun(page: Page, email: string): Promise<{ data: any; errors?: any[] }> {
  await page.click(`#users button[data-email="${email}"]`);
  await page.waitForFunction((e) => document.querySelector('#persona')?.textContent?.includes(e), email);
  await page.fill('#query', QUERY);
  await page.evaluate(() => (document.querySelector('#status')!.textContent = ''));
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('HTTP'));
  expect(await page.textContent('#status')).toBe('HTTP 200');
  return JSON.parse((await page.textContent('#result')) ?? '');
}

async function matrixCell(page: Page, field: string): Promise<string | null> {
  return page.evaluate((f) => {
    const row = Array.from(document.querySelectorAll('#matrix-rows tr')).find((tr) => tr.firstElementChild?.textContent === f);
    return row ? row.children[1].textContent : null;
  }, field);
}

test('reader sees body denied, subscriber sees it returned', async () => {
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(e.message));
  await page.goto(stack.graphql.pageUrl);
  await page.waitForSelector('#users button');

  const asReader = await signInAndRun(page, 'reader@example.com');
  expect(asReader.data.articles.items[0]).toEqual({ title: expect.any(String), body: null });
  expect(asReader.errors).toEqual([expect.objectContaining({ errorType: 'Unauthorized', message: 'Not Authorized to access body on type Article' })]);
  expect(await page.textContent('#persona')).toContain('groups: (none)');
  expect(await matrixCell(page, 'Article.body')).toBe('no');

  const asSubscriber = await signInAndRun(page, 'subscriber@example.com');
  expect(asSubscriber.errors).toBeUndefined();
  expect(asSubscriber.data.articles.items[0]).toEqual({ title: asReader.data.articles.items[0].title, body: expect.any(String) });
  expect(await page.textContent('#persona')).toContain('groups: subscribers');
  expect(await matrixCell(page, 'Article.body')).toBe('yes');
  expect(await matrixCell(page, 'Article.reviewNotes')).toBe('no');

  mkdirSync(repoPath('.tmp'), { recursive: true });
  await page.screenshot({ path: repoPath('.tmp/local-browser.png'), fullPage: true });
  expect(failures).toEqual([]);
});
