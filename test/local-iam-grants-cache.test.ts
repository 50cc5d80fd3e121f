import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluateIamGrants, type IamCallerSupport } from '../local/graphql/iam-callers';
import { StackAuthorizer, type StackRequest } from '../local/iam/stack-authorizer';
import { readStackIam } from '../local/iam/stack-iam';
import { synthesizeLocalStack } from './helpers/local-stack';

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
  cacheDir = mkdtempSync(path.join(tmpdir(), 'iam-grants-cache-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

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
});
