import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataResource, Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { loadConfig, stackConfig } from '../config';
import { repoPath } from '../config/paths';
import { ContentStack } from '../constructs/content-stack';
import { loadApiSource } from '../constructs/graphql-api';
import { ADDRESSES_FILE, addressListOf, addressListText, readStacks, type AddressList, type StackJson } from '../addresses/address-list';
import { applyMoved, applyMovedToStacks, MovedEntryError } from '../addresses/apply-moved';
import { addressProblems } from '../addresses/cli';
import { runBuiltApp } from './helpers/app';
import { offlineTerraformEnv, planSummary, requireTerraform, terraform } from './helpers/terraform';

/**
 * Resource addresses never change by accident: the committed list matches the app, a rename
 * without a moved entry is refused with the entry to add, and a moved entry becomes a Terraform
 * `moved` block that really keeps the state (planned offline).
 */

let workDir: string;
let stacks: Record<string, StackJson>;
let committed: AddressList;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'addresses-'));
  const synth = runBuiltApp(join(workDir, 'cdktf.out'));
  if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stderr}`);
  stacks = readStacks(join(workDir, 'cdktf.out'));
  committed = JSON.parse(readFileSync(repoPath(ADDRESSES_FILE), 'utf8'));
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const POOL = (s: StackJson) => `aws_cognito_user_pool.${Object.keys(s.resource!.aws_cognito_user_pool)[0]}`;
const TABLE = (s: StackJson) => `aws_dynamodb_table.${Object.keys(s.resource!.aws_dynamodb_table)[0]}`;

/** The stack with one resource's logical id replaced, as a construct rename would do. */
function renamed(s: StackJson, address: string, newId: string): StackJson {
  const [type, id] = address.split('.');
  const copy = structuredClone(s) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  copy.resource[type][newId] = copy.resource[type][id];
  delete copy.resource[type][id];
  return copy;
}

test(`${ADDRESSES_FILE} lists every resource address the app synthesizes, per environment`, () => {
  // A failure names each lost address and the moved entry to add, before the staleness check.
  expect(addressProblems(committed, stacks)).toEqual([]);
  expect(readFileSync(repoPath(ADDRESSES_FILE), 'utf8')).toBe(addressListText(addressListOf(stacks)));
  expect(Object.keys(committed).sort()).toEqual(Object.keys(loadConfig().environments).sort());
  for (const env of Object.keys(committed)) {
    expect(committed[env]).toContain(POOL(stacks[env]));
    expect(committed[env]).toContain(TABLE(stacks[env]));
  }
});

test.each(['user pool', 'table'])('a renamed %s without a moved entry is refused, naming the moved entry that keeps it', (what) => {
  const address = what === 'user pool' ? POOL(stacks.dev) : TABLE(stacks.dev);
  const type = address.split('.')[0];
  const now = { ...stacks, dev: renamed(stacks.dev, address, 'renamed_construct_0000ABCD') };
  const problems = addressProblems(committed, now);
  expect(problems).toEqual([
    `dev: ${address} disappeared while a ${type} appeared (destroy and recreate) — if it was renamed to ${type}.renamed_construct_0000ABCD, ` +
      `add to addresses/moved.ts: { from: '${address}', to: '${type}.renamed_construct_0000ABCD', reason: '<why it moved>' },`,
  ]);
});

test('a removed resource (nothing of its type appears) is reported as a removal', () => {
  const address = TABLE(stacks.prod);
  const [type, id] = address.split('.');
  const now = structuredClone(stacks) as Record<string, { resource: Record<string, Record<string, Record<string, unknown>>> }>;
  delete now.prod.resource[type][id];
  expect(addressProblems(committed, now)).toEqual([
    `prod: ${address} disappeared — a removal: Terraform would destroy it; if that is meant, run \`npm run addresses -- --accept-removed\``,
  ]);
});

