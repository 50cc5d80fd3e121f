import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../config/paths';

// The synth-time checks run inside `node dist/main.js` before app.synth() writes anything.
// The compiled app runs from a copy of the project whose schema names a group the config
// does not have; synth must fail with the schema line and leave no cdktf.out behind.
const ROOT = repoRoot();

describe('synth gate', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build` first (npm test does)');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-gate-'));
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    cpSync(join(ROOT, 'config'), join(dir, 'config'), { recursive: true }); // files the config names (SAML metadata)
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails before writing cdktf.out when the schema names a group the config lacks', () => {
    const schema = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
    const broken = schema.replace('@aws_cognito_user_pools(cognito_groups: ["admins"])', '@aws_cognito_user_pools(cognito_groups: ["admin"])');
    expect(broken).not.toBe(schema);
    writeFileSync(join(dir, 'schema.graphql'), broken);
    const line = broken.split('\n').findIndex((l) => l.includes('"admin"]')) + 1;

    const run = spawnSync(process.execPath, ['dist/main.js'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`schema.graphql:${line}: `);
    expect(run.stderr).toContain('names "admin", which is not a group in config/project.ts');
    expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
  });
});
