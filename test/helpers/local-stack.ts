import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { repoRoot } from '../../config/paths';
import { type LocalMode, startLocalMode } from '../../local/local-mode';
import { seedAuthor } from '../../local/seed-articles';
import { ensureSynthesized } from '../../local/synth-stack';
import { signIn, type SignedIn } from '../../local/user-pool/sign-in';
import { removeTemporaryDirs } from './temp-dirs';

let synthesized: { readonly dir: string; readonly stackFile: string } | undefined;

// This module is loaded once per test file, while jest collects it: the synthesized stack's
// folder goes after the file's last test (the stacks read it only while starting).
afterAll(() => {
  if (synthesized) rmSync(synthesized.dir, { recursive: true, force: true });
  synthesized = undefined;
});

/**
 * Synthesizes the local environment's stack as `npm start` does (local/synth-stack.ts) into a
 * temporary directory, once per test file, and returns the stack file. Never touches the
 * repository's cdktf.out, so tests can run beside a synth.
 */
export function synthesizeLocalStack(): string {
  if (!synthesized) {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-synth-'));
    try {
      synthesized = { dir, stackFile: ensureSynthesized(repoRoot(), loadConfig().local.environment, dir).stackFile };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  return synthesized.stackFile;
}

export interface TestLocalStack extends LocalMode {
  /** The data directory (temporary unless given). */
  readonly dataDir: string;
  /** Signs a demo user in with the web client (password: the local demo password). */
  signIn(email: string): Promise<SignedIn>;
}

export interface TestLocalStackOptions {
  /** Reuse a data directory (restart tests). @default a new temporary directory */
  readonly dataDir?: string;
  /** @default a synthesized dev stack (synthesizeLocalStack) */
  readonly stackFile?: string;
  readonly reset?: boolean;
  /** @default config.local.allowedOrigins */
  readonly allowedOrigins?: readonly string[];
}

/** Stacks this test file started (jest loads this module once per file): `useLocalStack` closes them all. */
const startedInThisFile: { readonly stack: TestLocalStack; readonly temporaryData: boolean }[] = [];

/**
 * Starts the whole local mode (user pool, DynamoDB, GraphQL endpoint) in this process on
 * ephemeral 127.0.0.1 ports with the config's demo users and seeded articles, as `npm start`
 * would. Call `close()` in afterAll, or start it through `useLocalStack`.
 */
export async function startLocalStack(options: TestLocalStackOptions = {}): Promise<TestLocalStack> {
  const config = loadConfig();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'local-data-'));
  const mode = await startLocalMode({
    stackFile: options.stackFile ?? synthesizeLocalStack(),
    dataDir,
    reset: options.reset,
    ports: { graphql: 0, userPool: 0, dynamodb: 0 },
    demoUsers: config.local.demoUsers,
    federatedUsers: config.local.federatedUsers,
    allowedOrigins: options.allowedOrigins ?? config.local.allowedOrigins,
    seedAuthor: seedAuthor(config),
  });
  const stack: TestLocalStack = {
    ...mode,
    dataDir,
    signIn: (email: string) => signIn(mode.userPool, mode.stack.userPool.webClient.clientId, email, mode.userPool.demoPassword),
  };
  startedInThisFile.push({ stack, temporaryData: options.dataDir === undefined });
  return stack;
}

/**
 * One local stack for a test file: started before its tests (`onStarted` hands it to the file's
 * own variable). After them, every stack the file started (a restart test's too) is closed and
 * the temporary data directories are removed.
 */
export function useLocalStack(onStarted: (stack: TestLocalStack) => void, options: TestLocalStackOptions = {}, timeoutMs = 180_000): void {
  beforeAll(async () => onStarted(await startLocalStack(options)), timeoutMs);
  afterAll(closeStartedStacks);
}

/**
 * Closes every stack this file started so far and removes the temporary data directories they
 * made (and the file's `temporaryDir` folders): the teardown of a file that starts its stacks by
 * hand (`startLocalStack`).
 */
export async function closeStartedStacks(): Promise<void> {
  const started = startedInThisFile.splice(0);
  // All closed before any data is removed: a restarted stack runs on its predecessor's directory.
  for (const { stack } of started) await stack.close();
  for (const { stack, temporaryData } of started) if (temporaryData) rmSync(stack.dataDir, { recursive: true, force: true });
  removeTemporaryDirs();
}

/** Resolves true when something accepts TCP connections on the URL's host and port. */
export function isListening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