describe('moved entries (addresses/moved.ts) applied at synth', () => {
  const config = loadConfig();
  const apiSource = loadApiSource();
  const devStack = () => new ContentStack(Testing.app(), 'dev', { config: stackConfig(config, 'dev'), apiSource });

  test('a moved entry keeps the resource and adds a moved block; the address list then accepts the rename', () => {
    const stack = devStack();
    const pool = POOL(stacks.dev);
    const old = 'aws_cognito_user_pool.directory_old-pool_12345678';
    expect(applyMoved(stack, [{ from: old, to: pool, reason: 'construct renamed' }])).toHaveLength(1);
    const json = JSON.parse(Testing.synth(stack)) as StackJson;
    expect(json.moved).toEqual([{ from: old, to: pool }]);
    expect(Object.keys(json.resource!.aws_cognito_user_pool)).toEqual([pool.split('.')[1]]);
    // The committed list had the old address: with the moved block the rename is no problem.
    const before = { ...committed, dev: committed.dev.map((a) => (a === pool ? old : a)) };
    expect(addressProblems(before, { ...stacks, dev: json })).toEqual([]);
    expect(addressProblems(before, stacks)).toHaveLength(1);
  });

  test('refuses an entry whose target is missing, whose source still exists, that changes type or is not an address', () => {
    const pool = POOL(stacks.dev);
    const cases: Array<[object, string]> = [
      [{ from: 'aws_cognito_user_pool.old', to: 'aws_cognito_user_pool.nope', environments: ['dev'] }, 'stack dev has no resource aws_cognito_user_pool.nope'],
      [{ from: pool, to: pool }, `stack dev still has ${pool}`],
      [{ from: 'aws_dynamodb_table.old', to: pool }, 'moves aws_dynamodb_table to aws_cognito_user_pool'],
      [{ from: 'aws_cognito_user_pool.old', to: 'aws_cognito_user_pool.not zero' }, 'to "aws_cognito_user_pool.not zero" is not a resource address'],
    ];
    for (const [entry, message] of cases) {
      const err = (() => {
        try {
          applyMoved(devStack(), [{ reason: 'test', ...entry } as never]);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(MovedEntryError);
      expect(err!.message).toContain('addresses/moved.ts: MOVED[0]');
      expect(err!.message).toContain(message);
    }
    expect(() => applyMovedToStacks([devStack()], [{ from: 'aws_cognito_user_pool.old', to: 'aws_cognito_user_pool.typo', reason: 'x' }])).toThrow(
      'addresses/moved.ts: MOVED[0]: no stack (dev) has aws_cognito_user_pool.typo',
    );
  });
});

describe('terraform honours the synthesized moved block (offline, real state)', () => {
  /** A stack with one terraform_data resource at `directory/<id>`, optionally moved from an old address. */
  function write(dir: string, id: string, movedFrom?: string): string {
    const stack = new TerraformStack(Testing.app(), 'dev');
    const resource = new DataResource(new Construct(stack, 'directory'), id, { input: { pool: 'the pool and its users' } });
    const address = `terraform_data.${resource.friendlyUniqueId}`;
    if (movedFrom) applyMoved(stack, [{ from: movedFrom, to: address, reason: 'construct renamed' }]);
    writeFileSync(join(dir, 'cdk.tf.json'), Testing.synth(stack));
    return address;
  }

  test('a renamed construct with a moved entry plans as a move (nothing destroyed); without it, destroy and create', () => {
    requireTerraform();
    const dir = join(workDir, 'moved-plan');
    mkdirSync(dir, { recursive: true });
    const env = { ...offlineTerraformEnv(workDir), TF_DATA_DIR: join(workDir, 'moved-plan-data') };
    const old = write(dir, 'user-pool');
    terraform(['init', '-input=false'], dir, env);
    terraform(['apply', '-input=false', '-auto-approve'], dir, env);

    const renamedAddress = write(dir, 'users', old);
    expect(renamedAddress).not.toBe(old);
    const moved = terraform(['plan', '-input=false'], dir, env).stdout;
    expect(moved).toContain(`${old} has moved to ${renamedAddress}`);
    expect(planSummary(moved)).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(moved).not.toContain('will be destroyed');

    write(dir, 'users');
    expect(planSummary(terraform(['plan', '-input=false'], dir, env).stdout)).toEqual({ add: 1, change: 0, destroy: 1 });
  });
});
