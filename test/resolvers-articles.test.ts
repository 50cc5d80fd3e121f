/**
 * The article resolvers, bundled exactly as synth uploads them, run by the local APPSYNC_JS
 * runtime against a real DynamoDB emulator (dynalite). Field access by group is enforced before
 * a resolver runs; these tests cover the ROW rules the resolvers own.
 */
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { IAM_CALLER, startResolverHarness, userPoolCaller } from './helpers/resolver-harness';
import type { ResolverHarness } from './helpers/resolver-harness';

const editor = userPoolCaller('editor', ['editors']);
const editor2 = userPoolCaller('editor2', ['editors']);
const admin = userPoolCaller('admin', ['admins']);
const subscriber = userPoolCaller('subscriber', ['subscribers']);
const reader = userPoolCaller('reader', null);

interface Article {
  id: string;
  title: string;
  summary: string;
  body?: string;
  reviewNotes?: string;
  status: string;
  authorId: string;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
}

let h: ResolverHarness;

beforeAll(async () => {
  h = await startResolverHarness({ tableName: 'articles-resolvers' });
});

afterAll(async () => {
  await h?.close();
});

/** The stored item, read straight from the table (not through a resolver). */
async function stored(id: string): Promise<Record<string, AttributeValue> | undefined> {
  const out = await h.dynamo.client.send(new GetItemCommand({ TableName: h.dynamo.tableName, Key: { id: { S: id } } }));
  return out.Item;
}

async function allItems(): Promise<Record<string, AttributeValue>[]> {
  const out = await h.dynamo.client.send(new ScanCommand({ TableName: h.dynamo.tableName }));
  return out.Items ?? [];
}

async function create(caller: typeof editor, input: Record<string, unknown> = {}): Promise<Article> {
  const out = await h.call('Mutation.createArticle', caller, { input: { title: 'A title', summary: 'A summary', ...input } });
  expect(out.errors).toEqual([]);
  return out.data as Article;
}

describe('Mutation.createArticle', () => {
  test('creates a DRAFT authored by the caller, with server-side id and timestamps', async () => {
    const article = await create(editor, { title: 'Hello', body: 'Body text', reviewNotes: 'check facts' });
    expect(article).toMatchObject({ title: 'Hello', summary: 'A summary', body: 'Body text', reviewNotes: 'check facts', status: 'DRAFT', authorId: 'sub-editor' });
    expect(article.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(article.createdAt).toBe(article.updatedAt);
    expect(Number.isNaN(Date.parse(article.createdAt))).toBe(false);
    const item = await stored(article.id);
    expect(item?.authorId).toEqual({ S: 'sub-editor' });
    expect(item?.status).toEqual({ S: 'DRAFT' });
  });

  test.each([
    ['an empty title', { title: '' }, 'input.title'],
    ['a blank title', { title: '   ' }, 'input.title'],
    ['a 201-character title', { title: 'x'.repeat(201) }, 'input.title'],
    ['an empty summary', { summary: '' }, 'input.summary'],
    ['a 501-character summary', { summary: 's'.repeat(501) }, 'input.summary'],
  ])('refuses %s with a ValidationError naming the field, writing nothing', async (_label, bad, fieldName) => {
    const before = (await allItems()).length;
    const out = await h.call('Mutation.createArticle', editor, { input: { title: 'ok', summary: 'ok', ...bad } });
    expect(out.data).toBeNull();
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: expect.objectContaining({ field: fieldName }) });
    expect(out.errors[0].message).toContain(fieldName);
    expect((await allItems()).length).toBe(before);
  });

  test('accepts the limits exactly (200-character title, 500-character summary)', async () => {
    const article = await create(editor, { title: 't'.repeat(200), summary: 's'.repeat(500) });
    expect(article.title).toHaveLength(200);
  });
});

