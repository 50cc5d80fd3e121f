import pino from 'pino';
import type { LocalStack } from '../stack-reader';
import { startCognitoServer } from './cognito-server';
import { CognitoLocalStore } from './cognito-local-store';
import { Authenticator } from './protocol/authenticator';
import { handleTarget } from './protocol/api-targets';
import { type DemoUser, type DemoUserSpec, LOCAL_DEMO_PASSWORD, PoolDirectory } from './directory';
import { writePoolFiles } from './pool-files';
import { ConfigError } from '../../config/validate';
import { DEMO_SIGN_INS } from '../../config/types';
import type { FederatedUserStore } from './federated-users';
import type { UserStore } from './protocol/user-store';
import { adminLinkProviderForUser } from './admin-link-provider';
import { readStackFederation } from '../federation/stack-federation';

export type { FederatedUserStore } from './federated-users';
import { type PreTokenHook, TokenIssuer } from './token-issuer';
import { TokenRevocations } from './revocations';
import { PoolRevocation } from './revocation-targets';

export { LOCAL_DEMO_PASSWORD } from './directory';
export type { DemoUser, DemoUserSpec } from './directory';
export type { AuthOutcome, ChallengeName } from './protocol/authenticator';
export { UserPoolError } from './protocol/errors';
export { unverifiedClaims } from './revocations';
export type { PreTokenHook } from './token-issuer';

export interface UserPoolOptions {
  /** The stack whose pool, clients and groups are emulated. */
  readonly stack: LocalStack;
  /** Directory for cognito-local's files (e.g. `.local-data/cognito`). */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Users to create if missing (config.local.demoUsers). @default [] */
  readonly demoUsers?: readonly DemoUserSpec[];
  /** Browser origins that may call the pool (app origins; the page's with `allowOrigins`). @default [] */
  readonly allowedOrigins?: readonly string[];
  /** The clock of sign-in, records and tokens (tests move it to expire temporary passwords). @default () => new Date() */
  readonly now?: () => Date;
  /** Runs before every user token is signed, as Cognito runs the pre-token-generation trigger (V2). @default none */
  readonly preTokenHook?: PreTokenHook;
}

