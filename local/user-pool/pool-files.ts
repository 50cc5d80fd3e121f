import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { USER_POOL_AWS_DEFAULTS } from './cognito-local-adapter';
import type { LocalClient, LocalStack } from '../stack-reader';

/**
 * Flows every local client allows on top of the deployed ones. cognito-local has no SRP, so
 * demo sign-in uses USER_PASSWORD_AUTH: a named local-only difference (the deployed web
 * client signs in with SRP or the hosted UI with PKCE only).
 */
const LOCAL_EXTRA_AUTH_FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;

type Json = Record<string, unknown>;

function readJson(file: string): Json | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : undefined;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/**
 * Writes cognito-local's pool file (`<poolId>.json`, named like an AWS pool id so tokens carry
 * an AWS-shaped issuer) and the stack's clients (`clients.json`) with their local ids, before
 * the server starts. Users, groups and refresh tokens already in the files are kept, so a
 * restart keeps what the previous run stored; pool options and clients follow the stack.
 */
export function writePoolFiles(dataDir: string, stack: LocalStack): void {
  mkdirSync(dataDir, { recursive: true });
  const { poolId } = stack.userPool;
  const poolFile = path.join(dataDir, `${poolId}.json`);
  const pool = readJson(poolFile) ?? { Users: {}, Groups: {} };
  const now = new Date().toISOString();
  const previous = (pool.Options ?? {}) as Json;
  pool.Options = {
    ...USER_POOL_AWS_DEFAULTS,
    Id: poolId,
    Name: `${stack.env}-local`,
    Arn: `arn:aws:cognito-idp:${stack.region}:000000000000:userpool/${poolId}`,
    // Usernames are the demo users' emails; cognito-local's email-as-username mode has bugs.
    UsernameAttributes: [],
    CreationDate: previous.CreationDate ?? now,
    LastModifiedDate: now,
  };
  writeJson(poolFile, pool);

  const clientsFile = path.join(dataDir, 'clients.json');
  const clientsDoc = readJson(clientsFile) ?? {};
  const existing = (clientsDoc.Clients ?? {}) as Record<string, Json>;
  // Drop this pool's clients that the stack no longer has.
  const others = Object.fromEntries(Object.entries(existing).filter(([, c]) => c.UserPoolId !== poolId));
  for (const client of stack.userPool.clients) {
    others[client.clientId] = appClient(poolId, client, existing[client.clientId], now);
  }
  writeJson(clientsFile, { Clients: others });
}

function appClient(poolId: string, c: LocalClient, previous: Json | undefined, now: string): Json {
  return {
    UserPoolId: poolId,
    ClientName: c.name,
    ClientId: c.clientId,
    // A secret is random per data directory and kept across restarts.
    ClientSecret: c.generateSecret ? previous?.ClientSecret ?? randomBytes(32).toString('base64url') : undefined,
    CreationDate: previous?.CreationDate ?? now,
    LastModifiedDate: now,
    ExplicitAuthFlows: [...new Set([...c.explicitAuthFlows, ...LOCAL_EXTRA_AUTH_FLOWS])],
    AccessTokenValidity: c.accessTokenValidity,
    IdTokenValidity: c.idTokenValidity,
    RefreshTokenValidity: c.refreshTokenValidity,
    TokenValidityUnits: {
      AccessToken: c.tokenValidityUnits?.accessToken ?? 'hours',
      IdToken: c.tokenValidityUnits?.idToken ?? 'hours',
      RefreshToken: c.tokenValidityUnits?.refreshToken ?? 'days',
    },
  };
}
