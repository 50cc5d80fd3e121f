import { rmSync } from 'node:fs';
import type { LocalMode } from '../../local/local-mode';
import type { SignedIn } from '../../local/user-pool/sign-in';
import { startLocalStack } from './local-stack';

/**
 * The whole local mode (test/helpers/local-stack.ts) plus what the endpoint tests do with it:
 * POST GraphQL requests with a raw `Authorization` header.
 */

export interface GraphqlResponse {
  readonly status: number;
  readonly body: { data?: any; errors?: { message: string; errorType: string | null; path?: (string | number)[]; [k: string]: unknown }[] };
}

export interface LocalEndpointEnv {
  readonly mode: LocalMode;
  readonly url: string;
  /** The demo users who sign in with the password alone (no new password or TOTP step): the personas. */
  readonly users: readonly { readonly email: string; readonly groups: readonly string[] }[];
  signIn(email: string): Promise<SignedIn>;
  /** POSTs a request with `authorization` as the raw header value (undefined: no header). */
  gql(authorization: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphqlResponse>;
  close(): Promise<void>;
}

export async function startLocalEndpointEnv(): Promise<LocalEndpointEnv> {
  const mode = await startLocalStack();
  return {
    mode,
    url: mode.graphql.url,
    users: mode.userPool.demoUsers.filter((u) => u.password !== undefined && u.totpSecret === undefined),
    signIn: (email) => mode.signIn(email),
    async gql(authorization, query, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await fetch(mode.graphql.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, body: (await res.json()) as GraphqlResponse['body'] };
    },
    async close() {
      await mode.close();
      rmSync(mode.dataDir, { recursive: true, force: true });
    },
  };
}
