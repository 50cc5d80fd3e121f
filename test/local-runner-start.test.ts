import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { closeSync, constants as fsConstants, existsSync, mkdirSync, openSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import { repoRoot } from '../config/paths';
import { lockDataDir } from '../local/data-lock';
import type { LocalOutputs } from '../local/outputs';
import { ensureSynthesized } from '../local/synth-stack';
import { isListening, synthesizeLocalStack } from './helpers/local-stack';

const START = path.join(repoRoot(), 'dist', 'local', 'start.js');
const config = loadConfig();

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Polls `check` until it holds or `deadlineMs` passes; resolves whether it held. */
async function eventually(check: () => boolean, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Collects stdout/stderr and resolves when `pattern` appears on stdout; rejects on exit first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms.\nstdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start.js exited with ${code} before ${pattern}.\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** One GET, the redirect not followed; https trusts `ca` (the local CA). */
function get(url: string, ca: string, cookies: string[] = []): Promise<{ status: number; location?: string; body: string; cookies: string[] }> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ca, headers: { cookie: cookies.join('; ') } }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        location: res.headers.location && new URL(res.headers.location, url).toString(),
        body,
        cookies: [...cookies, ...(res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0])],
      }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A browser's first steps of a federated sign-in, right after ready: the managed login sends it
 * to the provider's local IdP, whose sign-in form (inputs `username` and `password`) answers.
 */
