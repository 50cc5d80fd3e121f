import * as path from 'node:path';

/**
 * Every reach into cognito-local, in one module. cognito-local 5.3.0's API is its HTTP server
 * (`cognito-local` the command); the local mode composes it in process and keeps its records and
 * JWKS, which means importing `cognito-local/lib/...` paths that are not its API. Nothing else in
 * the repository (but this module's contract test) names such a path:
 * test/local-cognito-local-adapter.test.ts checks the shape of each export below, and
 * test/local-user-pool-store.test.ts the behaviour the store relies on, so an upgrade that
 * changes one fails there by name. cognito-local is pinned exactly (package.json) for the same
 * reason. Its declaration files import the AWS SDK v2, stubbed by `aws-sdk-v2-stub.d.ts`.
 *
 * Each reach, who uses it, and the missing feature or measured gain that pays for it:
 *
 * | reach | used by | why |
 * |---|---|---|
 * | server composition: `createServer`, `DefaultConfig`, `CognitoServiceFactoryImpl`, `UserPoolServiceFactoryImpl`, `StormDBDataStoreFactory`, `MessageDeliveryService`, `ConsoleMessageSender`, `MessagesService`, `TriggersService`, `LambdaService`, `JwtTokenGenerator`, `otp` (+ types `Config`, `Services`, `CryptoService`) | cognito-server.ts | missing feature: `createDefaultServer` takes no data directory, issuer or host and no targets in front of its router; composed here, the pool runs in this process (no child process to leak), with the stack's issuer, and our sign-in protocol answers first (cognito-local has no SRP, and does not apply the stack's password policy, temporary-password validity or MFA setting) |
 * | `targets/` directory (`COGNITO_LOCAL_TARGETS_DIR`), `UnsupportedError` | lazy-router.ts | each target module loads on first use: its router imports every target, and the TOTP ones pull otplib's ESM-only dependencies, which jest's CommonJS runtime cannot load; loading lazily also roughly halves the pool's start (part of README "Measured": later starts to ready) |
 * | `Router`, `Route`, `Context` (types) | directory.ts, cognito-local-store.ts | missing feature: the demo users and groups are seeded by calling cognito-local's own targets in process (no HTTP) |
 * | `attributesFromRecord`, `attributesToRecord`, `User`, `CognitoError` | cognito-local-store.ts | the records its other targets (admin API, groups, GetUser) read and write, so both sides see one user; `CognitoError` is the only error its HTTP server turns into `{ __type, message }` |
 * | `USER_POOL_AWS_DEFAULTS` | pool-files.ts | the pool file is written in cognito-local's format, from AWS's defaults plus the stack's settings |
 * | signing key (`COGNITO_LOCAL_PRIVATE_KEY`, `COGNITO_LOCAL_PUBLIC_KEY`) | token-issuer.ts, cognito-local-store.ts, managed-login/index.ts | one key for every local token: the JWKS cognito-local publishes verifies what our issuer signs (parsed once; cognito-local re-parsed the PEM for every token, most of an SRP sign-in's server CPU) |
 */

/** The cognito-local version this module was written against (package.json pins it). */
export const COGNITO_LOCAL_VERSION = '5.3.0';

export type { Route, Router } from 'cognito-local/lib/server/Router';
export type { Services } from 'cognito-local/lib/services';
export type { Context } from 'cognito-local/lib/services/context';
export type { CryptoService } from 'cognito-local/lib/services/crypto';
export { DefaultConfig, type Config } from 'cognito-local/lib/server/config';
export { createServer } from 'cognito-local/lib/server/server';
export { LambdaService, MessagesService, TriggersService } from 'cognito-local/lib/services';
export { CognitoServiceFactoryImpl, USER_POOL_AWS_DEFAULTS } from 'cognito-local/lib/services/cognitoService';
export { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb';
export { ConsoleMessageSender } from 'cognito-local/lib/services/messageDelivery/consoleMessageSender';
export { MessageDeliveryService } from 'cognito-local/lib/services/messageDelivery/messageDelivery';
export { otp } from 'cognito-local/lib/services/otp';
export { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator';
export { attributesFromRecord, attributesToRecord, UserPoolServiceFactoryImpl, type User } from 'cognito-local/lib/services/userPoolService';
export { CognitoError, UnsupportedError } from 'cognito-local/lib/errors';

/** Where cognito-local's target modules are (`initiateAuth.js` exporting `InitiateAuth`, ...). */
export const COGNITO_LOCAL_TARGETS_DIR = path.dirname(require.resolve('cognito-local/lib/targets/initiateAuth'));

/** A key of cognito-local's pair: the PEM and the JWK (kid `CognitoLocal`). */
export interface CognitoLocalKey {
  readonly pem: string;
  readonly jwk: { readonly kid: string; readonly kty: string; readonly alg?: string; readonly [field: string]: unknown };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
import privateKey = require('cognito-local/lib/keys/cognitoLocal.private.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import publicKey = require('cognito-local/lib/keys/cognitoLocal.public.json');

/** The private key every local user-pool token is signed with. */
export const COGNITO_LOCAL_PRIVATE_KEY: CognitoLocalKey = privateKey;
/** Its public half: the one key of the pool's JWKS (cognito-local's and the managed login's). */
export const COGNITO_LOCAL_PUBLIC_KEY: CognitoLocalKey = publicKey;
