import { existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { type AwsPlane, AWS_PLANE_SUBDIRS, awsPlaneTlsNames, startAwsPlane } from './aws-plane';
import { type GraphqlEndpoint, startGraphqlEndpoint } from './graphql';
import { type DataLock, DEFAULT_DATA_DIR, LOCK_FILE, lockDataDir } from './data-lock';
import { startDynamoDb, type DynamoDbEmulator } from './dynamodb';
import { loopbackAppOrigins } from './loopback-guard';
import { awsOutputs, localOutputs, type LocalOutputs } from './outputs';
import { articlesTableName, seedArticles } from './seed-articles';
import { readLocalStack, type LocalStack } from './stack-reader';
import { type DemoUserSpec, type PreTokenHook, startUserPool, type UserPoolEmulator } from './user-pool';
import { ensureLocalTls } from './graphql/tls';
import { SEED_OBJECTS } from './s3/seed-content';
import { type FederationGateway, type ManagedLogin, startManagedLogin } from './managed-login';
import { createPreTokenHook, idpThreadPreparation, readStackFederation, startFederation, type StackFederation } from './federation';
import { FEDERATION_KEYS_DIR } from './federation/idp-keys';
import { launchIdpThread, type LaunchedIdpThread } from './federation/idp-thread-client';
import type { FederationGateway as StackFederationGateway } from './federation';
import { LOCAL_DEMO_PASSWORD } from './user-pool';
import { prepareStartKeys } from './start-keys';
import { UserFacingError } from '../config/errors';


export interface LocalModeOptions {
  /** The synthesized stack to run. */
  readonly stackFile: string;
  /** Root of the local data: `cognito/`, `dynamodb/`, `tls/` below it. @default '.local-data' */
  readonly dataDir?: string;
  /**
   * The lock of `dataDir`, taken by the caller (`npm start` takes it before its IdP thread reads
   * keys there); released with the local mode, or when the start fails. @default taken here
   */
  readonly lock?: DataLock;
  /** Wipe `dataDir` first. @default false */
  readonly reset?: boolean;
  /** 0 picks a free port. */
  readonly ports: {
    readonly graphql: number;
    readonly userPool: number;
    readonly dynamodb: number;
    /** @default 0 */
    readonly identityPool?: number;
    /** @default 0 */
    readonly s3?: number;
    /** The managed login (hosted UI, HTTPS). @default 0 */
    readonly managedLogin?: number;
  };
  /**
   * Runs before every user token is signed. @default the stack's own pre-token-generation
   * trigger, run from its Lambda zip (none when the pool has no such trigger)
   */
  readonly preTokenHook?: PreTokenHook;
  /**
   * The federation gateway the managed login hands identity_provider sign-ins to, made once the
   * managed login's origin (its `redirectBase`) is known. @default the stack's own identity
   * providers, each with its local stand-in (local/federation; none when the stack has none)
   */
  readonly federation?: (redirectBase: string, userPool: UserPoolEmulator) => Promise<FederationGateway>;
  /**
   * The identity-provider thread for the default federation, launched by the caller before it
   * loaded this module (`launchIdpThread(idpThreadPreparation(...))`), so the thread's start
   * overlaps that loading too; stopped with the local mode. @default launched here
   */
  readonly idpThread?: LaunchedIdpThread;
  /** People of the local IdPs (config.local.federatedUsers), for the default federation. @default [] */
  readonly federatedUsers?: readonly FederatedDemoUser[];
  /** Users created in the pool when missing (config.local.demoUsers). @default [] */
  readonly demoUsers?: readonly DemoUserSpec[];
  /**
   * Email of the demo user who authors the demo articles seeded when the articles table is
   * created (see `seedAuthor`). @default no seeding
   */
  readonly seedAuthor?: string;
  /**
   * Browser origins (config.local.allowedOrigins) that may call the GraphQL endpoint and the user
   * pool, besides the endpoint's page and the web client's http://localhost / 127.0.0.1
   * callback and logout URLs' origins (read from the stack). @default []
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Called once if a part stops on its own after the start (the DynamoDB emulator, when its
   * data can no longer be saved). `npm start` prints it and exits. @default nothing is called
   */
  readonly onFailure?: (err: Error) => void;
}

/** A person of a local IdP (config.local.federatedUsers): signs in on the IdP's page with the demo password. */
export interface FederatedDemoUser {
  readonly idp: string;
  readonly email: string;
  readonly name: string;
  readonly idpGroups: readonly string[];
}

export interface LocalMode {
  readonly stack: LocalStack;
  /** One line each about what the stack has but the local mode left out (an IdP without a stand-in). */
  readonly notices: readonly string[];
  readonly userPool: UserPoolEmulator;
  /** The hosted UI and OAuth endpoints (local/managed-login). */
  readonly managedLogin: ManagedLogin;
  readonly dynamodb: DynamoDbEmulator;
  readonly graphql: GraphqlEndpoint;
  /** Identity pool, credentials, IAM evaluation (local/aws-plane.ts). */
  readonly aws: AwsPlane;
  readonly outputs: LocalOutputs;
  /** Articles seeded by this start (0 unless the table was just created). */
  readonly seededArticles: number;
  /** Stops everything this start started; safe to call twice. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Results computed from the stack, kept for the next start (local/graphql/iam-callers.ts). */
const CACHE_DIR = 'cache';

/** What the local mode keeps below its data directory. */
const DATA_SUBDIRS = ['cognito', 'dynamodb', 'tls', FEDERATION_KEYS_DIR, CACHE_DIR, ...AWS_PLANE_SUBDIRS];

/**
 * `--reset`: deletes the local mode's folders, but only when the data directory holds nothing
 * else, so a mistyped `--data-dir` cannot wipe unrelated files. Runs under the data lock.
 */
function wipeDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  const foreign = readdirSync(dataDir).filter((name) => !DATA_SUBDIRS.includes(name) && name !== LOCK_FILE);
  if (foreign.length > 0) {
    throw new UserFacingError({
      location: `refusing to reset ${dataDir}`,
      problem: `it holds ${foreign.join(', ')}; expected only the local mode's ${DATA_SUBDIRS.join('/, ')}/`,
    });
  }
  for (const sub of DATA_SUBDIRS) rmSync(path.join(dataDir, sub), { recursive: true, force: true });
}

/** Closes one part after the other, last started first; every part is closed even when one fails. */
async function closeAll(parts: readonly { close(): Promise<void> }[]): Promise<void> {
  const errors: unknown[] = [];
  for (const part of [...parts].reverse()) {
    await part.close().catch((e: unknown) => errors.push(e));
  }
  if (errors.length > 0) throw new AggregateError(errors, 'local mode: some parts failed to stop');
}

/**
 * Starts the whole local mode in this process: the user-pool emulator and DynamoDB (in
 * parallel), the demo articles on a first start, then the GraphQL endpoint. Everything runs
 * in this process, so stopping it (or `close()`) leaves nothing behind.
 */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  let stack: LocalStack;
  let appOrigins: string[];
  try {
    stack = readLocalStack(options.stackFile);
    appOrigins = allowedAppOrigins(stack, options.allowedOrigins ?? []);
  } catch (e) {
    options.lock?.release();
    throw e;
  }
  const lock = options.lock ?? lockDataDir(dataDir);
  // Released last, after every part has let go of its files.
  const started: { close(): Promise<void> }[] = [{ close: async () => lock.release() }];
  try {
    if (options.reset) wipeDataDir(dataDir);
    const stackFederation = readStackFederation(stack);
    // The RSA keys a first start makes: on libuv's pool beside everything below.
    prepareStartKeys(stack, stackFederation, dataDir);
    const preTokenHook = options.preTokenHook ?? createPreTokenHook({ stack, federation: stackFederation });
    let gateway: StackFederationGateway | undefined;
    // The IdP thread goes first: its libraries and keys load while everything below starts.
    const idpThread =
      options.idpThread ?? (options.federation || stackFederation.providers.length === 0 ? undefined : launchIdpThread(idpThreadPreparation(stackFederation, dataDir)));
    if (idpThread) started.push(idpThread);
    const federation =
      options.federation ??
      defaultFederation(stack, stackFederation, dataDir, options.federatedUsers ?? [], idpThread, (g) => (gateway = g));
    const tlsDir = path.join(dataDir, 'tls');
    // allSettled: when one part fails, the others have finished starting and can be stopped. The
    // TLS files last: a first start makes them (loading their library on this thread) while the
    // user pool and DynamoDB start; the first request names the bucket's virtual host too (awsPlaneTlsNames).
    const [pool, db, tls] = await Promise.allSettled([
      startUserPool({
        stack,
        dataDir: path.join(dataDir, 'cognito'),
        port: options.ports.userPool,
        host: HOST,
        demoUsers: options.demoUsers,
        allowedOrigins: appOrigins,
        preTokenHook,
      }),
      startDynamoDb({ stack, dataDir: path.join(dataDir, 'dynamodb'), port: options.ports.dynamodb, host: HOST, onFailure: options.onFailure }),
      ensureLocalTls(tlsDir, console.warn, awsPlaneTlsNames(stack)),
    ]);
    for (const r of [pool, db]) if (r.status === 'fulfilled') started.push(r.value);
    if (pool.status === 'rejected') throw pool.reason;
    if (db.status === 'rejected') throw db.reason;
    if (tls.status === 'rejected') throw tls.reason;
    const userPool = pool.value;
    const dynamodb = db.value;
    const managedLogin = await startManagedLogin({
      stack,
      userPool,
      tls: tls.value,
      host: HOST,
      port: options.ports.managedLogin ?? 0,
      allowedOrigins: appOrigins,
      federation: federation && ((base: string) => federation(base, userPool)),
    });
    started.push(managedLogin);
    // Tokens from the managed login's OAuth endpoints carry its issuer (see local/managed-login).
    const trust = { managedLoginIssuer: managedLogin.issuer };
    const aws = await startAwsPlane({
      stack,
      userPool: { ...userPool, ...trust },
      dataDir,
      host: HOST,
      ports: { identityPool: options.ports.identityPool ?? 0, s3: options.ports.s3 ?? 0 },
      tlsDir,
      allowedOrigins: appOrigins,
    });
    started.push(aws);
    const seededArticles = await seedIfNew(stack, userPool, dynamodb, options.seedAuthor);
    const demoUsers = userPool.demoUsers.map((u) => ({
      email: u.email,
      groups: u.groups,
      ...(u.password !== undefined ? { password: u.password } : {}),
      ...(u.temporaryPassword !== undefined ? { temporaryPassword: u.temporaryPassword } : {}),
      ...(u.totpSecret !== undefined ? { totpSecret: u.totpSecret } : {}),
    }));
    const graphql = await startGraphqlEndpoint({
      stack,
      host: HOST,
      port: options.ports.graphql,
      userPool: {
        poolId: userPool.poolId,
        region: userPool.region,
        issuer: userPool.issuer,
        jwksUri: userPool.jwksUri,
        endpoint: userPool.endpoint,
        clientIds: admittedClientIds(stack),
        ...trust,
        managedLoginOrigin: managedLogin.origin,
      },
      // Resolvers reach dynalite's thread by messages: no SDK or HTTP per call (the HTTP endpoint stays for the CLI).
      dynamodb: { endpoint: dynamodb.endpoint, region: dynamodb.region, transport: dynamodb.transport },
      demoUsers,
      tlsDir,
      cacheDir: path.join(dataDir, CACHE_DIR),
      allowedOrigins: appOrigins,
      iam: aws.iam.api && { sigv4: aws.sigv4, authorizer: aws.authorizer, region: stack.region, apiArn: aws.iam.api.arn },
      pageStorage: aws.identityPool && aws.s3 && {
        region: stack.region,
        identityPoolId: aws.identityPool.identityPoolId,
        identityPoolEndpoint: aws.identityPool.endpoint,
        provider: `cognito-idp.${stack.region}.amazonaws.com/${userPool.poolId}`,
        s3Endpoint: aws.s3.endpoint,
        bucket: aws.s3.bucket,
        seededKeys: SEED_OBJECTS.map((o) => o.key),
      },
    });
    started.push(graphql);
    // The page signs in with the pool from its own origin (cross-origin to the pool's port).
    userPool.allowOrigins(graphql.pageOrigins);
    aws.allowOrigins(graphql.pageOrigins);
    // The page signs in through the managed login too (code + PKCE back to itself): a local-only callback URL.
    managedLogin.allowOrigins(graphql.pageOrigins);
    managedLogin.allowRedirectUris(stack.userPool.webClient.clientId, [...graphql.pageOrigins].map((o) => `${o}/`));
    // The IdPs started beside everything above: ready means they answer too.
    await managedLogin.federationReady;
    // A SAML IdP's page posts its response to the managed login's ACS (/saml2/idpresponse) from its own origin.
    if (gateway) managedLogin.allowOrigins(Object.values(gateway.idps).map((url) => new URL(url).origin));
    const clients = await Promise.all(
      stack.userPool.clients.map(async (c) => ({ name: c.name, clientId: c.clientId, clientSecret: await userPool.clientSecret(c.clientId) }))
    );
    const outputs = localOutputs({
      stack,
      userPool,
      graphql,
      dynamodbEndpoint: dynamodb.endpoint,
      demoUsers,
      aws: awsOutputs(aws),
      managedLogin,
      clients,
      federatedUsers: gateway?.federatedUsers,
    });
    let closing: Promise<void> | undefined;
    return {
      stack,
      notices: gateway?.notices ?? [],
      userPool,
      managedLogin,
      dynamodb,
      graphql,
      aws,
      outputs,
      seededArticles,
      close: () => (closing ??= closeAll(started)),
    };
  } catch (e) {
    // Every part has settled by now: stop those that started.
    await closeAll(started).catch(() => undefined);
    throw e;
  }
}

