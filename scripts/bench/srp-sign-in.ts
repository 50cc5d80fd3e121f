import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { defaultStackPath, readLocalStack } from '../../local/stack-reader';
import { startUserPool } from '../../local/user-pool';

/**
 * Server CPU of one SRP sign-in (InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge
 * PASSWORD_VERIFIER, tokens issued): the local user pool runs in this process; an unmodified
 * amazon-cognito-identity-js client signs in from a child process (its own CPU is not counted),
 * one sign-in at a time. `process.cpuUsage()` (user + system) of this process per sign-in,
 * over BENCH_SRP_BATCHES batches of BENCH_SRP_SIGN_INS; prints the median and the range.
 * Goal: <= 20 ms.
 */
const BATCHES = Number(process.env.BENCH_SRP_BATCHES ?? 3);
const PER_BATCH = Number(process.env.BENCH_SRP_SIGN_INS ?? 8);

const CLIENT = `
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');
const [poolId, clientId, endpoint, username, password] = process.argv.slice(1);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: endpoint + '/' });
const once = () => new Promise((resolve, reject) => new CognitoUser({ Username: username, Pool: pool }).authenticateUser(
  new AuthenticationDetails({ Username: username, Password: password }), { onSuccess: resolve, onFailure: reject }));
process.stdin.on('data', async (d) => {
  for (let i = 0; i < Number(d.toString()); i++) await once();
  process.stdout.write('done\\n');
});
`;

async function main(): Promise<void> {
  const stack = readLocalStack(defaultStackPath(loadConfig().local.environment));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-srp-'));
  const pool = await startUserPool({ stack, dataDir: path.join(dir, 'cognito'), port: 0, demoUsers: [{ email: 'bench@example.com', groups: [], signIn: 'password' }] });
  const child = spawn(process.execPath, ['-e', CLIENT, pool.poolId, stack.userPool.webClient.clientId, pool.endpoint, 'bench@example.com', pool.demoPassword], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: process.cwd(),
  });
  const run = (n: number) =>
    new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench client exited with ${code}`)));
      child.stdin.write(String(n));
    });
  try {
    await run(3); // warm-up
    const perSignIn: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const before = process.cpuUsage();
      await run(PER_BATCH);
      const used = process.cpuUsage(before);
      perSignIn.push((used.user + used.system) / 1000 / PER_BATCH);
    }
    perSignIn.sort((x, y) => x - y);
    const median = perSignIn[Math.floor(perSignIn.length / 2)] as number;
    console.log(
      `  SRP sign-in, server CPU: median ${median.toFixed(1)} ms (range ${perSignIn[0]!.toFixed(1)}-${perSignIn[perSignIn.length - 1]!.toFixed(1)} ms; ${BATCHES} batches of ${PER_BATCH}; goal <= 20 ms)`
    );
  } finally {
    child.kill();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
