import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorText, formatErrorParts, UserFacingError } from '../config/errors';
import { ConfigError } from '../config';
import { AccessCheckError } from '../access/checks';
import { ResolverCatalogError } from '../constructs/resolver-catalog';
import { MovedEntryError } from '../addresses/apply-moved';
import { MOVED } from '../addresses/moved';
import { StackReadError } from '../local/stack-reader';
import { AppSyncJsCodeError } from '../local/appsync-js';
import { repoRoot } from '../config/paths';

// A mistake in the user's own files or input reaches them as a message, never a Node stack trace:
// each BUILT entry point runs as a child process on a temporary copy of the project with one thing
// broken, and must print the message, no `    at ...` frame, and exit 1.
const ROOT = repoRoot();
const STACK_FRAME = /\n\s+at /;

let dir: string;

/** The compiled project (dist/, config/, schema, resolvers, trigger sources) in a temporary folder; repoRoot() is that folder there. */
function copyBuiltProject(): string {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build` first (npm test does)');
  const to = mkdtempSync(join(tmpdir(), 'user-facing-errors-'));
  for (const p of ['dist', 'package.json', 'config', 'schema.graphql', 'resolvers', 'lambdas']) cpSync(join(ROOT, p), join(to, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'), 'dir');
  return to;
}

/** Runs a built entry point of the copy; `prelude` is JavaScript required first (e.g. to patch the config module). */
function run(entry: string, args: string[] = [], prelude?: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const preludeArgs: string[] = [];
  if (prelude) {
    const file = join(dir, 'prelude.js');
    writeFileSync(file, prelude);
    preludeArgs.push('--require', file);
  }
  return spawnSync(process.execPath, [...preludeArgs, join(dir, 'dist', entry), ...args], {
    cwd: dir,
    env: { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: join(dir, 'cdktf.out'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** A config value the validation refuses, patched into the copy's compiled config module. */
function badConfigPrelude(): string {
  return `require(${JSON.stringify(join(dir, 'dist', 'config', 'project.js'))}).project.storage.rules[1].read.groups[0] = 'subscriber';`;
}
const BAD_CONFIG_MESSAGE = 'config/project.ts: storage.rules[1].read.groups[0] = "subscriber": expected one of the groups';

function expectMessageOnly(r: SpawnSyncReturns<string>, message: string): void {
  expect(r.error).toBeUndefined();
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.status).toBe(1);
}

beforeEach(() => {
  dir = copyBuiltProject();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('synth (dist/main.js)', () => {
  test('a resolver file for a field the schema lacks', () => {
    writeFileSync(join(dir, 'resolvers', 'Query.noSuchField.[none].ts'), 'export function request() { return {}; }\nexport function response(ctx) { return ctx.result; }\n');
    const r = run('main.js');
    expectMessageOnly(r, "resolvers/Query.noSuchField.[none].ts: field 'noSuchField' is not in type Query of the schema");
    expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
  });

  test('a bad config value', () => {
    expectMessageOnly(run('main.js', [], badConfigPrelude()), BAD_CONFIG_MESSAGE);
  });

  test('a bad moved entry', () => {
    const moved = join(dir, 'dist', 'addresses', 'moved.js');
    const r = run('main.js', [], `require(${JSON.stringify(moved)}).MOVED.push({ from: 'aws_cognito_user_pool.old', to: 'not an address', reason: 'test' });`);
    expectMessageOnly(r, `addresses/moved.ts: MOVED[${MOVED.length}] (from "aws_cognito_user_pool.old" to "not an address"): to "not an address" is not a resource address`);
  });

  test('schema text Terraform would read as template syntax', () => {
    const schema = readFileSync(join(dir, 'schema.graphql'), 'utf8');
    writeFileSync(join(dir, 'schema.graphql'), `"""costs \${price}"""\n${schema}`);
    expectMessageOnly(run('main.js'), 'schema.graphql: contains "${", which Terraform reads as template syntax');
  });
});

describe('npm start (dist/local/start.js)', () => {
  test('a broken stack file', () => {
    const stack = join(dir, 'broken.tf.json');
    writeFileSync(stack, JSON.stringify({ resource: { aws_cognito_user_pool: {} } }));
    const r = run('local/start.js', ['--stack', stack, '--port', '0', '--user-pool-port', '0', '--dynamodb-port', '0', '--data-dir', join(dir, 'data'), '--outputs', join(dir, 'out.json')]);
    expectMessageOnly(r, `local mode did not start: ${stack}: `);
  });

  test('a bad config value', () => {
    expectMessageOnly(run('local/start.js', ['--stack', join(dir, 'unused.json')], badConfigPrelude()), `local mode did not start: ${BAD_CONFIG_MESSAGE}`);
  });

  test('an unknown option', () => {
    expectMessageOnly(run('local/start.js', ['--bogus']), "Unknown option '--bogus'");
  });
});

describe('npm run access (dist/access/cli.js)', () => {
  test('a bad config value', () => {
    expectMessageOnly(run('access/cli.js', ['--check'], badConfigPrelude()), BAD_CONFIG_MESSAGE);
  });

  test('a ref that is not a commit', () => {
    expectMessageOnly(run('access/cli.js', ['--diff', 'no-such-ref']), '--diff no-such-ref: not a commit in the git repository');
  });
});

describe('npm run explain (dist/access/explain-cli.js)', () => {
  test('a bad config value', () => {
    expectMessageOnly(run('access/explain-cli.js', ['--groups', 'editors'], badConfigPrelude()), BAD_CONFIG_MESSAGE);
  });

  test('a user who is not a demo user', () => {
    expectMessageOnly(run('access/explain-cli.js', ['--user', 'nobody@example.com']), '--user nobody@example.com: not in config/project.ts local.demoUsers');
  });

  test('an unknown option', () => {
    expectMessageOnly(run('access/explain-cli.js', ['--bogus']), "Unknown option '--bogus'");
  });
});

describe('npm run compliance (dist/compliance/cli.js)', () => {
  test('no synthesized stacks', () => {
    expectMessageOnly(run('compliance/cli.js'), `${join(dir, 'cdktf.out', 'stacks')}: no synthesized stacks. Fix: synthesize first`);
  });

  test('a bad config value', () => {
    mkdirSync(join(dir, 'cdktf.out', 'stacks'), { recursive: true });
    expectMessageOnly(run('compliance/cli.js', [], badConfigPrelude()), BAD_CONFIG_MESSAGE);
  });
});

describe('npm run review (dist/review/cli.js)', () => {
  test('a ref that is not a commit', () => {
    expectMessageOnly(run('review/cli.js', ['no-such-ref']), 'no-such-ref: not a commit in the git repository');
  });
});

describe('npm run addresses (dist/addresses/cli.js)', () => {
  test('a project whose synth fails on a resolver file for a field the schema lacks', () => {
    writeFileSync(join(dir, 'resolvers', 'Query.noSuchField.[none].ts'), 'export function request() { return {}; }\nexport function response(ctx) { return ctx.result; }\n');
    expectMessageOnly(run('addresses/cli.js', ['--check']), "resolvers/Query.noSuchField.[none].ts: field 'noSuchField' is not in type Query of the schema");
  });
});

describe('npm run tf:config (dist/scripts/terraform-cli-config.js)', () => {
  test('unknown arguments', () => {
    expectMessageOnly(run('scripts/terraform-cli-config.js', ['--bogus']), '--bogus: unknown arguments; usage: npm run tf:config');
  });

  test('a provider mirror without the provider', () => {
    const mirror = join(dir, 'empty-mirror');
    mkdirSync(mirror);
    expectMessageOnly(run('scripts/terraform-cli-config.js', [], undefined, { TF_PROVIDER_MIRROR: mirror }), `TF_PROVIDER_MIRROR=${mirror} does not contain registry.terraform.io/hashicorp/aws/`);
  });
});

describe('npm run bench:readme (dist/scripts/bench/readme.js)', () => {
  test('no bench results yet', () => {
    expectMessageOnly(run('scripts/bench/readme.js'), `${join(dir, '.tmp', 'bench.json')} is missing: run \`npm run bench\` first`);
  });
});

