import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAccessCli } from '../access/cli';
import { diffMatrices, renderDiffMarkdown } from '../access/diff';
import { MATRIX_MD, matrixFiles, matrixJson, matrixOf, README, staleFiles, SUMMARY_END, SUMMARY_START, withOperationsSummary } from '../access/matrix-files';
import { renderMatrixMarkdown, renderOperationsSummary } from '../access/matrix-markdown';
import { loadConfig, ResolvedConfig } from '../config';
import { repoRoot } from '../config/paths';
import { fixtureConfig, indexer } from './fixtures/access/fixture-config';

const ROOT = repoRoot();
const FIXTURE_SDL = readFileSync(join(__dirname, 'fixtures', 'access', 'clean.graphql'), 'utf8');
const config: ResolvedConfig = fixtureConfig({
  storage: { rules: [{ prefix: 'public/', read: 'authenticated' }, { prefix: 'drafts/', read: { groups: ['editors'] }, write: { groups: ['editors'] } }] },
  api: {
    iamCallers: [indexer('Query.posts')],
    rowRules: [{ field: 'Mutation.publish', groups: ['editors'], rule: 'own posts only' }],
  },
});

describe('the committed matrix', () => {
  it('docs/access-matrix.md, .json and the README summary are what schema.graphql and config/project.ts give (run `npm run access`)', () => {
    const files = matrixFiles(matrixOf(loadConfig(), readFileSync(join(ROOT, 'schema.graphql'), 'utf8')), ROOT);
    expect(staleFiles(ROOT, files)).toEqual([]);
  });
});

describe('matrix', () => {
  const m = matrixOf(config, FIXTURE_SDL);
  const cell = (field: string, persona: string) => {
    const row = m.rows.find((r) => `${r.type}.${r.field}` === field);
    if (!row) throw new Error(`no row ${field}`);
    return row.cells[persona];
  };

  it('has one column per group, signed in without group, the server client, each IAM caller, no credentials', () => {
    expect(m.personas.map((p) => p.id)).toEqual(['group:admins', 'group:editors', 'signed-in', 'client:server', 'iam:indexer', 'anonymous']);
  });

  it("refuses the server client's client-credentials token before any field, with the auth model's reason", () => {
    const reason =
      'a token without a user (scope: content/read content/write), such as a client-credentials token, is refused: ' +
      'resource-server scopes open no field of this API: HTTP 401 UnauthorizedException before any field is resolved';
    for (const row of m.rows) expect(row.cells['client:server']).toEqual({ allowed: false, rule: 'request', reason });
    expect(renderMatrixMarkdown(m)).toContain('(server client (client credentials): a token without a user (scope: content/read content/write)');
  });

  it('has one row per reachable field, grouped by type, roots first', () => {
    expect(m.rows.map((r) => `${r.type}.${r.field}`)).toEqual([
      'Query.posts',
      'Query.secret',
      'Mutation.publish',
      'Subscription.onPublish',
      'Post.id',
      'Post.title',
      'Post.body',
      'Published.id',
    ]);
  });

  it.each([
    ['Query.secret', 'group:admins', true, 'field'],
    ['Query.secret', 'group:editors', false, 'field'],
    ['Query.posts', 'iam:indexer', true, 'field'],
    ['Post.title', 'iam:indexer', true, 'type'],
    ['Post.body', 'iam:indexer', false, 'field'],
    ['Post.body', 'signed-in', false, 'field'],
    ['Post.title', 'signed-in', true, 'type'],
    ['Published.id', 'iam:indexer', false, 'type'],
    ['Query.posts', 'anonymous', false, 'request'],
  ] as const)('%s for %s: allowed %s by %s', (field, persona, allowed, rule) => {
    expect(cell(field, persona)).toMatchObject({ allowed, rule });
  });

  it('marks a row rule on the groups it narrows only', () => {
    expect(cell('Mutation.publish', 'group:editors').rowRule).toBe('own posts only');
    expect(cell('Mutation.publish', 'group:admins').rowRule).toBeUndefined();
    const md = renderMatrixMarkdown(m);
    expect(md).toContain('| `publish` | field: @aws_cognito_user_pools(cognito_groups: [editors]) | ✗ field | ✓* field [^1] | ✗ field | ✗ 401 | ✗ field | ✗ 401 |');
    expect(md).toContain('[^1]: Mutation.publish: own posts only');
  });

  it('shows each persona’s identity-pool role and storage', () => {
    const md = renderMatrixMarkdown(m);
    expect(md).toContain('| editors | editors role | rule 2 (cognito:groups Contains "editors") matches first: the editors role | `public/`, `drafts/` | `drafts/` |');
    expect(md).toContain('| signed in, no group | default authenticated role |');
  });
});

describe('matrix JSON', () => {
  const m = matrixOf(config, FIXTURE_SDL);

  test('parses to exactly the matrix, one row per line', () => {
    const text = matrixJson(m);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(m)));
    const rowLines = text.split('\n').filter((line) => line.trimStart().startsWith('{"type":'));
    expect(rowLines).toHaveLength(m.rows.length);
  });
});

