import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { repoRoot } from '../../config/paths';
import { startLocalMode, type LocalMode } from '../../local/local-mode';
import { seedAuthor } from '../../local/seed-articles';
import { ensureSynthesized } from '../../local/synth-stack';
import { signIn, type SignedIn } from '../../local/user-pool/sign-in';

/**
 * The whole local mode on ephemeral ports in a fresh data directory, plus what the endpoint
 * tests do with it: sign demo users in and POST GraphQL requests.
 */

export interface GraphqlResponse {
  readonly status: number;
  readonly body: { data?: any; errors?: { message: string; errorType: string | null; path?: (string | number)[]; [k: string]: unknown }[] };
}

export interface LocalEndpointEnv {
  readonly mode: LocalMode;
  readonly url: string;
  readonly users: readonly { readonly email: string; readonly groups: readonly string[] }[];
  signIn(email: string): Promise<SignedIn>;
  /** POSTs a request with `authorization` as the raw header value (undefined: no header). */
  gql(authorization: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphqlResponse>;
  close(): Promise<void>;
}

export async function startLocalEndpointEnv(): Promise<LocalEndpointEnv> {
  const config = loadConfig();
  const root = repoRoot();
  const { stackFile } = ensureSynthesized(root, config.local.environment);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'local-endpoint-'));
  const mode = await startLocalMode({
    stackFile,
    dataDir,
    ports: { graphql: 0, userPool: 0, dynamodb: 0 },
    demoUsers: config.local.demoUsers,
    seedAuthor: seedAuthor(config),
  });
  const webClientId = mode.outputs.Auth.Cognito.userPoolClientId;
  return {
    mode,
    url: mode.graphql.url,
    users: mode.userPool.demoUsers,
    signIn: (email) => signIn(mode.userPool, webClientId, email, mode.userPool.demoPassword),
    async gql(authorization, query, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await fetch(mode.graphql.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, body: (await res.json()) as GraphqlResponse['body'] };
    },
    async close() {
      await mode.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
