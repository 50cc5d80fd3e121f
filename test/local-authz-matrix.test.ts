import { existsSync, readFileSync } from 'node:fs';
import { getNamedType, GraphQLObjectType, GraphQLSchema, isObjectType } from 'graphql';
import { buildAppSyncSchema } from '../access/appsync-schema';
import { type Caller, createAuthModel, type AuthModel, machineTokenRefusal } from '../access/auth-model';
import { repoPath } from '../config/paths';
import { MISSING_HEADER, UNPARSABLE_TOKEN } from '../local/graphql/token-verifier';
import { type ArgPicker, fieldOutcomes, rootFieldRequest } from './helpers/field-outcomes';
import { clientCredentialsToken, expiredToken, foreignKeyToken, otherClientToken, unsignedToken } from './helpers/forged-tokens';
import { startLocalEndpointEnv, type LocalEndpointEnv } from './helpers/local-endpoint-env';
import { connectRealtime } from './helpers/realtime-client';

/**
 * Every persona against every contract field of schema.graphql, through the running local
 * endpoint, compared with what the auth model says (nothing listed by hand): each field is
 * answered, or null with an `Unauthorized` error, or the request is refused with 401.
 */

let env: LocalEndpointEnv;
let schema: GraphQLSchema;
let model: AuthModel;
const tokens = new Map<string, { accessToken: string; idToken: string }>();
/** What the endpoint did, by `Type.field` and persona id (matrix persona ids). */
const observed = new Map<string, Map<string, boolean>>();

function observe(type: string, field: string, persona: string, allowed: boolean): void {
  const key = `${type}.${field}`;
  const cell = observed.get(key) ?? new Map<string, boolean>();
  // A field seen both ways for one persona would be a bug the per-request checks report.
  cell.set(persona, allowed);
  observed.set(key, cell);
}

/** The matrix persona id of a demo user: its single group, or "signed-in" for none. */
function matrixPersona(groups: readonly string[]): string | undefined {
  if (groups.length === 0) return 'signed-in';
  return groups.length === 1 ? `group:${groups[0]}` : undefined;
}

const user = (email: string) => {
  const u = env.users.find((x) => x.email === email);
  if (!u) throw new Error(`no demo user ${email}`);
  return u;
};

beforeAll(async () => {
  env = await startLocalEndpointEnv();
  schema = buildAppSyncSchema(env.mode.stack.schemaSdl);
  model = createAuthModel(schema, { defaultMode: env.mode.stack.api.defaultMode, additionalModes: env.mode.stack.api.additionalModes });
  for (const u of env.users) tokens.set(u.email, await env.signIn(u.email));
}, 120_000);

afterAll(async () => {
  await env?.close();
});

interface Persona {
  readonly label: string;
  readonly email: string;
  readonly token: () => string;
}

/** Fixture values for arguments: article ids come from the data, the rest from the schema's types. */
function picker(ids: { article: string }, reader: string): ArgPicker {
  return (path, type) => {
    const name = path.split('.').pop();
    if (getNamedType(type).name === 'ID') return ids.article;
    if (name === 'group') return 'subscribers';
    if (name === 'username') return reader;
    return undefined;
  };
}

