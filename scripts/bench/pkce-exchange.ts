import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { ensureLocalTls } from '../../local/graphql/tls';
import { startManagedLogin } from '../../local/managed-login';
import { defaultStackPath, readLocalStack } from '../../local/stack-reader';
import { startUserPool } from '../../local/user-pool';
import { childCommand, cpuLine, serverCpu, writeFigures } from './server-cpu';

/**
 * Server CPU of one authorization code + PKCE exchange at the managed login (POST /oauth2/token:
 * code and S256 verifier checked, ID/access/refresh tokens signed), and of the whole browser
 * sign-in it ends (GET /oauth2/authorize, the /login form GET and POST, then the exchange). The
 * user pool and the managed login (HTTPS, local CA) run in this process; a client in a child
 * process (plain fetch, as a browser would) drives them, so its CPU is not counted. For the
 * exchange alone, the child first collects a batch of codes at the form (not measured), then
 * exchanges them (measured). BENCH_PKCE_BATCHES batches of BENCH_PKCE_SIGN_INS; printed and
 * written to .tmp/bench-pkce.json. Goal: <= 20 ms.
 */
const BATCHES = Number(process.env.BENCH_PKCE_BATCHES ?? 3);
const PER_BATCH = Number(process.env.BENCH_PKCE_SIGN_INS ?? 8);

const CLIENT = `
const { createHash, randomBytes } = require('node:crypto');
const [origin, clientId, redirectUri, username, password] = process.argv.slice(1);
const form = 'application/x-www-form-urlencoded';
let codes = [];
async function atTheForm() {
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid email profile', state: 'bench',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' });
  let res = await fetch(origin + '/oauth2/authorize?' + q, { redirect: 'manual' });
  const login = new URL(res.headers.get('location'), origin);
  res = await fetch(login);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())[1];
  res = await fetch(login, { method: 'POST', redirect: 'manual', headers: { 'content-type': form, cookie }, body: new URLSearchParams({ _csrf: csrf, username, password }) });
  if (res.status !== 302) throw new Error('the form answered ' + res.status + ': ' + (await res.text()));
  codes.push({ code: new URL(res.headers.get('location')).searchParams.get('code'), verifier });
}
async function exchange({ code, verifier }) {
  const res = await fetch(origin + '/oauth2/token', { method: 'POST', headers: { 'content-type': form },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier }) });
  const json = await res.json();
  if (!json.id_token) throw new Error('token endpoint: ' + JSON.stringify(json));
}
require('node:readline').createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, n] = line.split(' ');
  if (command === 'form') for (let i = 0; i < Number(n); i++) await atTheForm();
  if (command === 'exchange') { for (const c of codes) await exchange(c); codes = []; }
  process.stdout.write('done\\n');
});
`;

async function main(): Promise<void> {
  const stack = readLocalStack(defaultStackPath(loadConfig().local.environment));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-pkce-'));
  const pool = await startUserPool({ stack, dataDir: path.join(dir, 'cognito'), port: 0, demoUsers: [{ email: 'bench@example.com', groups: ['editors'], signIn: 'password' }] });
  const tls = await ensureLocalTls(path.join(dir, 'tls'), () => undefined);
  const login = await startManagedLogin({ stack, userPool: pool, tls, port: 0 });
  const web = stack.userPool.webClient;
  const child = spawn(process.execPath, ['-e', CLIENT, login.origin, web.clientId, web.callbackUrls[0] ?? '', 'bench@example.com', pool.demoPassword], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: process.cwd(),
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caFile },
  });
  const send = childCommand(child);
  try {
    await send('form 3'); // warm-up
    await send('exchange');
    const exchange = await serverCpu({ batches: BATCHES, perBatch: PER_BATCH, prepare: (n) => send(`form ${n}`), measured: () => send('exchange') });
    console.log(cpuLine('code + PKCE exchange (POST /oauth2/token)', exchange, 20));
    const whole = await serverCpu({
      batches: BATCHES,
      perBatch: PER_BATCH,
      measured: async (n) => {
        await send(`form ${n}`);
        await send('exchange');
      },
    });
    console.log(cpuLine('whole managed-login sign-in (authorize, form GET + POST, exchange)', whole));
    writeFigures('bench-pkce.json', { exchange, whole });
  } finally {
    child.kill();
    await login.close();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
