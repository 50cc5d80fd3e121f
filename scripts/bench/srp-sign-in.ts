import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { defaultStackPath, readLocalStack } from '../../local/stack-reader';
import { startUserPool } from '../../local/user-pool';
import { childCommand, cpuLine, serverCpu, writeFigures } from './server-cpu';

/**
 * Server CPU of one SRP sign-in (InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge
 * PASSWORD_VERIFIER, tokens issued): the local user pool runs in this process; an unmodified
 * amazon-cognito-identity-js client signs in from a child process (its own CPU is not counted),
 * one sign-in at a time, over BENCH_SRP_BATCHES batches of BENCH_SRP_SIGN_INS; prints the
 * median and the range (and writes them to .tmp/bench-srp.json). Goal: <= 20 ms.
 */
const BATCHES = Number(process.env.BENCH_SRP_BATCHES ?? 3);
const PER_BATCH = Number(process.env.BENCH_SRP_SIGN_INS ?? 8);

const CLIENT = `
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');
const [poolId, clientId, endpoint, username, password] = process.argv.slice(1);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: endpoint + '/' });
const once = () => new Promise((resolve, reject) => new CognitoUser({ Username: username, Pool: pool }).authenticateUser(
  new AuthenticationDetails({ Username: username, Password: password }), { onSuccess: resolve, onFailure: reject }));
require('node:readline').createInterface({ input: process.stdin }).on('line', async (n) => {
  for (let i = 0; i < Number(n); i++) await once();
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
  const signIns = childCommand(child);
  try {
    await signIns('3'); // warm-up
    const figure = await serverCpu({ batches: BATCHES, perBatch: PER_BATCH, measured: (n) => signIns(String(n)) });
    console.log(cpuLine('SRP sign-in', figure, 20));
    writeFigures('bench-srp.json', { srpSignIn: figure });
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