export interface UserPoolEmulator {
  /** Cognito API endpoint (`userPoolEndpoint` for aws-amplify, `endpoint` for the AWS SDK). */
  readonly endpoint: string;
  readonly poolId: string;
  readonly region: string;
  /** The `iss` of every token: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;
  /** Where the signing keys are served locally (over http). */
  readonly jwksUri: string;
  readonly demoUsers: readonly DemoUser[];
  readonly demoPassword: string;
  /** Admits more browser origins (aws-amplify in the GraphQL endpoint's page signs in here cross-origin). */
  allowOrigins(origins: Iterable<string>): void;
  /**
   * The sign-in protocol in process: what the JSON API runs, for a hosted-UI login page
   * (`signInWithPassword({ clientId, username, password, trusted: true })`, then
   * `respondToChallenge(...)` for NEW_PASSWORD_REQUIRED / SOFTWARE_TOKEN_MFA / MFA_SETUP).
   */
  readonly authenticator: Authenticator;
  /** Federated users (`<Provider>_<id>`), identities and links, for local/federation. */
  readonly federatedUsers: FederatedUserStore;
  /** Signs every token of this pool (with the pre-token hook); client_credentials tokens too. */
  readonly tokenIssuer: TokenIssuer;
  /** The pool's users in process (the identity pool's server-side token check reads them without HTTP). */
  readonly users: Pick<UserStore, 'user'>;
  /**
   * The pool's revocation record (revocations.ts): every server-side token check asks `isRevoked`;
   * the managed login's `/oauth2/revoke` revokes through it.
   */
  readonly revocation: Pick<PoolRevocation, 'isRevoked' | 'revokeRefreshToken'>;
  /** A client's local secret (random per data directory), undefined for a public client. */
  clientSecret(clientId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The issuer domain AWS uses, so `iss` has the deployed form. */
export function awsIssuerDomain(region: string): string {
  return `https://cognito-idp.${region}.amazonaws.com`;
}

/**
 * Starts the user-pool emulator (cognito-local, in process) for a stack: the pool with an
 * AWS-shaped id and issuer, the stack's clients with their local ids, exactly the stack's
 * groups, and the demo users.
 */
export async function startUserPool(options: UserPoolOptions): Promise<UserPoolEmulator> {
  const { stack } = options;
  const demoUsers = options.demoUsers ?? [];
  checkDemoUsers(stack, demoUsers);
  writePoolFiles(options.dataDir, stack);
  const issuerDomain = awsIssuerDomain(stack.region);
  const now = options.now ?? (() => new Date());
  const { poolId, passwordPolicy, mfaConfiguration, softwareTokenMfa } = stack.userPool;
  const ctx = { logger: pino({ level: 'silent' }) };
  let store: CognitoLocalStore | undefined;
  let authenticator: Authenticator | undefined;
  let revocation: PoolRevocation | undefined;
  const revocations = new TokenRevocations(options.dataDir, now);
  const server = await startCognitoServer({
    dataDir: options.dataDir,
    host: options.host,
    port: options.port,
    issuerDomain,
    allowedOrigins: options.allowedOrigins,
    now,
    ownedTargets: (services) => {
      store = new CognitoLocalStore(services, ctx, poolId, new TokenIssuer(`${issuerDomain}/${poolId}`, now, options.preTokenHook), revocations);
      const auth = new Authenticator({ store, poolId, passwordPolicy, mfaConfiguration, softwareTokenMfa, now });
      authenticator = auth;
      const revoke = new PoolRevocation(store, revocations, poolId);
      revocation = revoke;
      const link = { poolId, store, providers: stackProviders(stack) };
      // Revocation first: a revoked AccessToken is refused before any other target runs.
      return (target, req) =>
        revoke.target(target, req) ?? (target === 'AdminLinkProviderForUser' ? adminLinkProviderForUser(link, req) : handleTarget(auth, target, req));
    },
  });
  try {
    if (!store || !authenticator || !revocation) throw new Error('user pool: the sign-in protocol was not set up');
    const directory = new PoolDirectory(server.router, ctx, poolId, store, now);
    await directory.syncGroups(stack.userPool.groups);
    const users = await directory.ensureDemoUsers(demoUsers, LOCAL_DEMO_PASSWORD, passwordPolicy);
    return {
      endpoint: server.endpoint,
      poolId,
      region: stack.region,
      issuer: `${issuerDomain}/${poolId}`,
      jwksUri: `${server.endpoint}/${poolId}/.well-known/jwks.json`,
      demoUsers: users,
      demoPassword: LOCAL_DEMO_PASSWORD,
      allowOrigins: (origins) => server.allowOrigins(origins),
      authenticator,
      federatedUsers: store,
      tokenIssuer: store.issuer,
      users: store,
      revocation,
      clientSecret: async (clientId) => (await store?.client(clientId))?.secret,
      close: () => server.close(),
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/** The stack's identity providers (name -> type), read once when first asked (only AdminLinkProviderForUser asks). */
function stackProviders(stack: LocalStack): () => ReadonlyMap<string, string> {
  let providers: ReadonlyMap<string, string> | undefined;
  return () => (providers ??= new Map(readStackFederation(stack).providers.map((p) => [p.name, p.type])));
}

/**
 * Before any user is made: group names come only from the stack (a demo user in another group is
 * a config mistake), and `signIn` is one of the kinds (never guessed for a caller that skipped
 * the config's validation).
 */
function checkDemoUsers(stack: LocalStack, users: readonly DemoUserSpec[]): void {
  const groups = new Set(stack.userPool.groups.map((g) => g.name));
  users.forEach((u, i) => {
    u.groups.forEach((g, j) => {
      if (!groups.has(g)) {
        throw new ConfigError('config/project.ts', `local.demoUsers[${i}].groups[${j}]`, g, `one of the stack's groups (${[...groups].join(', ')}) in ${stack.source}`);
      }
    });
    if (!(DEMO_SIGN_INS as readonly unknown[]).includes(u.signIn)) {
      throw new ConfigError('config/project.ts', `local.demoUsers[${i}].signIn`, u.signIn, `one of ${DEMO_SIGN_INS.join(', ')}`);
    }
  });
}
