import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../config/paths';
import { runReviewCli } from '../review/cli';
import { reviewReport, valuePair, type ReviewResult } from '../review/report';

/**
 * The pull-request report, on a temporary git repository holding a copy of this project: a
 * clean tree, then a committed change that renames the user pool's construct (its address
 * moves), changes a group's description, narrows a storage rule and a field's groups; then the
 * moved entry that keeps the pool. Each review synthesizes both sides for real.
 */

jest.setTimeout(600_000);

let repo: string;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: repo, encoding: 'utf8' });

/** Replaces `from` by `to` in a file of the copy; fails when the text is not there (the project changed under the test). */
function edit(file: string, from: string, to: string): void {
  const path = join(repo, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file}: ${JSON.stringify(from)} not found; update this test`);
  writeFileSync(path, text.replace(from, to));
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'review-repo-'));
  const root = repoRoot();
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(repo, f)), { recursive: true });
    cpSync(join(root, f), join(repo, f));
  }
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');
  symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'), 'dir');
});

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

test('a ref that is not a commit is refused (exit 1) before anything is synthesized', () => {
  const err: string[] = [];
  expect(runReviewCli(['no-such-ref'], { root: repo, out: () => undefined, err: (t) => err.push(t) })).toBe(1);
  expect(err.join('\n')).toContain('review no-such-ref: not a commit in the git repository at');
  expect(runReviewCli([], { root: repo, out: () => undefined, err: () => undefined })).toBe(2);
});

test('a long changed value (a policy document) is cut to the part that differs', () => {
  const policy = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ReadObjects', Effect: 'Allow', Action: actions, Resource: ['arn:aws:s3:::content-dev-assets/public/*', 'arn:aws:s3:::content-dev-assets/premium/*'] }] });
  const [before, after] = valuePair(policy(['s3:GetObject']), policy(['s3:GetObject', 's3:PutObject']));
  expect(after).toContain('s3:PutObject');
  expect(before).not.toContain('s3:PutObject');
  expect(before.startsWith('`…')).toBe(true);
  expect(after.length).toBeLessThan(policy(['s3:GetObject', 's3:PutObject']).length);
  expect(valuePair(undefined, 'x')).toEqual(['—', '`"x"`']);
});