describe('Mutation.updateArticle (pipeline: load, then conditional UpdateItem)', () => {
  test('an editor updates their own article; a null optional field is removed', async () => {
    const article = await create(editor, { body: 'old body' });
    const out = await h.call('Mutation.updateArticle', editor, { input: { id: article.id, title: 'New title', body: null } });
    expect(out.errors).toEqual([]);
    const updated = out.data as Article;
    expect(updated).toMatchObject({ id: article.id, title: 'New title', summary: article.summary, authorId: 'sub-editor' });
    expect(updated.body).toBeUndefined();
    expect(updated.updatedAt > article.updatedAt).toBe(true);
    expect((await stored(article.id))?.title).toEqual({ S: 'New title' });
  });

  test("the DynamoDB condition refuses another editor: Unauthorized, item unchanged", async () => {
    const article = await create(editor, { body: 'original' });
    const before = await stored(article.id);
    const out = await h.call('Mutation.updateArticle', editor2, { input: { id: article.id, title: 'Hijacked', body: 'mine now' } });
    expect(out.data).toBeNull();
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ errorType: 'Unauthorized', message: expect.stringContaining(article.id) });
    expect(await stored(article.id)).toEqual(before);
  });

  test('the condition is the only guard: with it neutralised the same call would change the item', async () => {
    // Mutation test of the deployed bundle: swap the write's condition for one that always holds.
    const pipeline = h.resolvers.get('Mutation.updateArticle')!;
    const write = pipeline.functions![1];
    expect(write.code).toContain('#authorId = :caller');
    const weakened = {
      ...pipeline,
      functions: [pipeline.functions![0], { ...write, code: write.code.replace('#authorId = :caller', 'attribute_exists(#authorId) OR #authorId = :caller') }],
    };
    const article = await create(editor);
    const out = await h.callResolver(weakened, editor2, { input: { id: article.id, title: 'Hijacked' } });
    expect(out.errors).toEqual([]);
    expect((await stored(article.id))?.title).toEqual({ S: 'Hijacked' });
  });

  test('an admin updates any article', async () => {
    const article = await create(editor);
    const out = await h.call('Mutation.updateArticle', admin, { input: { id: article.id, reviewNotes: 'approved' } });
    expect(out.errors).toEqual([]);
    expect(out.data).toMatchObject({ id: article.id, reviewNotes: 'approved', authorId: 'sub-editor' });
  });

  test('a missing article is NotFound (from the load step)', async () => {
    const out = await h.call('Mutation.updateArticle', admin, { input: { id: 'no-such-id', title: 'x' } });
    expect(out.data).toBeNull();
    expect(out.errors[0]).toMatchObject({ errorType: 'NotFound', message: 'Article no-such-id not found' });
  });

  test('invalid input is refused before the table is read or written', async () => {
    const article = await create(editor);
    const out = await h.call('Mutation.updateArticle', editor, { input: { id: article.id, title: null } });
    expect(out.errors[0]).toMatchObject({ errorType: 'ValidationError', message: expect.stringContaining('input.title') });
    const long = await h.call('Mutation.updateArticle', editor, { input: { id: article.id, summary: 'y'.repeat(501) } });
    expect(long.errors[0]).toMatchObject({ errorType: 'ValidationError', message: expect.stringContaining('input.summary') });
    expect((await stored(article.id))?.title).toEqual({ S: 'A title' });
  });
});

describe('Mutation.publishArticle and Mutation.deleteArticle', () => {
  test('publish sets PUBLISHED and publishedAt and returns the announcement (no gated fields)', async () => {
    const article = await create(editor, { body: 'secret body', reviewNotes: 'notes' });
    const out = await h.call('Mutation.publishArticle', editor2, { id: article.id });
    expect(out.errors).toEqual([]);
    const published = out.data as Record<string, string>;
    expect(Object.keys(published).sort()).toEqual(['id', 'publishedAt', 'summary', 'title']);
    expect(published).toMatchObject({ id: article.id, title: article.title, summary: article.summary });
    const item = await stored(article.id);
    expect(item?.status).toEqual({ S: 'PUBLISHED' });
    expect(item?.publishedAt).toEqual({ S: published.publishedAt });
  });

  test('publishing or deleting a missing article is NotFound and creates nothing', async () => {
    const publish = await h.call('Mutation.publishArticle', editor, { id: 'ghost' });
    expect(publish.errors[0]).toMatchObject({ errorType: 'NotFound' });
    const del = await h.call('Mutation.deleteArticle', admin, { id: 'ghost' });
    expect(del.errors[0]).toMatchObject({ errorType: 'NotFound' });
    expect(await stored('ghost')).toBeUndefined();
  });

  test('delete removes the item and returns its id', async () => {
    const article = await create(editor);
    const out = await h.call('Mutation.deleteArticle', admin, { id: article.id });
    expect(out).toEqual({ data: article.id, errors: [] });
    expect(await stored(article.id)).toBeUndefined();
  });
});

describe('Query.article row rule: drafts only for staff', () => {
  let draft: Article;
  let published: Article;

  beforeAll(async () => {
    draft = await create(editor, { title: 'Draft only' });
    published = await create(editor, { title: 'Out there' });
    await h.call('Mutation.publishArticle', editor, { id: published.id });
  });

  test.each([
    ['a subscriber', subscriber],
    ['a user in no group', reader],
    ['an IAM caller', IAM_CALLER],
  ])('%s gets null for a draft but sees a published article', async (_label, caller) => {
    expect(await h.call('Query.article', caller, { id: draft.id })).toEqual({ data: null, errors: [] });
    const out = await h.call('Query.article', caller, { id: published.id });
    expect(out.data).toMatchObject({ id: published.id, status: 'PUBLISHED' });
  });

  test.each([
    ['the author', editor],
    ['another editor', editor2],
    ['an admin', admin],
  ])('%s sees the draft', async (_label, caller) => {
    const out = await h.call('Query.article', caller, { id: draft.id });
    expect(out.data).toMatchObject({ id: draft.id, status: 'DRAFT' });
  });

  test('an unknown id is null without an error', async () => {
    expect(await h.call('Query.article', admin, { id: 'nope' })).toEqual({ data: null, errors: [] });
  });
});

