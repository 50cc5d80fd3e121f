import { buildAppSyncSchema } from '../access/appsync-schema';
import { admitUserPoolToken, ApiAuthConfig, Caller, createAuthModel } from '../access/auth-model';

// Hand-written cases, one tiny schema per rule of appsync-cognito-semantics.md
// ("Which auth modes may read a field"). Expected values come from that file, not from the model.

const POOL: ApiAuthConfig = { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: [] };
const POOL_IAM: ApiAuthConfig = {
  defaultMode: 'AMAZON_COGNITO_USER_POOLS',
  additionalModes: ['AWS_IAM'],
  iamGrants: { indexer: ['Query.open'] },
};
const user = (...groups: string[]): Caller => ({ mode: 'AMAZON_COGNITO_USER_POOLS', groups });
const iam = (caller: string): Caller => ({ mode: 'AWS_IAM', caller });

function model(sdl: string, api: ApiAuthConfig = POOL) {
  return createAuthModel(buildAppSyncSchema(sdl), api);
}

describe('no auth directive: reachable only through the default mode', () => {
  const sdl = 'type Query { plain: String }';

  it('admits any user-pool caller when user pools is the default mode', () => {
    const d = model(sdl, POOL_IAM).decide('Query', 'plain', user());
    expect(d).toMatchObject({ allowed: true, rule: 'default' });
  });

  it('refuses an IAM caller when IAM is only an additional mode', () => {
    const d = model(sdl, POOL_IAM).decide('Query', 'plain', iam('indexer'));
    expect(d).toMatchObject({ allowed: false, rule: 'default' });
  });

  it('refuses a user-pool caller when IAM is the default mode', () => {
    const api: ApiAuthConfig = { defaultMode: 'AWS_IAM', additionalModes: ['AMAZON_COGNITO_USER_POOLS'], iamGrants: { x: ['Query.plain'] } };
    expect(model(sdl, api).decide('Query', 'plain', user('admins')).allowed).toBe(false);
    expect(model(sdl, api).decide('Query', 'plain', iam('x')).allowed).toBe(true);
  });
});

describe('cognito_groups: ANY listed group passes (OR)', () => {
  const sdl = 'type Query { staff: String @aws_cognito_user_pools(cognito_groups: ["editors", "admins"]) }';
  const m = model(sdl);

  it.each([
    [['editors'], true],
    [['admins'], true],
    [['subscribers', 'admins'], true],
    [['subscribers'], false],
    [[], false],
  ])('groups %j -> allowed %s', (groups, allowed) => {
    expect(m.decide('Query', 'staff', user(...groups)).allowed).toBe(allowed);
  });

  it('names the directive in the reason', () => {
    expect(m.decide('Query', 'staff', user('subscribers')).reason).toContain(
      'field directive @aws_cognito_user_pools(cognito_groups: [editors, admins])',
    );
  });
});

describe('@aws_cognito_user_pools without cognito_groups: any valid token of the pool', () => {
  const m = model('type Query { me: String @aws_cognito_user_pools }');
  it('admits a caller in no group', () => {
    expect(m.decide('Query', 'me', user()).allowed).toBe(true);
  });
  it('admits a caller in any group', () => {
    expect(m.decide('Query', 'me', user('whatever')).allowed).toBe(true);
  });
});

describe("a type's directives apply to its fields that have none", () => {
  const sdl = `
    type Member @aws_cognito_user_pools(cognito_groups: ["admins"]) { name: String }
    type Query { member: Member @aws_cognito_user_pools }`;
  const m = model(sdl);
  it('gates the undirected field by the type directive', () => {
    expect(m.decide('Member', 'name', user('editors'))).toMatchObject({ allowed: false, rule: 'type' });
    expect(m.decide('Member', 'name', user('admins'))).toMatchObject({ allowed: true, rule: 'type' });
  });
});