describe('the error contract', () => {
  test('every error about the user\'s own files or input is a UserFacingError', () => {
    const errors = [
      new ConfigError('config/project.ts', 'region', 'moon-1', 'an AWS region'),
      new AccessCheckError([{ location: 'schema.graphql:3', problem: 'p', fix: 'f' }]),
      new ResolverCatalogError('resolvers/x.ts', 'p'),
      new MovedEntryError('addresses/moved.ts: MOVED[0]', 'p'),
      new StackReadError('stack.json', 'resource', 1, 'an object'),
      new AppSyncJsCodeError('Query.me', ['p']),
    ];
    for (const e of errors) expect(e).toBeInstanceOf(UserFacingError);
    expect(errors.map((e) => e.name)).toEqual(['ConfigError', 'AccessCheckError', 'ResolverCatalogError', 'MovedEntryError', 'StackReadError', 'AppSyncJsCodeError']);
  });

  test('renders <location>: <problem>. Fix: <fix>. and keeps the established value form', () => {
    expect(formatErrorParts({ location: 'schema.graphql:3', problem: 'names "admin"', fix: 'use admins' })).toBe('schema.graphql:3: names "admin". Fix: use admins.');
    expect(new ConfigError('config/project.ts', 'region', 'moon-1', 'an AWS region').message).toBe('config/project.ts: region = "moon-1": expected an AWS region');
  });

  test('a user-facing error prints as its message; any other error (a bug) keeps its stack', () => {
    expect(errorText(new ResolverCatalogError('resolvers/x.ts', 'is wrong'))).toBe('resolvers/x.ts: is wrong');
    expect(errorText(new TypeError('x is undefined'))).toMatch(STACK_FRAME);
  });
});
