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
import { evaluatedMatrixOf } from '../access/evaluated-matrix';
import { readStackIam, type StackIam } from '../local/iam/stack-iam';
import { synthesizeLocalStack } from './helpers/local-stack';

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
  it('docs/access-matrix.md, .json and the README summary are what schema.graphql, config/project.ts and the synthesized policies give (run `npm run access`)', async () => {
    const iam = readStackIam(synthesizeLocalStack());
    const files = matrixFiles(await evaluatedMatrixOf(loadConfig(), readFileSync(join(ROOT, 'schema.graphql'), 'utf8'), iam, 'dev'), ROOT);
    expect(staleFiles(ROOT, files)).toEqual([]);
  });
});

describe('storage and IAM-caller cells evaluated from the synthesized policies', () => {
  const sdl = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
  let iam: StackIam;
  beforeAll(() => {
    iam = readStackIam(synthesizeLocalStack());
  });
  /** The stack with one more statement on a role's first policy. */
  const withStatement = (roleSuffix: string, statement: Record<string, unknown>): StackIam => ({
    ...iam,
    roles: iam.roles.map((r) =>
      !r.name.endsWith(roleSuffix)
        ? r
        : {
            ...r,
            policies: r.policies.map((p, i) => {
              if (i !== 0) return p;
              const list = Array.isArray(p.document.Statement) ? p.document.Statement : [p.document.Statement];
              return { ...p, document: { ...p.document, Statement: [...list, statement] } };
            }),
          },
    ),
  });

  it('every user-pool persona x prefix x read/write/list, decided by a named statement', async () => {
    const m = await evaluatedMatrixOf(loadConfig(), sdl, iam, 'dev');
    const row = (persona: string, prefix: string, whose?: string) => m.storage!.rows.find((r) => r.persona === persona && r.prefix === prefix && r.whose === whose)!;
    expect(row('group:subscribers', 'premium/').cells.read).toMatchObject({ allowed: true, decidedBy: expect.stringMatching(/^allowed by content-dev-group-subscribers\/.+ statement ReadObjects$/) });
    expect(row('group:subscribers', 'premium/').cells.write).toMatchObject({ allowed: false, decidedBy: 'implicitly denied: no statement allows it' });
    expect(row('signed-in', 'premium/').cells.list.allowed).toBe(false);
    expect(row('group:editors', 'premium/').cells.write.allowed).toBe(true);
    expect(row('group:editors', 'private/{owner}/', 'own').cells.write.allowed).toBe(true);
    expect(row('group:editors', 'private/{owner}/', 'other').cells.read.allowed).toBe(false);
    // The identity-pool summary reads the evaluated cells.
    expect(m.identityPool.personas.find((p) => p.persona === 'group:subscribers')!.storage.write).toEqual(['private/{owner}/']);
  });

  it('a role policy that grants more than the config fails the check, naming the statement', async () => {
    const widened = withStatement('group-subscribers', { Sid: 'TooWide', Effect: 'Allow', Action: 's3:PutObject', Resource: `${iam.bucket!.arn}/premium/*` });
    await expect(evaluatedMatrixOf(loadConfig(), sdl, widened, 'dev')).rejects.toThrow(
      /statement TooWide: s3:PutObject on premium\/ for persona group:subscribers .* is allowed by .*TooWide, but config storage.rules says it is denied/,
    );
  });

  it('an explicit deny the config does not intend fails the check, naming the denying statement', async () => {
    const denied = withStatement('group-editors', { Sid: 'NoPremiumReads', Effect: 'Deny', Action: 's3:GetObject', Resource: `${iam.bucket!.arn}/premium/*` });
    await expect(evaluatedMatrixOf(loadConfig(), sdl, denied, 'dev')).rejects.toThrow(/NoPremiumReads: s3:GetObject on premium\/ for persona group:editors .* explicitly denied by .*NoPremiumReads/);
  });

  it('IAM-caller cells follow the evaluated appsync:GraphQL policy; a field granted beyond the config fails', async () => {
    const config = loadConfig();
    const caller = config.api.iamCallers[0];
    const m = await evaluatedMatrixOf(config, sdl, iam, 'dev');
    const granted = m.rows.find((r) => `${r.type}.${r.field}` === caller.fields[0])!.cells[`iam:${caller.name}`];
    expect(granted.allowed).toBe(true);
    expect(granted.reason).toMatch(/appsync:GraphQL allowed by .+ statement GraphqlFields/);
    const roleName = iam.roles.find((r) => r.arn === iam.iamCallers.find((c) => c.name === caller.name)!.roleArn)!.name;
    const wider = withStatement(roleName, { Sid: 'AllFields', Effect: 'Allow', Action: 'appsync:GraphQL', Resource: `${iam.api!.arn}/*` });
    await expect(evaluatedMatrixOf(config, sdl, wider, 'dev')).rejects.toThrow(/AllFields: appsync:GraphQL on \S+ for IAM caller .* does not list it/);
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

describe('matrix of fields gated alike', () => {
  const sdl = `${FIXTURE_SDL}\nextend type Query { alike: Alike @aws_cognito_user_pools }\ntype Alike @aws_cognito_user_pools {\n  a: String @aws_cognito_user_pools(cognito_groups: ["editors"])\n  b: String @aws_cognito_user_pools(cognito_groups: ["editors"])\n  c: String @aws_cognito_user_pools(cognito_groups: ["editors"])\n}\n`;
  const m = matrixOf({ ...config, api: { ...config.api, rowRules: [...config.api.rowRules, { field: 'Alike.b', groups: [], rule: 'b rows only' }] } }, sdl);
  const row = (field: string) => m.rows.find((r) => `${r.type}.${r.field}` === field)!;

  it('marks a row rule on the field it names only', () => {
    expect(row('Alike.b').cells['group:editors']).toMatchObject({ allowed: true, rowRule: 'b rows only' });
    expect(row('Alike.a').cells['group:editors']).toEqual({ allowed: true, rule: 'field', reason: 'field directive @aws_cognito_user_pools(cognito_groups: [editors]): member of editors' });
    expect(row('Alike.c').cells['group:editors'].rowRule).toBeUndefined();
    expect(row('Alike.c').cells['group:admins']).toMatchObject({ allowed: false, rule: 'field' });
  });

  it('serializes every row in full', () => {
    expect(JSON.parse(matrixJson(m))).toEqual(JSON.parse(JSON.stringify(m)));
    expect(matrixJson(m)).toContain('{"type":"Alike","field":"c","line":');
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

  it('reports a changed IdP outcome of the identity-pool section (an OIDC IdP\'s group now maps elsewhere)', () => {
    const withOidc = (group: string): ResolvedConfig =>
      fixtureConfig({
        storage: config.storage,
        identityProviders: { oidc: [{ name: 'PartnerOIDC', issuer: 'https://login.partner.example.net', clientId: 'c', groupsClaim: 'groups', groupMapping: { 'partner-writers': group } }] },
      });
    const d = diffMatrices(matrixOf(withOidc('editors'), FIXTURE_SDL), matrixOf(withOidc('admins'), FIXTURE_SDL));
    expect(d.fields).toEqual([]);
    expect(d.identityPool.filter((c) => c.what === 'role').map((c) => `${c.persona}: ${c.before} -> ${c.after}`)).toEqual([
      'IdP PartnerOIDC: groups has "partner-writers" -> editors: editors role -> absent',
      'IdP PartnerOIDC: groups has "partner-writers" -> admins: absent -> admins role',
    ]);
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
    return { out, err, io: { root: dir, config, stack: null, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-cli-'));
    writeFileSync(join(dir, 'schema.graphql'), FIXTURE_SDL);
    writeFileSync(join(dir, README), `# Fixture\n\n${SUMMARY_START}\n${SUMMARY_END}\n\nafter\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--check fails on missing or stale files and passes after writing them', async () => {
    const a = io();
    expect(await runAccessCli(['--check'], a.io)).toBe(1);
    expect(a.err.join()).toContain('docs/access-matrix.md, docs/access-matrix.json, README.md: stale');
    expect(await runAccessCli([], io().io)).toBe(0);
    expect(await runAccessCli(['--check'], io().io)).toBe(0);
    writeFileSync(join(dir, MATRIX_MD), readFileSync(join(dir, MATRIX_MD), 'utf8').replace('✗', '✓'));
    expect(await runAccessCli(['--check'], io().io)).toBe(1);
  });

  it('--diff <ref> compares the schema and config at a commit of a git repository with the working tree', async () => {
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
    expect(await runAccessCli(['--diff', 'HEAD'], { ...a.io, config: loadConfig() })).toBe(0);
    const md = a.out.join('\n');
    expect(md).toMatch(/^### Access changes: `HEAD` \([0-9a-f]{7}\) → working tree/);
    expect(md).toContain('**Lost** (1)');
    expect(md).toContain('| editors | `Query.drafts` | ✓ field directive @aws_cognito_user_pools(cognito_groups: [editors, admins]): member of editors |');
    expect(md).not.toContain('**Gained**');
  });

  it('--diff names a ref that is not a commit', async () => {
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await expect(runAccessCli(['--diff', 'no-such-ref'], io().io)).rejects.toThrow('--diff no-such-ref: not a commit');
  });

  it('--diff HEAD runs on this repository', async () => {
    const a = io();
    expect(await runAccessCli(['--diff', 'HEAD'], { ...a.io, root: ROOT, config: loadConfig() })).toBe(0);
    expect(a.out.join('\n')).toMatch(/^### Access changes: `HEAD` \([0-9a-f]{7}\) → working tree/);
  });

  it('refuses unknown arguments with the usage', async () => {
    const a = io();
    expect(await runAccessCli(['--frobnicate'], a.io)).toBe(2);
    expect(a.err.join()).toContain('usage: npm run access');
  });
});