describe('Query.articles / Query.drafts pagination', () => {
  interface Page {
    items: Article[];
    nextToken: string | null;
  }

  /** Walks every page; returns the items in page order and the page sizes. */
  async function walk(field: string, caller: typeof editor | typeof IAM_CALLER, limit: number) {
    const items: Article[] = [];
    const sizes: number[] = [];
    let nextToken: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      const out = await h.call(field, caller, nextToken ? { limit, nextToken } : { limit });
      expect(out.errors).toEqual([]);
      const page = out.data as Page;
      items.push(...page.items);
      sizes.push(page.items.length);
      nextToken = page.nextToken;
      if (!nextToken) return { items, sizes };
    }
    throw new Error(`${field} did not end within 100 pages`);
  }

  /** The table's articles of `status`, newest first, read directly as the oracle. */
  async function expectedIds(status: string): Promise<string[]> {
    return (await allItems())
      .filter((i) => i.status?.S === status)
      .sort((a, b) => (b.createdAt.S ?? '').localeCompare(a.createdAt.S ?? ''))
      .map((i) => i.id.S ?? '');
  }

  beforeAll(async () => {
    // More items than a page in each status: 7 published, 3 more drafts.
    for (let i = 0; i < 10; i += 1) {
      const article = await create(i % 2 === 0 ? editor : editor2, { title: `Paged ${i}` });
      if (i < 7) await h.call('Mutation.publishArticle', editor, { id: article.id });
    }
  });

  test('articles: every published article exactly once, newest first, never a draft', async () => {
    const want = await expectedIds('PUBLISHED');
    expect(want.length).toBeGreaterThan(3);
    const { items, sizes } = await walk('Query.articles', reader, 3);
    expect(items.map((i) => i.id)).toEqual(want);
    expect(items.every((i) => i.status === 'PUBLISHED')).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.length).toBeGreaterThan(1);
  });

  test('articles works for IAM callers too', async () => {
    const { items } = await walk('Query.articles', IAM_CALLER, 100);
    expect(items.map((i) => i.id)).toEqual(await expectedIds('PUBLISHED'));
  });

  test('drafts: every draft exactly once, newest first', async () => {
    const want = await expectedIds('DRAFT');
    expect(want.length).toBeGreaterThan(2);
    const { items } = await walk('Query.drafts', editor, 2);
    expect(items.map((i) => i.id)).toEqual(want);
  });

  test('limit defaults to 20 and must be 1..100', async () => {
    // More published articles than the default page, so the default is what cuts the page.
    for (let n = (await expectedIds('PUBLISHED')).length; n <= 20; n += 1) {
      const article = await create(editor, { title: `Default page ${n}` });
      await h.call('Mutation.publishArticle', editor, { id: article.id });
    }
    const first = (await h.call('Query.articles', reader, {})).data as Page;
    expect(first.items.map((i) => i.id)).toEqual((await expectedIds('PUBLISHED')).slice(0, 20));
    expect(first.nextToken).not.toBeNull();
    for (const limit of [0, 101, -5]) {
      const out = await h.call('Query.articles', reader, { limit });
      expect(out.data).toBeNull();
      expect(out.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: expect.objectContaining({ field: 'limit' }) });
    }
  });

  test('a forged nextToken is an error, not a page', async () => {
    const out = await h.call('Query.articles', reader, { limit: 2, nextToken: 'not-a-token' });
    expect(out.data).toBeNull();
    expect(out.errors[0].errorType).toBe('DynamoDB:ValidationException');
  });
});

describe('NONE resolvers', () => {
  test('Query.me describes the caller from the verified identity', async () => {
    expect(await h.call('Query.me', editor)).toEqual({ data: { username: 'editor', email: 'editor@example.com', groups: ['editors'] }, errors: [] });
    expect((await h.call('Query.me', reader)).data).toEqual({ username: 'reader', email: 'reader@example.com', groups: [] });
  });

  test('Subscription.onArticlePublished resolves to null on subscribe (AppSync pattern)', async () => {
    expect(await h.call('Subscription.onArticlePublished', reader)).toEqual({ data: null, errors: [] });
  });
});
