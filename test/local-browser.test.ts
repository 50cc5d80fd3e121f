import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { type BrowserProfile, launchProfile } from './helpers/browser';
import { repoPath } from '../config/paths';
import { closeStartedStacks, startLocalStack, type TestLocalStack } from './helpers/local-stack';

/**
 * The local page in Debian's Chromium: sign in as reader, then as subscriber, run the same
 * query, and see `body` denied, then returned; the access-matrix panel agrees. Then the bucket
 * view: per persona, the role the identity pool picked and what its credentials may list, read
 * and write in the content bucket (local/page/storage.js, signed with local/page/sigv4.js).
 */

const QUERY = '{ articles(limit: 1) { items { title body } } }';

let stack: TestLocalStack;
let profile: BrowserProfile | undefined;
let context: BrowserContext;

beforeAll(async () => {
  stack = await startLocalStack();
  // The bucket view calls the local S3 endpoint over https: the profile trusts the local certificate as a developer's browser trusts local.caFile.
  profile = await launchProfile(stack, 'local-browser');
  context = profile.context;
}, 120_000);

afterAll(async () => {
  await profile?.close();
  await closeStartedStacks();
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

/** The local page in a new tab, its demo-user buttons shown; `failures` collects the page's uncaught errors. */
async function openLocalPage(): Promise<{ page: Page; failures: string[] }> {
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(e.message));
  await page.goto(stack.graphql.pageUrl);
  await page.waitForSelector('#users button');
  return { page, failures };
}

test('reader sees body denied, subscriber sees it returned', async () => {
  const { page, failures } = await openLocalPage();

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

/** The bucket view's cells for a persona: prefix -> { list, read, write } texts. */
async function bucketView(page: Page, email: string): Promise<{ role: string; cells: Record<string, Record<string, string>> }> {
  await page.click(`#users button[data-email="${email}"]`);
  await page.waitForFunction((e) => document.querySelector('#persona')?.textContent?.includes(e), email);
  await page.waitForSelector('#bucket[data-ready="true"]');
  return page.evaluate(() => {
    const cells: Record<string, Record<string, string>> = {};
    for (const tr of Array.from(document.querySelectorAll('#bucket-rows tr'))) {
      const row: Record<string, string> = {};
      for (const td of Array.from(tr.querySelectorAll('td[data-op]'))) row[(td as HTMLElement).dataset.op!] = td.querySelector('span')!.textContent ?? '';
      cells[(tr as HTMLElement).dataset.prefix!] = row;
    }
    return { role: document.querySelector('#bucket-role')!.textContent ?? '', cells };
  });
}

async function uploadFromPage(page: Page, prefix: string): Promise<string> {
  await page.evaluate((p) => (document.querySelector(`#bucket-rows tr[data-prefix="${p}"] td[data-op="write"] span`)!.textContent = ''), prefix);
  await page.click(`#bucket-rows tr[data-prefix="${prefix}"] td[data-op="write"] button`);
  await page.waitForFunction((p) => document.querySelector(`#bucket-rows tr[data-prefix="${p}"] td[data-op="write"] span`)?.textContent, prefix);
  return (await page.textContent(`#bucket-rows tr[data-prefix="${prefix}"] td[data-op="write"] span`)) ?? '';
}

test('the bucket view shows each persona its identity-pool role and what it may list, read and write', async () => {
  const { page, failures } = await openLocalPage();

  const reader = await bucketView(page, 'reader@example.com');
  expect(reader.role).toMatch(/^arn:aws:sts::\d{12}:assumed-role\/content-dev-authenticated\/CognitoIdentityCredentials \(identity /);
  expect(reader.cells.public).toMatchObject({ list: expect.stringContaining('public/welcome.md'), read: 'public/welcome.md: # Welcome' });
  expect(reader.cells.premium).toMatchObject({ list: 'AccessDenied', read: 'premium/handbook.md: AccessDenied' });
  expect(reader.cells.private.list).toMatch(/^0 object\(s\)/);
  expect(await uploadFromPage(page, 'premium')).toBe('premium/from-the-page.txt: AccessDenied');
  expect(await uploadFromPage(page, 'private')).toMatch(/^wrote private\/[0-9a-f-]+\/from-the-page.txt$/);
  await page.waitForFunction(() => document.querySelector('#bucket-rows tr[data-prefix="private"] td[data-op="read"] span')?.textContent?.includes('written by the local page'));

  const subscriber = await bucketView(page, 'subscriber@example.com');
  expect(subscriber.role).toMatch(/assumed-role\/content-dev-group-subscribers\/CognitoIdentityCredentials/);
  expect(subscriber.cells.premium).toMatchObject({ list: expect.stringContaining('premium/handbook.md'), read: 'premium/handbook.md: # Subscriber handbook' });
  // Another persona's private folder is not this one's: the subscriber's own is empty.
  expect(subscriber.cells.private.list).toMatch(/^0 object\(s\)/);
  expect(await uploadFromPage(page, 'premium')).toBe('premium/from-the-page.txt: AccessDenied');

  const editor = await bucketView(page, 'editor@example.com');
  expect(editor.role).toMatch(/assumed-role\/content-dev-group-editors\//);
  expect(await uploadFromPage(page, 'premium')).toBe('wrote premium/from-the-page.txt');
  expect(await uploadFromPage(page, 'public')).toBe('public/from-the-page.txt: AccessDenied');
  expect(failures).toEqual([]);
});