test('a clean tree: "No changes", compliance included', () => {
  const r = reviewReport({ root: repo, ref: 'HEAD' });
  expect(r.clean).toBe(true);
  expect(r.markdown).toMatch(/^## Infrastructure review: `HEAD` \([0-9a-f]{7}\) → working tree\n\nNo changes: resources \(dev, prod\), access and identity pool are as at/);
  expect(r.markdown).toContain('### Compliance\n\nNo compliance changes.');
  expect(r.markdown).not.toContain('### Resources');
});

describe('a committed change', () => {
  let changed: ReviewResult;
  let pool: string;

  beforeAll(() => {
    const base = JSON.parse(readFileSync(join(repo, 'docs/resource-addresses.json'), 'utf8')) as Record<string, string[]>;
    pool = base.dev.find((a) => a.startsWith('aws_cognito_user_pool.'))!;
    edit('constructs/user-directory.ts', "new CognitoUserPool(this, 'user-pool',", "new CognitoUserPool(this, 'users',");
    edit('config/project.ts', "description: 'Write and publish articles'", "description: 'Write, review and publish articles'");
    edit('config/project.ts', "read: { groups: ['subscribers', 'editors', 'admins'] },", "read: { groups: ['editors', 'admins'] },");
    edit('schema.graphql', 'reviewNotes: String @aws_cognito_user_pools(cognito_groups: ["editors", "admins"])', 'reviewNotes: String @aws_cognito_user_pools(cognito_groups: ["admins"])');
    git('commit', '-qam', 'rename the user pool construct, narrow access');
    changed = reviewReport({ root: repo, ref: 'HEAD~1' });
  });

  test('the user pool whose address moved gets a destroy-and-recreate warning with the moved block that fixes it, in every environment', () => {
    expect(changed.clean).toBe(false);
    for (const env of ['dev', 'prod']) {
      const d = changed.environments.find((e) => e.env === env)!;
      expect(d.renamed).toHaveLength(1);
      expect(d.renamed[0]).toMatchObject({ address: pool, protected: true });
      expect(d.renamed[0].candidates[0]).toMatch(/^aws_cognito_user_pool\.directory_users_[0-9A-F]{8}$/);
    }
    const to = changed.environments[0].renamed[0].candidates[0];
    expect(changed.markdown).toContain('### ⚠ Destroy and recreate (2)');
    expect(changed.markdown).toContain(`- **dev**: \`${pool}\` disappears while \`${to}\` appears. Terraform would **destroy** the existing aws_cognito_user_pool`);
    expect(changed.markdown).toContain(`  { from: '${pool}', to: '${to}', reason: '<why it moved>' },`);
    expect(changed.markdown).toContain(`  moved {\n    from = ${pool}\n    to   = ${to}\n  }`);
  });

  test('changed attributes per environment, with before and after', () => {
    const dev = changed.environments.find((e) => e.env === 'dev')!;
    const group = dev.changed.find((c) => c.address.startsWith('aws_cognito_user_group.directory_group-editors_'))!;
    expect(group.attributes).toEqual([
      { key: 'description', before: 'Write and publish articles', after: 'Write, review and publish articles' },
      // It refers to the pool, whose address moved.
      { key: 'user_pool_id', before: `\${${pool}.id}`, after: expect.stringMatching(/^\$\{aws_cognito_user_pool\.directory_users_[0-9A-F]{8}\.id\}$/) },
    ]);
    expect(changed.markdown).toContain('### Resources: dev');
    expect(changed.markdown).toContain('### Resources: prod');
    expect(changed.markdown).toContain('| `description` | `"Write and publish articles"` | `"Write, review and publish articles"` |');
    // The subscribers' storage policy loses premium/ reads.
    expect(dev.changed.map((c) => c.address)).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\.store_policy-subscribers_/)]));
  });

  test('the access diff, the identity-pool changes and the compliance hook are sections of the same report', () => {
    expect(changed.access.fields).toEqual([expect.objectContaining({ persona: 'editors', field: 'Article.reviewNotes', change: 'lost' })]);
    expect(changed.markdown).toMatch(/### Access: `HEAD~1` \([0-9a-f]{7}\) → working tree\n\n\*\*Lost\*\* \(1\)/);
    expect(changed.markdown).toContain('| editors | `Article.reviewNotes` |');
    expect(changed.markdown).toContain('### Identity pool\n\nRole mapping and storage per persona:');
    expect(changed.markdown).toContain('| subscribers | storage read | public/, premium/, private/{owner}/ | public/, private/{owner}/ |');
    expect(changed.markdown).toMatch(/- dev: `aws_cognito_identity_pool_roles_attachment\.access_roles_[0-9A-F]{8}` changed \(`role_mapping`\)/);
    // The compliance report on both sides: the pool's controls now judge the new address.
    expect(changed.markdown).toMatch(/### Compliance\n\n\| environment · control · resource \| before \| after \|/);
    expect(changed.markdown).toMatch(/\| prod · Cognito\.5 · aws_cognito_user_pool\.directory_user-pool_5F9EB515 \| PASS \| not evaluated \|/);
    expect(changed.markdown).toMatch(/\| prod · Cognito\.5 · aws_cognito_user_pool\.directory_users_[0-9A-F]{8} \| not evaluated \| PASS \|/);
  });

  test('with the moved entry in addresses/moved.ts the rename is a move: no warning, nothing destroyed', () => {
    const to = changed.environments[0].renamed[0].candidates[0];
    edit('addresses/moved.ts', 'export const MOVED: readonly MovedEntry[] = [', `export const MOVED: readonly MovedEntry[] = [{ from: '${pool}', to: '${to}', reason: 'construct renamed' },`);
    const r = reviewReport({ root: repo, ref: 'HEAD~1', complianceDiff: null });
    for (const d of r.environments) {
      expect(d.renamed).toEqual([]);
      expect(d.removed).toEqual([]);
      expect(d.moved).toEqual([{ from: pool, to }]);
    }
    expect(r.markdown).not.toContain('Destroy and recreate');
    expect(r.markdown).toContain(`**Moved (state kept, no destroy)** (1)\n\n- \`${pool}\` → \`${to}\``);
  });
});
