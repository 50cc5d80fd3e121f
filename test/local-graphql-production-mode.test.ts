import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../config/paths';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

/**
 * The local mode's process (the GraphQL endpoint's) runs graphql-js in production mode
 * (local/graphql/production-mode.ts, imported first by local/start.ts) and leaves NODE_ENV as it
 * was started with. Checked in the built entry's own process: a probe preloaded with `-r` asks,
 * as the process exits (`--help` exits at once), which `instanceOf` graphql-js chose.
 */

const START = path.join(repoRoot(), 'dist', 'local', 'start.js');

/**
 * Production mode's `instanceOf` is a plain `instanceof`: a look-alike of another graphql copy is
 * simply not a GraphQLObjectType. Development mode's throws "Cannot use GraphQLObjectType ...
 * from another module or realm".
 */
const PROBE = `
const { writeSync } = require('node:fs');
process.on('exit', () => {
  const root = ${JSON.stringify(repoRoot())};
  const { GraphQLObjectType, isObjectType } = require(require.resolve('graphql', { paths: [root] }));
  const lookAlike = { [Symbol.toStringTag]: 'GraphQLObjectType' };
  let production;
  try { production = isObjectType(lookAlike) === false; } catch { production = false; }
  writeSync(2, 'PROBE ' + JSON.stringify({ production, nodeEnv: process.env.NODE_ENV ?? null, real: isObjectType(new GraphQLObjectType({ name: 'T', fields: {} })) }) + '\\n');
});
`;

let probe: string;

beforeAll(() => {
  probe = path.join(temporaryDir('graphql-mode-'), 'probe.js');
  writeFileSync(probe, PROBE);
});

afterAll(() => removeTemporaryDirs());

function probeStart(nodeEnv: string | undefined): { production: boolean; nodeEnv: string | null; real: boolean } {
  const env = { ...process.env };
  delete env.NODE_ENV;
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  const run = spawnSync(process.execPath, ['-r', probe, START, '--help'], { env, encoding: 'utf8', timeout: 60_000 });
  const line = run.stderr.split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) throw new Error(`no probe output (status ${run.status}): ${run.stderr}${run.stdout}`);
  return JSON.parse(line.slice('PROBE '.length)) as { production: boolean; nodeEnv: string | null; real: boolean };
}

describe('graphql-js production mode in the local mode process', () => {
  it('has loaded graphql-js in production mode, and NODE_ENV unset stays unset', () => {
    expect(probeStart(undefined)).toEqual({ production: true, nodeEnv: null, real: true });
  });

  it('restores the NODE_ENV the process was started with', () => {
    expect(probeStart('development')).toEqual({ production: true, nodeEnv: 'development', real: true });
  });
});
