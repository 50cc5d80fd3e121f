import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { repoRoot } from '../../config/paths';
import { type LocalMode, startLocalMode } from '../../local/local-mode';
import { seedAuthor } from '../../local/seed-articles';
import { ensureSynthesized } from '../../local/synth-stack';
import { signIn, type SignedIn } from '../../local/user-pool/sign-in';

let synthesized: string | undefined;

/**
 * Synthesizes the local environment's stack as `npm start` does (local/synth-stack.ts) into a
 * temporary directory, once per test process, and returns the stack file. Never touches the
 * repository's cdktf.out, so tests can run beside a synth.
 */
export function synthesizeLocalStack(): string {
  synthesized ??= ensureSynthesized(repoRoot(), loadConfig().local.environment, mkdtempSync(path.join(tmpdir(), 'local-synth-'))).stackFile;
  return synthesized;
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

/**
 * Starts the whole local mode (user pool, DynamoDB, GraphQL endpoint) in this process on
 * ephemeral 127.0.0.1 ports with the config's demo users and seeded articles, as `npm start`
 * would. Call `close()` in afterAll.
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
  return {
    ...mode,
    dataDir,
    signIn: (email: string) => signIn(mode.userPool, mode.stack.userPool.webClient.clientId, email, mode.userPool.demoPassword),
  };
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