describe("a field directive overrides its type's directives", () => {
  const sdl = `
    type Article @aws_cognito_user_pools @aws_iam {
      title: String
      body: String @aws_cognito_user_pools(cognito_groups: ["subscribers"])
    }
    type Query { open: Article @aws_cognito_user_pools @aws_iam }`;
  const m = model(sdl, POOL_IAM);

  it('narrows the field to the listed group although the type admits every user', () => {
    expect(m.decide('Article', 'body', user())).toMatchObject({ allowed: false, rule: 'field' });
    expect(m.decide('Article', 'body', user('subscribers'))).toMatchObject({ allowed: true, rule: 'field' });
    expect(m.decide('Article', 'title', user())).toMatchObject({ allowed: true, rule: 'type' });
  });

  it('closes the field to IAM because the field directive does not repeat @aws_iam', () => {
    expect(m.decide('Article', 'body', iam('indexer')).allowed).toBe(false);
    expect(m.decide('Article', 'title', iam('indexer')).allowed).toBe(true);
  });

  it('makes a field with a directive reachable by a mode its type does not list', () => {
    const widened = model(
      `type Secret @aws_cognito_user_pools(cognito_groups: ["admins"]) { a: String, b: String @aws_iam }
       type Query { open: Secret @aws_iam @aws_cognito_user_pools }`,
      POOL_IAM,
    );
    expect(widened.decide('Secret', 'b', iam('indexer')).allowed).toBe(true);
    expect(widened.decide('Secret', 'b', user('admins')).allowed).toBe(false);
    expect(widened.decide('Secret', 'a', user('admins')).allowed).toBe(true);
  });
});

describe('@aws_iam: top-level fields also need an appsync:GraphQL grant', () => {
  const sdl = `
    type Query {
      open: String @aws_iam
      other: String @aws_iam
    }`;
  const m = model(sdl, POOL_IAM);
  it('admits the caller granted the field', () => {
    expect(m.decide('Query', 'open', iam('indexer')).allowed).toBe(true);
  });
  it('refuses the same caller on an @aws_iam field it is not granted', () => {
    const d = m.decide('Query', 'other', iam('indexer'));
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('no appsync:GraphQL grant on Query.other');
  });
  it('refuses an unknown IAM caller', () => {
    expect(m.decide('Query', 'open', iam('stranger')).allowed).toBe(false);
  });
  it('refuses user-pool callers: @aws_iam alone does not open the field to user pools', () => {
    expect(m.decide('Query', 'open', user('admins')).allowed).toBe(false);
  });
  it('refuses IAM when the API does not have the IAM mode', () => {
    expect(model(sdl, POOL).decide('Query', 'open', iam('indexer')).allowed).toBe(false);
  });
});

describe('nested types are checked on their own fields', () => {
  // Protecting the Query field does not protect a type reachable through another field.
  const sdl = `
    type Secret { value: String }
    type Query {
      guarded: Secret @aws_cognito_user_pools(cognito_groups: ["admins"])
      open: Secret @aws_cognito_user_pools
    }`;
  const m = model(sdl);
  it('lets a non-admin read Secret.value (no directive: default mode) although Query.guarded is admins only', () => {
    expect(m.decide('Query', 'guarded', user()).allowed).toBe(false);
    expect(m.decide('Secret', 'value', user())).toMatchObject({ allowed: true, rule: 'default' });
  });
});

describe('other modes', () => {
  const sdl = 'type Query { k: String @aws_api_key, o: String @aws_oidc, l: String @aws_lambda }';
  const api: ApiAuthConfig = { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['API_KEY', 'OPENID_CONNECT'] };
  const m = model(sdl, api);
  it('open a field to their own mode only', () => {
    expect(m.decide('Query', 'k', { mode: 'API_KEY' }).allowed).toBe(true);
    expect(m.decide('Query', 'k', { mode: 'OPENID_CONNECT' }).allowed).toBe(false);
    expect(m.decide('Query', 'o', { mode: 'OPENID_CONNECT' }).allowed).toBe(true);
    expect(m.decide('Query', 'k', user('admins')).allowed).toBe(false);
  });
  it('cannot admit a mode the API does not accept', () => {
    expect(m.decide('Query', 'l', { mode: 'AWS_LAMBDA' }).allowed).toBe(false);
  });
});

