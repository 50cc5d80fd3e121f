import { PolicyEvaluator, describeDecision, type IamRequest } from '../local/iam/evaluator';
import type { NamedPolicy } from '../local/iam/stack-iam';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const BUCKET = 'arn:aws:s3:::assets';

function policy(name: string, ...statements: Record<string, unknown>[]): NamedPolicy {
  return { name, document: { Version: '2012-10-17', Statement: statements } };
}

function request(action: string, resource: string, extra: Partial<IamRequest> = {}): IamRequest {
  return { roleArn: ROLE, action, resource, resourceAccount: ACCOUNT, secureTransport: true, ...extra };
}

const evaluator = new PolicyEvaluator();

describe('IAM policy evaluation (iam-simulate over hand-written policies)', () => {
  const readPublic = policy('reader/read', { Sid: 'ReadPublic', Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/public/*` });

  test('an allow statement matching action and resource allows, naming the statement', async () => {
    const d = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/public/a.md`), { identityPolicies: [readPublic] });
    expect(d.decision).toBe('Allowed');
    expect(d.statements).toEqual([{ policy: 'reader/read', statement: 'ReadPublic', effect: 'Allow' }]);
    expect(describeDecision(d)).toBe('allowed by reader/read statement ReadPublic');
  });

  test('no matching statement is an implicit deny (other prefix, other action)', async () => {
    const other = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/premium/a.md`), { identityPolicies: [readPublic] });
    expect(other.decision).toBe('ImplicitlyDenied');
    const write = await evaluator.evaluate(request('s3:PutObject', `${BUCKET}/public/a.md`), { identityPolicies: [readPublic] });
    expect(write.decision).toBe('ImplicitlyDenied');
    expect(write.statements).toEqual([]);
  });

  test('an explicit deny in another policy wins over an allow', async () => {
    const deny = policy('reader/guard', { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:*', Resource: `${BUCKET}/public/secret/*` });
    const d = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/public/secret/x`), { identityPolicies: [readPublic, deny] });
    expect(d.decision).toBe('ExplicitlyDenied');
    expect(d.statements).toEqual([{ policy: 'reader/guard', statement: 'NoSecrets', effect: 'Deny' }]);
    const elsewhere = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/public/open`), { identityPolicies: [readPublic, deny] });
    expect(elsewhere.decision).toBe('Allowed');
  });

  test('${aws:PrincipalTag/owner} in a resource admits only the tagged owner', async () => {
    const own = policy('reader/own', { Sid: 'Own', Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/private/\${aws:PrincipalTag/owner}/*` });
    const mine = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/private/u-1/x`, { principalTags: { owner: 'u-1' } }), { identityPolicies: [own] });
    expect(mine.decision).toBe('Allowed');
    const theirs = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/private/u-2/x`, { principalTags: { owner: 'u-1' } }), { identityPolicies: [own] });
    expect(theirs.decision).toBe('ImplicitlyDenied');
    const untagged = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/private/u-1/x`), { identityPolicies: [own] });
    expect(untagged.decision).toBe('ImplicitlyDenied');
  });

  test('conditions: StringLike on s3:prefix with a policy variable', async () => {
    const list = policy('reader/list', {
      Sid: 'List',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: BUCKET,
      Condition: { StringLike: { 's3:prefix': ['public/*', 'private/${aws:PrincipalTag/owner}/*'] } },
    });
    const tags = { owner: 'u-1' };
    const ask = (prefix: string) => evaluator.evaluate(request('s3:ListBucket', BUCKET, { principalTags: tags, context: { 's3:prefix': prefix } }), { identityPolicies: [list] });
    expect((await ask('public/')).decision).toBe('Allowed');
    expect((await ask('private/u-1/')).decision).toBe('Allowed');
    expect((await ask('private/u-2/')).decision).toBe('ImplicitlyDenied');
    expect((await ask('')).decision).toBe('ImplicitlyDenied');
  });

  test('a bucket policy denying insecure transport denies over http, not over https', async () => {
    const tlsOnly = policy('bucket-policy', {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [BUCKET, `${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const overHttp = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/public/a`, { secureTransport: false }), {
      identityPolicies: [readPublic],
      resourcePolicy: tlsOnly,
    });
    expect(overHttp.decision).toBe('ExplicitlyDenied');
    expect(overHttp.statements).toEqual([{ policy: 'bucket-policy', statement: 'DenyInsecureTransport', effect: 'Deny' }]);
    const overHttps = await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/public/a`), { identityPolicies: [readPublic], resourcePolicy: tlsOnly });
    expect(overHttps.decision).toBe('Allowed');
  });

  test('wildcards in actions and resources, and NotResource', async () => {
    const broad = policy('reader/broad', { Sid: 'AllButPremium', Effect: 'Allow', Action: 's3:Get*', NotResource: `${BUCKET}/premium/*` });
    expect((await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/anything/x`), { identityPolicies: [broad] })).decision).toBe('Allowed');
    expect((await evaluator.evaluate(request('s3:GetObject', `${BUCKET}/premium/x`), { identityPolicies: [broad] })).decision).toBe('ImplicitlyDenied');
    expect((await evaluator.evaluate(request('s3:PutObject', `${BUCKET}/anything/x`), { identityPolicies: [broad] })).decision).toBe('ImplicitlyDenied');
  });

  test('appsync:GraphQL on field ARNs', async () => {
    const api = `arn:aws:appsync:eu-west-1:${ACCOUNT}:apis/abc`;
    const fields = policy('caller/graphql', { Sid: 'Fields', Effect: 'Allow', Action: 'appsync:GraphQL', Resource: [`${api}/types/Query/fields/articles`] });
    expect((await evaluator.evaluate(request('appsync:GraphQL', `${api}/types/Query/fields/articles`), { identityPolicies: [fields] })).decision).toBe('Allowed');
    expect((await evaluator.evaluate(request('appsync:GraphQL', `${api}/types/Mutation/fields/createArticle`), { identityPolicies: [fields] })).decision).toBe(
      'ImplicitlyDenied',
    );
  });

  test('a role ARN that is not one is refused, never allowed', async () => {
    await expect(evaluator.evaluate(request('s3:GetObject', `${BUCKET}/public/a`, { roleArn: 'not-an-arn' }), { identityPolicies: [readPublic] })).rejects.toThrow(
      /roleArn = "not-an-arn"/,
    );
  });
});
