import type { GraphQLField } from 'graphql';
import { buildAppSyncSchema } from '../access/appsync-schema';
import { type ApiAuthConfig, type Caller, createAuthModel } from '../access/auth-model';
import type { FieldContext, FieldResult, ResolverCode } from '../local/appsync-js/types';
import { NO_ARGUMENTS } from '../local/graphql/argument-values';
import { createDocumentCache } from '../local/graphql/document-cache';
import { createExecutor, type RequestCaller } from '../local/graphql/request-executor';

/**
 * The executor's cached field plans (local/graphql/field-plans.ts) and the no-argument fast
 * path (local/graphql/argument-values.ts), through the executor with a stub resolver runtime:
 * what is cached is reused, and every request still decides for its own caller.
 */

const SDL = `
type Query @aws_cognito_user_pools {
  article(id: ID!): Article
  latest: Article
}
type Article @aws_cognito_user_pools {
  id: ID!
  title: String
  notes: String @aws_cognito_user_pools(cognito_groups: ["admins"])
}`;
const POOL: ApiAuthConfig = { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: [] };
const QUERY = '{ latest { id title notes } article(id: "a-1") { id } }';
const ARTICLE = { id: 'a-1', title: 'Title', notes: 'for admins' };

const resolver = (fieldName: string): ResolverCode => ({ typeName: 'Query', fieldName, kind: 'UNIT', dataSource: 'none', code: '' });

function setup() {
  const schema = buildAppSyncSchema(SDL);
  const authModel = createAuthModel(schema, POOL);
  const deciderOf = jest.spyOn(authModel, 'deciderOf');
  const calls: FieldContext[] = [];
  const runtime = {
    resolveField: (_code: ResolverCode, ctx: FieldContext): Promise<FieldResult> => {
      calls.push(ctx);
      return Promise.resolve({ data: ARTICLE, errors: [] });
    },
  };
  const executor = createExecutor({
    schema,
    authModel,
    documents: createDocumentCache({ schema, introspection: false }),
    resolvers: new Map([['Query.article', resolver('article')], ['Query.latest', resolver('latest')]]),
    runtime,
  });
  return { schema, executor, deciderOf, calls };
}

const who = (...groups: string[]): RequestCaller => {
  const caller: Caller = { mode: 'AMAZON_COGNITO_USER_POOLS', groups };
  return { caller, identity: { sub: 's', issuer: 'i', username: 'u', claims: {}, sourceIp: ['127.0.0.1'], defaultAuthStrategy: 'ALLOW', groups }, headers: {} };
};

describe('cached field plans', () => {
  it('reuses a document field plan on the next request instead of looking its decider up again', async () => {
    const { executor, deciderOf } = setup();
    await executor.run({ query: QUERY }, who('admins'));
    const firstRequest = deciderOf.mock.calls.length;
    // latest, latest.id, latest.title, latest.notes, article, article.id
    expect(firstRequest).toBe(6);
    await executor.run({ query: QUERY }, who('admins'));
    expect(deciderOf.mock.calls.length).toBe(firstRequest);
  });

  it('decides each request for its own caller: a subscriber is denied what an admin got from the same plan', async () => {
    const { executor } = setup();
    const admin = await executor.run({ query: QUERY }, who('admins'));
    expect(admin.body).toEqual({ data: { latest: ARTICLE, article: { id: 'a-1' } } });
    const subscriber = await executor.run({ query: QUERY }, who('subscribers'));
    expect(subscriber.body.data).toEqual({ latest: { ...ARTICLE, notes: null }, article: { id: 'a-1' } });
    expect(subscriber.body.errors).toEqual([expect.objectContaining({ errorType: 'Unauthorized', path: ['latest', 'notes'] })]);
    // And the admin after the subscriber: nothing of the subscriber's decision stayed.
    expect((await executor.run({ query: QUERY }, who('admins'))).body).toEqual(admin.body);
  });
});

describe('arguments with the no-argument fast path', () => {
  it('still passes a field its arguments, and a field without arguments gets {}', async () => {
    const { executor, calls } = setup();
    await executor.run({ query: 'query ($id: ID!) { article(id: $id) { id } latest { id } }', variables: { id: 'a-9' } }, who());
    const byField = new Map(calls.map((c) => [c.info.fieldName, c.arguments]));
    expect(byField.get('article')).toEqual({ id: 'a-9' });
    expect(byField.get('latest')).toEqual({});
  });

  it('gives a field without argument definitions or arguments the shared empty object (graphql-js builds one per field)', () => {
    const { schema } = setup();
    // The function graphql-js's executeField calls, as it calls it: from the module's exports.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object the executor reads
    const values = require('graphql/execution/values') as typeof import('graphql');
    const latest = schema.getQueryType()!.getFields().latest as GraphQLField<unknown, unknown>;
    const article = schema.getQueryType()!.getFields().article as GraphQLField<unknown, unknown>;
    const node = (text: string) => {
      const op = createDocumentCache({ schema, introspection: false }).prepare(`{ ${text} }`);
      if (!op.ok) throw new Error('invalid');
      const def = op.document.definitions[0];
      if (def.kind !== 'OperationDefinition') throw new Error('not an operation');
      const sel = def.selectionSet.selections[0];
      if (sel.kind !== 'Field') throw new Error('not a field');
      return sel;
    };
    expect(values.getArgumentValues(latest, node('latest { id }'), {})).toBe(NO_ARGUMENTS);
    expect(Object.isFrozen(NO_ARGUMENTS)).toBe(true);
    expect(values.getArgumentValues(article, node('article(id: "x") { id }'), {})).toEqual({ id: 'x' });
  });
});