describe('lookups', () => {
  const m = model('type Query { a: String @aws_cognito_user_pools }');
  it('allows meta fields', () => {
    expect(m.decide('Query', '__typename', user()).allowed).toBe(true);
  });
  it('throws on a field the schema does not have', () => {
    expect(() => m.decide('Query', 'nope', user())).toThrow('no field Query.nope');
  });
  it('records the schema.graphql line of each field (prelude subtracted)', () => {
    const lined = model('\n\ntype Query {\n  a: String @aws_cognito_user_pools\n  "described"\n  b: Int\n}');
    expect(lined.fieldAuth('Query', 'a')?.line).toBe(4);
    expect(lined.fieldAuth('Query', 'b')?.line).toBe(6);
  });
});

describe('which user-pool tokens are callers (admitUserPoolToken)', () => {
  test("a user's access token (username) and ID token (cognito:username) are callers with their groups", () => {
    expect(admitUserPoolToken({ token_use: 'access', username: 'u-1', 'cognito:groups': ['editors'] })).toEqual({ admitted: true, caller: user('editors') });
    expect(admitUserPoolToken({ token_use: 'id', 'cognito:username': 'u-1' })).toEqual({ admitted: true, caller: user() });
  });

  test('escalation: a client-credentials access token (no user, resource-server scopes) is refused, naming its scopes', () => {
    const a = admitUserPoolToken({ token_use: 'access', scope: 'content/read content/write' });
    expect(a).toEqual({
      admitted: false,
      reason: 'a token without a user (scope: content/read content/write), such as a client-credentials token, is refused: resource-server scopes open no field of this API',
    });
  });

  test('a user name in the claim the other token type uses does not count', () => {
    expect(admitUserPoolToken({ token_use: 'access', 'cognito:username': 'u-1' }).admitted).toBe(false);
    expect(admitUserPoolToken({ token_use: 'id', username: 'u-1' }).admitted).toBe(false);
    expect(admitUserPoolToken({ token_use: 'access', username: '' }).admitted).toBe(false);
    expect(admitUserPoolToken({ username: 'u-1' }).admitted).toBe(false);
  });
});

describe('fields gated alike (one compiled decider per distinct protection)', () => {
  it('keeps each top-level field’s own IAM grant', () => {
    const m = model('type Query { open: String @aws_iam  other: String @aws_iam }', POOL_IAM);
    expect(m.decide('Query', 'open', iam('indexer')).allowed).toBe(true);
    expect(m.decide('Query', 'other', iam('indexer'))).toMatchObject({ allowed: false, reason: expect.stringContaining('no appsync:GraphQL grant on Query.other') });
  });

  it('tells a group named "a, b" from the groups a and b, though their directives read alike', () => {
    const m = model('type Query { t: T }\ntype T { one: String @aws_cognito_user_pools(cognito_groups: ["a, b"])  two: String @aws_cognito_user_pools(cognito_groups: ["a", "b"]) }');
    expect(m.decide('T', 'one', user('a')).allowed).toBe(false);
    expect(m.decide('T', 'two', user('a')).allowed).toBe(true);
  });

  it('gives each model of one schema its own API modes and grants', () => {
    const schema = buildAppSyncSchema('type Query { open: String @aws_iam }');
    const granted = createAuthModel(schema, POOL_IAM);
    const none = createAuthModel(schema, { ...POOL_IAM, iamGrants: {} });
    const poolOnly = createAuthModel(schema, POOL);
    expect(granted.decide('Query', 'open', iam('indexer')).allowed).toBe(true);
    expect(none.decide('Query', 'open', iam('indexer')).allowed).toBe(false);
    expect(poolOnly.decide('Query', 'open', iam('indexer')).reason).toContain('the API does not accept IAM (SigV4)');
  });
});
