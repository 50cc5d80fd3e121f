import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildAppSyncSchema } from '../access/appsync-schema';
import { createAuthModel } from '../access/auth-model';
import { evaluateIamGrants, type IamCallerSupport } from '../local/graphql/iam-callers';
import { StackAuthorizer, type StackRequest } from '../local/iam/stack-authorizer';
import { readStackIam } from '../local/iam/stack-iam';
import { readLocalStack } from '../local/stack-reader';
import { synthesizeLocalStack } from './helpers/local-stack';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

/** The stack's IAM as the endpoint has it, with a count of the simulations the authorizer runs. */
function support(): { support: IamCallerSupport; simulations: () => number } {
  const iam = readStackIam(synthesizeLocalStack());
  let simulations = 0;
  const authorizer = new StackAuthorizer(iam);
  const authorize = authorizer.authorize.bind(authorizer);
  authorizer.authorize = (r: StackRequest) => {
    simulations++;
    return authorize(r);
  };
  // evaluateIamGrants checks no signatures: the verifier is never called.
  const s = { sigv4: undefined as never, authorizer, region: iam.region, apiArn: iam.api!.arn };
  return { support: s, simulations: () => simulations };
}

const FIELDS = ['Query.articles', 'Query.article', 'Query.drafts', 'Mutation.createArticle'];
let cacheDir: string;
beforeEach(() => {
  cacheDir = temporaryDir('iam-grants-cache-');
});
afterEach(removeTemporaryDirs);

describe('the IAM grants, kept for the next start', () => {
  test('a later start of the same stack reads the kept grants and simulates nothing; they equal a fresh evaluation', async () => {
    const first = support();
    const evaluated = await evaluateIamGrants(first.support, FIELDS, cacheDir);
    expect(first.simulations()).toBeGreaterThan(0);
    expect(Object.values(evaluated).flat()).toContain('Query.articles');

    const later = support();
    expect(await evaluateIamGrants(later.support, FIELDS, cacheDir)).toEqual(evaluated);
    expect(later.simulations()).toBe(0);
    expect(await evaluateIamGrants(support().support, FIELDS)).toEqual(evaluated);
  }, 120_000);

  test('other fields, or a damaged file, are evaluated again (and kept again)', async () => {
    await evaluateIamGrants(support().support, FIELDS, cacheDir);
    const fewer = support();
    const grants = await evaluateIamGrants(fewer.support, FIELDS.slice(1), cacheDir);
    expect(fewer.simulations()).toBeGreaterThan(0);
    expect(Object.values(grants).flat()).not.toContain('Query.articles');

    writeFileSync(path.join(cacheDir, 'iam-grants.json'), '{"key":');
    const damaged = support();
    expect(await evaluateIamGrants(damaged.support, FIELDS, cacheDir)).toEqual(await evaluateIamGrants(support().support, FIELDS));
    expect(damaged.simulations()).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path.join(cacheDir, 'iam-grants.json'), 'utf8'))).toHaveProperty('grants');
  }, 120_000);

  test('a hand-edited file is ignored: a grant the policy does not give is still refused, and the file is written again', async () => {
    const first = support();
    const evaluated = await evaluateIamGrants(first.support, FIELDS, cacheDir);
    const file = path.join(cacheDir, 'iam-grants.json');
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { key: string; grants: Record<string, string[]>; digest: string };
    // The identity pool's authenticated role has no appsync:GraphQL grant; Query.articles is open to @aws_iam.
    const role = first.support.authorizer.iam.identityPool?.authenticatedRoleArn;
    expect(first.support.authorizer.iam.roles.map((r) => r.arn)).toContain(role);
    expect(evaluated[role!]).toBeUndefined();
    const stack = readLocalStack(synthesizeLocalStack());
    const schema = buildAppSyncSchema(stack.schemaSdl);
    const modes = { defaultMode: stack.api.defaultMode, additionalModes: stack.api.additionalModes };
    const refusedArticles = async () => {
      const later = support();
      const grants = await evaluateIamGrants(later.support, FIELDS, cacheDir);
      expect(grants).toEqual(evaluated);
      expect(later.simulations()).toBeGreaterThan(0);
      return createAuthModel(schema, { ...modes, iamGrants: grants }).decide('Query', 'articles', { mode: 'AWS_IAM', caller: role! }).allowed;
    };

    // A well-shaped edit (a role of the stack, a field that exists), its key kept: the digest no longer matches.
    writeFileSync(file, JSON.stringify({ ...kept, grants: { ...kept.grants, [role!]: ['Query.articles'] } }));
    expect(await refusedArticles()).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(kept);

    // Shapes this module never writes, even with a matching digest: a role not in the stack, a field that does not exist, not a list.
    // The digest as local/graphql/iam-callers.ts computes it: here only the shape can refuse the file.
    const digest = (grants: unknown) => createHash('sha256').update(kept.key).update('\0').update(JSON.stringify(grants)).digest('hex');
    for (const grants of [
      { ...kept.grants, 'arn:aws:iam::123456789012:role/not-in-the-stack': ['Query.articles'] },
      { ...kept.grants, [role!]: ['Query.articles', 'Query.noSuchField'] },
      { ...kept.grants, [role!]: 'Query.articles' },
    ]) {
      writeFileSync(file, JSON.stringify({ key: kept.key, grants, digest: digest(grants) }));
      expect(await refusedArticles()).toBe(false);
    }
  }, 120_000);
});