describe('README summary', () => {
  const m = matrixOf(config, FIXTURE_SDL);

  it('lists every root operation with ✓, ✓* (row rule) or ✗ per persona, from the matrix', () => {
    const lines = renderOperationsSummary(m).trim().split('\n');
    expect(lines[0]).toBe('| operation | admins | editors | signed in, no group | server client (client credentials) | IAM indexer | no credentials |');
    expect(lines.slice(2)).toEqual([
      '| `Query.posts` | ✓ | ✓ | ✓ | ✗ | ✓ | ✗ |',
      '| `Query.secret` | ✓ | ✗ | ✗ | ✗ | ✗ | ✗ |',
      '| `Mutation.publish` | ✗ | ✓* | ✗ | ✗ | ✗ | ✗ |',
      '| `Subscription.onPublish` | ✓ | ✓ | ✓ | ✗ | ✗ | ✗ |',
    ]);
  });

  it('replaces only the text between the markers, and names the README when they are missing', () => {
    const readme = `intro\n${SUMMARY_START}\nold table\n${SUMMARY_END}\noutro\n`;
    expect(withOperationsSummary(readme, 'new table\n')).toBe(`intro\n${SUMMARY_START}\nnew table\n${SUMMARY_END}\noutro\n`);
    expect(() => withOperationsSummary('no markers here', 'x')).toThrow(/README\.md: the markers .* are missing/);
  });
});

describe('diff', () => {
  it('reports gained and lost access per persona and field, and identity-pool changes', () => {
    const before = matrixOf(config, FIXTURE_SDL);
    const widened = FIXTURE_SDL.replace('cognito_groups: ["admins"]', 'cognito_groups: ["admins", "editors"]').replace(
      'body: String @aws_cognito_user_pools(cognito_groups: ["editors", "admins"])',
      'body: String @aws_cognito_user_pools(cognito_groups: ["admins"])',
    );
    const after = matrixOf({ ...config, identityPool: { ...config.identityPool, ambiguousRoleResolution: 'Deny' } }, widened);
    const d = diffMatrices(before, after);
    expect(d.fields.map((f) => `${f.change} ${f.persona} ${f.field}`)).toEqual(['gained editors Query.secret', 'lost editors Post.body']);
    expect(d.identityPool.map((c) => `${c.persona} ${c.what}: ${c.before} -> ${c.after}`)).toEqual([
      'signed in, no group role: default authenticated role -> no credentials',
      'signed in, no group storage read: public/ -> ',
    ]);
    const md = renderDiffMarkdown(d, 'main', 'working tree');
    expect(md).toContain('**Gained** (1)');
    expect(md).toContain('| editors | `Query.secret` | ✗ field directive');
    expect(md).toContain('**Lost** (1)');
  });

  it('says so when nothing changed', () => {
    const m = matrixOf(config, FIXTURE_SDL);
    expect(renderDiffMarkdown(diffMatrices(m, m), 'a', 'b')).toContain('No access changes.');
  });
});

describe('cli', () => {
  let dir: string;
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { root: dir, config, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-cli-'));
    writeFileSync(join(dir, 'schema.graphql'), FIXTURE_SDL);
    writeFileSync(join(dir, README), `# Fixture\n\n${SUMMARY_START}\n${SUMMARY_END}\n\nafter\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--check fails on missing or stale files and passes after writing them', () => {
    const a = io();
    expect(runAccessCli(['--check'], a.io)).toBe(1);
    expect(a.err.join()).toContain('docs/access-matrix.md, docs/access-matrix.json, README.md: stale');
    expect(runAccessCli([], io().io)).toBe(0);
    expect(runAccessCli(['--check'], io().io)).toBe(0);
    writeFileSync(join(dir, MATRIX_MD), readFileSync(join(dir, MATRIX_MD), 'utf8').replace('✗', '✓'));
    expect(runAccessCli(['--check'], io().io)).toBe(1);
  });

  it('--diff <ref> compares the schema and config at a commit of a git repository with the working tree', () => {
    // A repository holding this project's config at one commit; the working tree then narrows a field.
    cpSync(join(ROOT, 'config'), join(dir, 'config'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'schema.graphql'), readFileSync(join(ROOT, 'schema.graphql'), 'utf8'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    const narrowed = readFileSync(join(ROOT, 'schema.graphql'), 'utf8').replace(
      'drafts(limit: Int, nextToken: String): ArticleConnection!\n    @aws_cognito_user_pools(cognito_groups: ["editors", "admins"])',
      'drafts(limit: Int, nextToken: String): ArticleConnection!\n    @aws_cognito_user_pools(cognito_groups: ["admins"])',
    );
    writeFileSync(join(dir, 'schema.graphql'), narrowed);
    const a = io();
    expect(runAccessCli(['--diff', 'HEAD'], { ...a.io, config: loadConfig() })).toBe(0);
    const md = a.out.join('\n');
    expect(md).toMatch(/^### Access changes: `HEAD` \([0-9a-f]{7}\) → working tree/);
    expect(md).toContain('**Lost** (1)');
    expect(md).toContain('| editors | `Query.drafts` | ✓ field directive @aws_cognito_user_pools(cognito_groups: [editors, admins]): member of editors |');
    expect(md).not.toContain('**Gained**');
  });

  it('--diff names a ref that is not a commit', () => {
    execFileSync('git', ['init', '-q'], { cwd: dir });
    expect(() => runAccessCli(['--diff', 'no-such-ref'], io().io)).toThrow('--diff no-such-ref: not a commit');
  });

  it('--diff HEAD runs on this repository', () => {
    const a = io();
    expect(runAccessCli(['--diff', 'HEAD'], { ...a.io, root: ROOT, config: loadConfig() })).toBe(0);
    expect(a.out.join('\n')).toMatch(/^### Access changes: `HEAD` \([0-9a-f]{7}\) → working tree/);
  });

  it('refuses unknown arguments with the usage', () => {
    const a = io();
    expect(runAccessCli(['--frobnicate'], a.io)).toBe(2);
    expect(a.err.join()).toContain('usage: npm run access');
  });
});