/** The operations served over HTTP POST, with their root types. */
function requestOperations() {
  return [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const;
}

function rootFields(type: GraphQLObjectType | null | undefined) {
  return Object.values(type?.getFields() ?? {});
}

async function publishedArticleId(): Promise<string> {
  const res = await env.gql(tokens.get('admin@example.com')!.accessToken, '{ articles(limit: 1) { items { id } } }');
  const id = res.body.data?.articles.items[0]?.id;
  if (!id) throw new Error(`no published article to query (seeding failed?): ${JSON.stringify(res.body)}`);
  return id;
}

describe('signed-in personas: every field answered or denied as the auth model says', () => {
  const personas = (): Persona[] => [
    ...env.users.map((u) => ({ label: u.email, email: u.email, token: () => tokens.get(u.email)!.accessToken })),
    // AppSync accepts ID tokens too (aws-amplify sends access tokens).
    { label: 'subscriber@example.com (ID token)', email: 'subscriber@example.com', token: () => tokens.get('subscriber@example.com')!.idToken },
  ];

  test('queries and mutations', async () => {
    const published = await publishedArticleId();
    const reader = user('reader@example.com').email;
    let checkedFields = 0;
    for (const persona of personas()) {
      const { groups } = user(persona.email);
      const caller: Caller = { mode: 'AMAZON_COGNITO_USER_POOLS', groups };
      const matrixId = persona.label.includes('ID token') ? undefined : matrixPersona(groups);
      // Mutations run in schema order; an article the persona creates is the one it then
      // updates, publishes and deletes (row rules allow that), else the seeded one is used.
      const ids = { article: published };
      for (const [operation, type] of requestOperations()) {
        for (const field of rootFields(type)) {
          const request = rootFieldRequest(schema, operation, field, picker(ids, reader));
          const res = await env.gql(persona.token(), request.query, request.variables);
          const where = `${persona.label}: ${request.query} ${JSON.stringify(request.variables)} -> ${JSON.stringify(res.body)}`;
          expect({ where, status: res.status }).toEqual({ where, status: 200 });
          const outcomes = fieldOutcomes(type!.name, [request.selection], res.body.data, res.body.errors);
          for (const o of outcomes) {
            const expected = model.decide(o.type, o.field, caller).allowed;
            const got = { where, field: `${o.type}.${o.field}`, path: o.path, denied: o.denied };
            expect(got).toEqual({ ...got, denied: !expected });
            if (o.denied) {
              expect({ where, value: o.value ?? null, message: o.error!.message }).toEqual({
                where,
                value: null,
                message: `Not Authorized to access ${o.field} on type ${o.type}`,
              });
            }
            if (matrixId) observe(o.type, o.field, matrixId, !o.denied);
            checkedFields++;
          }
          // No error the walk did not account for: an allowed root field answers with data.
          const accounted = new Set(outcomes.filter((o) => o.denied).map((o) => JSON.stringify(o.path)));
          const stray = (res.body.errors ?? []).filter((e) => !accounted.has(JSON.stringify(e.path)));
          expect({ where, stray }).toEqual({ where, stray: [] });
          if (model.decide(type!.name, field.name, caller).allowed) {
            expect({ where, answered: res.body.data?.[field.name] != null }).toEqual({ where, answered: true });
            const created = res.body.data?.[field.name];
            if (field.name === 'createArticle') ids.article = created.id;
          }
        }
      }
    }
    expect(checkedFields).toBeGreaterThan(100);
  });

  test('subscriptions: allowed personas get start_ack and the publish payload, others an Unauthorized error', async () => {
    const subscription = schema.getSubscriptionType()!;
    const editorToken = tokens.get('editor@example.com')!.accessToken;
    const clients = [];
    try {
      for (const u of env.users) {
        const token = tokens.get(u.email)!.accessToken;
        const client = await connectRealtime(env.mode.graphql.realtimeUrl, env.mode.graphql.caFile, token);
        clients.push(client);
        const caller: Caller = { mode: 'AMAZON_COGNITO_USER_POOLS', groups: u.groups };
        for (const field of rootFields(subscription)) {
          const named = getNamedType(field.type);
          const selection = isObjectType(named) ? ` { ${Object.keys(named.getFields()).join(' ')} }` : '';
          const ack = await client.start(`${u.email}:${field.name}`, `subscription { ${field.name}${selection} }`, token);
          const allowed = model.decide(subscription.name, field.name, caller).allowed;
          expect({ who: u.email, field: field.name, type: ack.type }).toEqual({ who: u.email, field: field.name, type: allowed ? 'start_ack' : 'error' });
          const persona = matrixPersona(u.groups);
          if (persona) observe(subscription.name, field.name, persona, ack.type === 'start_ack');
          if (!allowed) expect(ack.payload.errors[0]).toMatchObject({ errorType: 'Unauthorized', message: `Not Authorized to access ${field.name} on type ${subscription.name}` });
        }
      }
      // An editor creates and publishes: every subscriber of onArticlePublished hears of it.
      const created = await env.gql(editorToken, 'mutation { createArticle(input: {title: "Matrix news", summary: "s", body: "b"}) { id } }');
      const id = created.body.data.createArticle.id;
      const published = await env.gql(editorToken, `mutation { publishArticle(id: "${id}") { id title summary publishedAt } }`);
      expect(published.body.errors).toBeUndefined();
      for (const [i, u] of env.users.entries()) {
        const caller: Caller = { mode: 'AMAZON_COGNITO_USER_POOLS', groups: u.groups };
        for (const field of rootFields(subscription)) {
          if (!model.decide(subscription.name, field.name, caller).allowed) continue;
          const data = await clients[i].nextData(`${u.email}:${field.name}`);
          const payload = data.payload.data[field.name];
          expect(payload).toEqual(published.body.data.publishArticle);
          const persona = matrixPersona(u.groups);
          const named = getNamedType(field.type) as GraphQLObjectType;
          if (persona) for (const f of Object.keys(named.getFields())) observe(named.name, f, persona, payload[f] !== null);
        }
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  test('the ID token and the access token of a user reach the same fields', async () => {
    const query = '{ articles(limit: 2) { items { id body reviewNotes } } }';
    const byAccess = await env.gql(tokens.get('subscriber@example.com')!.accessToken, query);
    const byId = await env.gql(tokens.get('subscriber@example.com')!.idToken, query);
    expect(byId.body).toEqual(byAccess.body);
  });
});

describe('refused requests: 401 UnauthorizedException, no data, for every contract field', () => {
  const refused = (): { label: string; header: string | undefined; message?: string }[] => {
    const good = tokens.get('editor@example.com')!;
    return [
      { label: 'no token', header: undefined, message: MISSING_HEADER },
      { label: 'expired token', header: expiredToken(good.accessToken), message: 'Token has expired.' },
      { label: 'expired ID token', header: expiredToken(good.idToken), message: 'Token has expired.' },
      { label: 'token signed by another key', header: foreignKeyToken(good.accessToken) },
      { label: 'alg: none', header: unsignedToken(good.accessToken) },
      { label: 'token for another client id', header: otherClientToken(good.accessToken) },
      { label: 'ID token for another client id', header: otherClientToken(good.idToken) },
      {
        label: 'client-credentials access token (no user, resource-server scopes) signed by the pool key',
        header: clientCredentialsToken(good.accessToken),
        message: `Unable to verify JWT token: ${machineTokenRefusal('content/read content/write')}`,
      },
      { label: 'Bearer-prefixed valid token', header: `Bearer ${good.accessToken}`, message: UNPARSABLE_TOKEN },
    ];
  };

  test('each refused persona, each query and mutation field', async () => {
    const published = await publishedArticleId();
    for (const persona of refused()) {
      for (const [operation, type] of requestOperations()) {
        for (const field of rootFields(type)) {
          const request = rootFieldRequest(schema, operation, field, picker({ article: published }, 'reader@example.com'));
          const res = await env.gql(persona.header, request.query, request.variables);
          const where = `${persona.label}: ${field.name}`;
          expect({ where, status: res.status, keys: Object.keys(res.body) }).toEqual({ where, status: 401, keys: ['errors'] });
          expect(res.body.errors).toHaveLength(1);
          expect(res.body.errors![0].errorType).toBe('UnauthorizedException');
          if (persona.message) expect(res.body.errors![0].message).toBe(persona.message);
        }
      }
    }
    // Nothing a refused request asked for happened: the seeded article is still there, unchanged.
    const after = await env.gql(tokens.get('admin@example.com')!.accessToken, `{ article(id: "${published}") { id title } }`);
    expect(after.body.data.article).toMatchObject({ id: published });
    expect(after.body.data.article.title).not.toMatch(/^local-authz/);
  });

  test('the real-time endpoint refuses the same tokens at connect', async () => {
    for (const persona of refused()) {
      const attempt = connectRealtime(env.mode.graphql.realtimeUrl, env.mode.graphql.caFile, persona.header ?? '');
      await expect(attempt).rejects.toMatchObject({ payload: { errors: [expect.objectContaining({ errorType: 'UnauthorizedException' })] } });
    }
  });
});

const MATRIX_FILE = repoPath('docs/access-matrix.json');

interface MatrixFile {
  personas: { id: string; kind: string }[];
  rows: { type: string; field: string; cells: Record<string, { allowed: boolean; rule: string }> }[];
}

describe('docs/access-matrix.json matches what the endpoint does', () => {
  test('every cell', () => {
    // Runs after the persona tests above (jest runs a file's tests in order).
    expect(existsSync(MATRIX_FILE)).toBe(true);
    const matrix = JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as MatrixFile;
    const emulated = matrix.personas.filter((p) => p.kind === 'group' || p.kind === 'signed-in').map((p) => p.id);
    // Every persona the matrix lists by group has a demo user, so the endpoint can show it.
    expect(emulated.filter((id) => !env.users.some((u) => matrixPersona(u.groups) === id))).toEqual([]);
    const returns = new Map<string, string[]>(); // type -> fields returning it
    for (const t of Object.values(schema.getTypeMap())) {
      if (!isObjectType(t) || t.name.startsWith('__')) continue;
      for (const f of Object.values(t.getFields())) {
        const named = getNamedType(f.type).name;
        returns.set(named, [...(returns.get(named) ?? []), `${t.name}.${f.name}`]);
      }
    }
    /** A type the persona never saw is fine when every field leading to it was denied or unseen too. */
    const unreachable = (type: string, persona: string, seen = new Set<string>()): boolean =>
      (returns.get(type) ?? []).every((key) => {
        const got = observed.get(key)?.get(persona);
        if (got !== undefined) return got === false;
        const parent = key.split('.')[0];
        if (seen.has(parent)) return true;
        return unreachable(parent, persona, new Set([...seen, parent]));
      }) && !['Query', 'Mutation', 'Subscription'].includes(type);
    const mismatches: string[] = [];
    let compared = 0;
    for (const row of matrix.rows) {
      for (const persona of emulated) {
        const cell = row.cells[persona];
        const got = observed.get(`${row.type}.${row.field}`)?.get(persona);
        if (got === undefined) {
          if (!unreachable(row.type, persona)) mismatches.push(`${row.type}.${row.field} / ${persona}: never exercised`);
          continue;
        }
        compared++;
        if (cell.allowed !== got) mismatches.push(`${row.type}.${row.field} / ${persona}: matrix ${cell.allowed}, endpoint ${got}`);
      }
      // No credentials: the matrix says 401 before any field; the endpoint refused every field above.
      // The server client's client-credentials token: refused before any field, as the endpoint did above.
      expect({ field: `${row.type}.${row.field}`, ...row.cells['client:server'], reason: undefined }).toEqual({
        field: `${row.type}.${row.field}`,
        allowed: false,
        rule: 'request',
        reason: undefined,
      });
      const anonymous = row.cells.anonymous;
      if (anonymous) expect({ field: `${row.type}.${row.field}`, allowed: anonymous.allowed, rule: anonymous.rule }).toEqual({ field: `${row.type}.${row.field}`, allowed: false, rule: 'request' });
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(matrix.rows.length);
  });
});
