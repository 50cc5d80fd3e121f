import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DATA_SOURCES } from '../constructs/api-data-sources';
import type { ResolvedConfig } from '../config';
import type { LocalStack } from './stack-reader';
import { UserFacingError } from '../config/errors';

interface SeedArticle {
  readonly title: string;
  readonly summary: string;
  readonly body: string;
  readonly reviewNotes?: string;
  readonly status: 'DRAFT' | 'PUBLISHED';
}

/** Demo content: published articles everyone can list, drafts only staff can see. */
const SEED: readonly SeedArticle[] = [
  {
    title: 'Welcome to the content API',
    summary: 'What signed-in readers, subscribers and staff each see.',
    body: 'Subscribers and staff read this full text; other readers get the summary only.',
    reviewNotes: 'Staff only: keep this article pinned.',
    status: 'PUBLISHED',
  },
  {
    title: 'Groups decide fields',
    summary: 'Body and review notes are gated by Cognito groups.',
    body: 'The schema puts @aws_cognito_user_pools(cognito_groups: [...]) on gated fields.',
    status: 'PUBLISHED',
  },
  {
    title: 'Tokens, not attributes',
    summary: 'Authorization reads groups from signed tokens only.',
    body: 'Nothing a user can write to their own profile opens a field.',
    status: 'PUBLISHED',
  },
  {
    title: 'Draft: next release notes',
    summary: 'Not published yet: editors and admins only.',
    body: 'Work in progress.',
    reviewNotes: 'Check the numbers before publishing.',
    status: 'DRAFT',
  },
  {
    title: 'Draft: style guide',
    summary: 'Another draft.',
    body: 'Short sentences.',
    status: 'DRAFT',
  },
];

/**
 * The demo user who authors the demo articles: the first in a group that the
 * `Mutation.updateArticle` row rule limits to own articles (config.api.rowRules), so that
 * user can edit them and others in the group cannot. Else the first demo user.
 */
export function seedAuthor(config: ResolvedConfig): string | undefined {
  const ownRule = config.api.rowRules.find((r) => r.field === 'Mutation.updateArticle');
  const users = config.local.demoUsers;
  return (users.find((u) => u.groups.some((g) => ownRule?.groups.includes(g))) ?? users[0])?.email;
}

/**
 * `DATA_SOURCES.articles`, checked against it by the compiler: importing the value would load
 * cdktf and the AWS provider (constructs/), a third of every local start's module loading.
 */
const ARTICLES_DATA_SOURCE: (typeof DATA_SOURCES)['articles'] = 'articles';

/** The table behind the `articles` data source. */
export function articlesTableName(stack: LocalStack): string {
  const ds = stack.dataSources.find((d) => d.name === ARTICLES_DATA_SOURCE);
  if (!ds?.tableName) {
    throw new UserFacingError({ location: stack.source, problem: `no AMAZON_DYNAMODB data source named '${ARTICLES_DATA_SOURCE}' (the articles table)` });
  }
  return ds.tableName;
}

/**
 * Puts the demo articles, authored by `authorId` (the demo editor's `sub`, so that editor can
 * update them), one minute apart so the newest-first listing has an order. Called on a first
 * start only (when the table was just created), so user data is never overwritten.
 */
export async function seedArticles(client: DynamoDBClient, tableName: string, authorId: string, now = Date.now()): Promise<number> {
  const doc = DynamoDBDocumentClient.from(client);
  const items = SEED.map((a, i) => {
    const at = new Date(now - (SEED.length - i) * 60_000).toISOString();
    return {
      id: randomUUID(),
      ...a,
      authorId,
      createdAt: at,
      updatedAt: at,
      ...(a.status === 'PUBLISHED' ? { publishedAt: at } : {}),
    };
  });
  await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  return items.length;
}