async function idpSignInPage(outputs: LocalOutputs, provider: string): Promise<{ status: number; body: string; url: string }> {
  const ca = readFileSync(outputs.local.caFile, 'utf8');
  const oauth = outputs.Auth.Cognito.loginWith.oauth!;
  const authorize = new URL(`https://${oauth.domain}/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    client_id: outputs.Auth.Cognito.userPoolClientId,
    response_type: 'code',
    redirect_uri: oauth.redirectSignIn[0],
    scope: oauth.scopes.join(' '),
    state: 'ready-check',
    identity_provider: provider,
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let url = authorize.toString();
  let cookies: string[] = [];
  for (let hop = 0; hop < 5; hop++) {
    const res = await get(url, ca, cookies);
    cookies = res.cookies;
    if (!res.location) return { status: res.status, body: res.body, url };
    url = res.location;
  }
  throw new Error(`${provider}: more than 5 redirects from ${authorize}`);
}

describe('npm start (dist/local/start.js)', () => {
  test('synthesizes, starts, prints a working curl, writes outputs; SIGINT stops everything', async () => {
    expect(existsSync(START)).toBe(true);
    const work = mkdtempSync(path.join(tmpdir(), 'local-start-'));
    const outputsFile = path.join(work, 'outputs.json');
    const args = [
      START,
      '--port',
      '0',
      '--user-pool-port',
      '0',
      '--dynamodb-port',
      '0',
      '--data-dir',
      path.join(work, 'data'),
      '--outputs',
      outputsFile,
    ];
    // CDKTF_OUTDIR: synthesize into the temporary directory, not the repository's cdktf.out.
    const child = spawn(process.execPath, args, { cwd: repoRoot(), env: { ...process.env, CDKTF_OUTDIR: path.join(work, 'cdktf.out') } });
    try {
      const stdout = await waitForOutput(child, /Ready in \d+\.\d+ s/);
      expect(existsSync(path.join(work, 'cdktf.out', 'stacks', config.local.environment, 'cdk.tf.json'))).toBe(true);

      const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as LocalOutputs;
      expect(outputs.Auth.Cognito.userPoolId).toMatch(new RegExp(`^${config.region}_[A-Za-z0-9]+$`));
      expect(outputs.API.GraphQL).toMatchObject({ region: config.region, defaultAuthMode: 'userPool' });
      expect(outputs.demoUsers.map((u) => u.email)).toEqual(config.local.demoUsers.map((u) => u.email));
      expect(outputs.local.pid).toBe(child.pid);
      for (const u of config.local.demoUsers) expect(stdout).toContain(u.email);

      // Ready means every local IdP answers: the first sign-in right after it reaches each IdP's form.
      const providers = [...new Set((outputs.local.federatedUsers ?? []).map((u) => u.idp))];
      expect(providers.sort()).toEqual(['CorpSAML', 'Google']);
      const pages = await Promise.all(providers.map(async (provider) => ({ provider, ...(await idpSignInPage(outputs, provider)) })));
      expect(pages.map((p) => ({ provider: p.provider, status: p.status, atTheIdp: new URL(p.url).host !== outputs.Auth.Cognito.loginWith.oauth!.domain }))).toEqual(
        providers.map((provider) => ({ provider, status: 200, atTheIdp: true })),
      );
      for (const p of pages) expect(p.body).toMatch(/name="username"[\s\S]*name="password"/);
      // Their signing keys are kept for the next start, each key file readable by its owner alone.
      const keys = path.join(work, 'data', 'federation');
      expect(readdirSync(keys).sort()).toEqual(['google-idp', 'saml-idp-CorpSAML', 'saml-sp'].flatMap((k) => [`${k}-cert.pem`, `${k}-key.pem`]));
      for (const f of readdirSync(keys).filter((f) => f.endsWith('-key.pem'))) expect(statSync(path.join(keys, f)).mode & 0o777).toBe(0o600);

      // The printed curl line, run as a user would paste it.
      const curl = stdout.split('\n').find((l) => l.startsWith('TOKEN=$(curl'));
      expect(curl).toBeDefined();
      const answer = JSON.parse(execFileSync('bash', ['-c', curl as string], { encoding: 'utf8' })) as {
        data?: { me?: { username: string; groups: string[] } };
      };
      const shown = outputs.demoUsers.find((u) => stdout.includes(`signs in as ${u.email}`));
      expect(answer.data?.me).toEqual({ username: shown?.email, groups: shown?.groups });

      const children = childrenOf(child.pid as number);
      const urls = [outputs.API.GraphQL.endpoint, outputs.Auth.Cognito.userPoolEndpoint, outputs.local.dynamodbEndpoint];
      child.kill('SIGINT');
      expect(await exitOf(child)).toBe(0);
      for (const url of urls) expect(await isListening(url)).toBe(false);
      // A child sees its parent's pipes close and exits right after it; allow it that moment.
      expect(await eventually(() => children.every((pid) => !alive(pid)), 10_000)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('a second start on a data directory in use fails on the lock and leaves its federation keys alone', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'local-start-locked-'));
    const dataDir = path.join(work, 'data');
    // Key files the IdP thread would replace (unreadable ones), dated in the past.
    const keys = path.join(dataDir, 'federation');
    mkdirSync(keys, { recursive: true });
    const pipe = path.join(keys, 'saml-idp-CorpSAML-cert.pem');
    const names = ['google-idp', 'saml-idp-CorpSAML', 'saml-sp'].flatMap((k) => [`${k}-cert.pem`, `${k}-key.pem`]).filter((f) => f !== path.basename(pipe));
    for (const f of names) {
      writeFileSync(path.join(keys, f), `not a key: ${f}\n`);
      utimesSync(path.join(keys, f), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    }
    const before = names.map((f) => ({ f, bytes: readFileSync(path.join(keys, f), 'utf8'), mtimeMs: statSync(path.join(keys, f)).mtimeMs }));
    // The SAML IdP's certificate is a named pipe: whoever reads it blocks in open() until this
    // test opens it for writing, which (non-blocking) succeeds only while a reader waits. So a
    // read of the keys is seen here, long before any key could be made and written.
    execFileSync('mkfifo', [pipe]);
    let keysRead = false;
    const probe = setInterval(() => {
      try {
        const fd = openSync(pipe, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
        keysRead = true;
        closeSync(fd);
      } catch {
        // ENXIO: nobody reads it
      }
    }, 5);
    // The data directory in use: its lock held by a live process (this one), as by a first start.
    const lock = lockDataDir(dataDir);
    try {
      const args = [START, '--stack', synthesizeLocalStack(), '--data-dir', dataDir, '--outputs', path.join(work, 'outputs.json'), '--port', '0', '--user-pool-port', '0', '--dynamodb-port', '0'];
      const child = spawn(process.execPath, args, { cwd: repoRoot() });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      expect(await exitOf(child)).toBe(1);
      expect(err).toContain(`${dataDir} is in use by another local mode (pid ${process.pid})`);
      expect(keysRead).toBe(false);
      expect(names.map((f) => ({ f, bytes: readFileSync(path.join(keys, f), 'utf8'), mtimeMs: statSync(path.join(keys, f)).mtimeMs }))).toEqual(before);
      expect(readdirSync(keys).sort()).toEqual([...names, path.basename(pipe)].sort());
      expect(existsSync(path.join(work, 'outputs.json'))).toBe(false);
    } finally {
      clearInterval(probe);
      lock.release();
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('a bad flag value stops it with a message naming the flag', async () => {
    const child = spawn(process.execPath, [START, '--port', 'eighty'], { cwd: repoRoot() });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(err).toContain('--port "eighty": expected a port number from 0 to 65535');
  });
});

describe('ensureSynthesized (what npm start runs before it starts)', () => {
  test('synthesizes a missing stack, then reuses it while no source is newer', () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'ensure-synth-'));
    try {
      const first = ensureSynthesized(repoRoot(), config.local.environment, outDir);
      expect(first).toMatchObject({ stackFile: path.join(outDir, 'stacks', config.local.environment, 'cdk.tf.json'), synthesized: true });
      const written = statSync(first.stackFile).mtimeMs;
      const second = ensureSynthesized(repoRoot(), config.local.environment, outDir);
      expect(second).toMatchObject({ stackFile: first.stackFile, synthesized: false });
      expect(statSync(second.stackFile).mtimeMs).toBe(written);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('synthesizes again when a file the app imports from access/ or addresses/, or package-lock.json, is newer', () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'ensure-synth-'));
    try {
      ensureSynthesized(repoRoot(), config.local.environment, outDir);
      for (const rel of ['access/checks.ts', 'addresses/moved.ts', 'package-lock.json']) {
        const file = path.join(repoRoot(), rel);
        const { atime, mtime } = statSync(file);
        // Newer than the stack: an hour ahead; set back afterwards.
        utimesSync(file, atime, new Date(Date.now() + 3_600_000));
        try {
          expect({ rel, synthesized: ensureSynthesized(repoRoot(), config.local.environment, outDir).synthesized }).toEqual({ rel, synthesized: true });
        } finally {
          utimesSync(file, atime, mtime);
        }
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