/**
 * The stack's own federation: a local stand-in for each of its identity providers (Google,
 * SAML), Cognito's side of the round trip on the managed login, and the pre-sign-up trigger
 * from its zip, whose AWS SDK calls (invited-only linking) reach the local pool. Undefined when
 * the stack has no identity provider.
 */
function defaultFederation(
  stack: LocalStack,
  federation: StackFederation,
  dataDir: string,
  users: readonly FederatedDemoUser[],
  idpThread: LaunchedIdpThread | undefined,
  started: (gateway: StackFederationGateway) => void,
): LocalModeOptions['federation'] {
  if (federation.providers.length === 0) return undefined;
  return async (redirectBase, userPool) => {
    const gateway = await startFederation({
      stack,
      federation,
      userPool: userPool.federatedUsers,
      userPoolEndpoint: userPool.endpoint,
      redirectBase,
      dataDir,
      idpThread,
      users,
      password: LOCAL_DEMO_PASSWORD,
      host: HOST,
    });
    started(gateway);
    return gateway;
  };
}

/** App origins admitted locally: the web client's loopback callback/logout URLs' origins, then the config's. */
function allowedAppOrigins(stack: LocalStack, configured: readonly string[]): string[] {
  const { callbackUrls, logoutUrls } = stack.userPool.webClient;
  return [...new Set([...loopbackAppOrigins([...callbackUrls, ...logoutUrls]), ...configured])];
}

/** The clients the API's app_id_client_regex admits (all without one), the web client first: the page signs in with it. */
function admittedClientIds(stack: LocalStack): string[] {
  const regex = stack.api.appIdClientRegex === undefined ? undefined : new RegExp(stack.api.appIdClientRegex);
  const { webClient, clients } = stack.userPool;
  return [webClient, ...clients.filter((c) => c !== webClient)].map((c) => c.clientId).filter((id) => !regex || regex.test(id));
}

/** Seeds demo articles when the articles table was created by this start. */
async function seedIfNew(stack: LocalStack, userPool: UserPoolEmulator, dynamodb: DynamoDbEmulator, authorEmail?: string): Promise<number> {
  const table = articlesTableName(stack);
  if (!authorEmail || !dynamodb.createdTables.includes(table)) return 0;
  const author = userPool.demoUsers.find((u) => u.email === authorEmail);
  if (!author)
    throw new Error(`seed author ${authorEmail} is not a demo user (have: ${userPool.demoUsers.map((u) => u.email).join(', ')})`);
  return seedArticles(dynamodb.client, table, author.sub);
}
