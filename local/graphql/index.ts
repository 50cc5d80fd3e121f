import { existsSync, readFileSync } from 'node:fs';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { buildAppSyncSchema } from '../../access/appsync-schema';
import { createAuthModel } from '../../access/auth-model';
import { type AppSyncJsRuntimeOptions, createAppSyncJsRuntime } from '../appsync-js';
import type { LocalDemoUser } from '../outputs';
import type { LocalStack } from '../stack-reader';
import { createDocumentCache } from './document-cache';
import { createDualProtocolServer } from './dual-protocol-server';
import { createExecutor } from './request-executor';
import { createHttpHandler, GRAPHQL_PATH } from './http-handler';
import { createRealtimeServer, REALTIME_PATH } from './realtime';
import { loadStaticFiles } from './static-files';
import { repoPath } from '../../config/paths';
import { createSubscriptionHub } from './subscriptions';
import { DEFAULT_TLS_DIR, ensureLocalTls } from './tls';
import { createTokenVerifier } from './token-verifier';
import { HOW_TO_ALLOW_ORIGIN, LoopbackGuard, loopbackOrigins } from '../loopback-guard';
import { UserFacingError } from '../../config/errors';
import { evaluateIamGrants, type IamCallerSupport } from './iam-callers';

/**
 * The local AppSync-compatible endpoint: POST /graphql, the real-time socket at
 * /graphql/realtime (TLS on the same port, see dual-protocol-server.ts) and the browser page
 * at /. It verifies tokens like AppSync, asks the auth model before every field and runs the
 * synthesized APPSYNC_JS resolvers; everything it serves comes from the synthesized stack.
 */

export interface UserPoolRef {
  /** AWS-shaped pool id, e.g. `eu-west-1_LocalDev`. */
  readonly poolId: string;
  readonly region: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` (the tokens' `iss`). */
  readonly issuer: string;
  /** The local pool's JWKS over http. */
  readonly jwksUri: string;
  /** The local Cognito endpoint (InitiateAuth etc.): the page signs in there. */
  readonly endpoint: string;
  /** App client ids the API admits (its app_id_client_regex); the page signs in with the first. */
  readonly clientIds: readonly string[];
  /** The managed login's issuer, whose tokens are this pool's too (token-verifier.ts). @default none */
  readonly managedLoginIssuer?: string;
  /** The managed login's origin, for the page's "Sign in with managed login". @default none */
  readonly managedLoginOrigin?: string;
}

export interface GraphqlEndpointOptions {
  readonly stack: LocalStack;
  /** @default '127.0.0.1' (never a public interface: the CA and demo passwords are local-only) */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly userPool: UserPoolRef;
  /** Passed to the APPSYNC_JS runtime: the endpoint, and the local mode's in-process transport (see its docs). */
  readonly dynamodb: AppSyncJsRuntimeOptions['dynamodb'];
  /** Demo users the page offers to sign in as. @default [] (the page then asks for email and password) */
  readonly demoUsers?: readonly LocalDemoUser[];
  /** Where the local CA and server certificate live. @default '.local-data/tls' */
  readonly tlsDir?: string;
  /** Where results computed from the stack are kept for the next start (the IAM grants). @default none: computed at every start */
  readonly cacheDir?: string;
  /**
   * Browser origins of apps that may call the endpoint besides its own page (the web client's
   * loopback callback/logout origins, config.local.allowedOrigins). @default [] (the page only)
   */
  readonly allowedOrigins?: readonly string[];
  /** SigV4 (IAM) callers, verified and authorized by the synthesized policies. @default refused */
  readonly iam?: IamCallerSupport;
  /** What the page's bucket view (local/page/storage.js) needs: the identity pool and the content bucket. @default no bucket view */
  readonly pageStorage?: Readonly<Record<string, unknown>>;
}

export interface GraphqlEndpoint {
  /** `http://127.0.0.1:<port>/graphql` */
  readonly url: string;
  /** `wss://127.0.0.1:<port>/graphql/realtime` (what aws-amplify derives from `url`) */
  readonly realtimeUrl: string;
  /** `http://127.0.0.1:<port>/` */
  readonly pageUrl: string;
  /** The CA a client must trust for `wss:` (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  readonly port: number;
  /** The origins the endpoint's page has (`http://127.0.0.1:<port>`, `http://localhost:<port>`, ...). */
  readonly pageOrigins: readonly string[];
  close(): Promise<void>;
}

/** HTTP data sources that call the Cognito user pool API go to the local pool instead. */
function cognitoOverrides(stack: LocalStack, localEndpoint: string): Record<string, string> {
  const cognito = stack.dataSources.filter((d) => d.type === 'HTTP' && d.endpoint && new URL(d.endpoint).host.startsWith('cognito-idp.'));
  return Object.fromEntries(cognito.map((d) => [d.name, localEndpoint]));
}

/** The verifier expects AWS's issuer for the pool id; a local pool issuing anything else is a setup error. */
function checkIssuer(pool: UserPoolRef): void {
  const expected = CognitoJwtVerifier.parseUserPoolId(pool.poolId).issuer;
  if (pool.issuer !== expected) {
    throw new Error(`GraphQL endpoint: userPool.issuer = ${JSON.stringify(pool.issuer)}: expected ${JSON.stringify(expected)} (AWS's issuer for pool ${pool.poolId}, which the tokens must carry)`);
  }
}

/** The access matrix the page shows (`npm run access` writes it), read when asked for. */
function readMatrix(): (() => unknown) | undefined {
  const found = repoPath('docs/access-matrix.json');
  if (!existsSync(found)) return undefined;
  return () => JSON.parse(readFileSync(found, 'utf8'));
}

export async function startGraphqlEndpoint(options: GraphqlEndpointOptions): Promise<GraphqlEndpoint> {
  const { stack } = options;
  const host = options.host ?? '127.0.0.1';
  const schema = buildAppSyncSchema(stack.schemaSdl);
  const modes = { defaultMode: stack.api.defaultMode, additionalModes: stack.api.additionalModes };
  const topLevel = createAuthModel(schema, modes).fields.filter((f) => f.topLevel).map((f) => `${f.typeName}.${f.fieldName}`);
  // IAM grants come from evaluating the stack's policies (keyed by role ARN), never from the config.
  const authModel = createAuthModel(schema, { ...modes, iamGrants: options.iam ? await evaluateIamGrants(options.iam, topLevel, options.cacheDir) : {} });
  const documents = createDocumentCache({ schema, introspection: stack.api.introspection });
  checkIssuer(options.userPool);
  const verifier = await createTokenVerifier(options.userPool);
  const runtime = createAppSyncJsRuntime({
    dataSources: [...stack.dataSources],
    dynamodb: options.dynamodb,
    httpEndpointOverrides: cognitoOverrides(stack, options.userPool.endpoint),
    env: { ...stack.api.environmentVariables },
    cacheDir: options.cacheDir,
  });
  // Refuse code AppSync would refuse to deploy now, not at the first request that needs it.
  runtime.prepare(stack.resolvers);
  const resolvers = new Map(stack.resolvers.map((r) => [`${r.typeName}.${r.fieldName}`, r]));
  const executor = createExecutor({ schema, authModel, documents, resolvers, runtime, queryDepthLimit: stack.api.queryDepthLimit, resolverCountLimit: stack.api.resolverCountLimit });
  const hub = createSubscriptionHub(schema);
  const tls = await ensureLocalTls(options.tlsDir ?? DEFAULT_TLS_DIR);
  const server = createDualProtocolServer(tls);
  const realtime = createRealtimeServer({ verifier, documents, authModel, hub, resolvers, runtime });
  const pageDir = repoPath('local/page');
  const json = new Map<string, () => unknown>();
  let port = 0;
  json.set('/local-config.json', () => ({
    graphqlUrl: `http://${host}:${port}${GRAPHQL_PATH}`,
    region: options.userPool.region,
    userPoolId: options.userPool.poolId,
    userPoolEndpoint: options.userPool.endpoint,
    clientId: options.userPool.clientIds[0],
    ...(options.userPool.managedLoginOrigin && {
      managedLogin: { origin: options.userPool.managedLoginOrigin, scopes: options.stack.userPool.webClient.allowedOauthScopes, providers: options.stack.userPool.webClient.supportedIdentityProviders.filter((p) => p !== 'COGNITO') },
    }),
    demoUsers: options.demoUsers ?? [],
    ...(options.pageStorage && { storage: options.pageStorage }),
  }));
  const matrix = readMatrix();
  if (matrix) json.set('/access-matrix.json', matrix);
  const guard = new LoopbackGuard('GraphQL endpoint', options.allowedOrigins ?? [], HOW_TO_ALLOW_ORIGIN);
  const pageOrigins = new Set<string>();
  const handler = createHttpHandler({
    verifier,
    executor,
    hub,
    files: loadStaticFiles(pageDir),
    json,
    guard,
    pageOrigins,
    iam: options.iam && { support: options.iam, authModel },
  });
  for (const s of server.servers) {
    s.on('request', handler);
    s.on('upgrade', (req, socket, head) => {
      // Browsers send Origin on every WebSocket; no CORS protects a socket, so this check is all there is.
      const refused = guard.refusal(req.headers);
      if (refused !== undefined) {
        const body = JSON.stringify({ errors: [{ errorType: 'ForbiddenOriginException', message: refused }] });
        socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      if (!realtime.handleUpgrade(req, socket, head)) socket.destroy();
    });
  }
  try {
    port = await server.listen(options.port, host);
    guard.listeningOn(port);
    for (const o of loopbackOrigins(port)) pageOrigins.add(o);
    guard.allowOrigins(pageOrigins);
  } catch (e) {
    realtime.close();
    runtime.close();
    const message = `GraphQL endpoint: ${e instanceof Error ? e.message : String(e)}`;
    // A busy port is the user's to fix: it stays a UserFacingError (printed without a stack).
    if (e instanceof UserFacingError) throw new UserFacingError({ location: `GraphQL endpoint: ${e.location}`, problem: e.problem, fix: e.fix }, message);
    throw new Error(message, { cause: e });
  }
  return {
    url: `http://${host}:${port}${GRAPHQL_PATH}`,
    realtimeUrl: `wss://${host}:${port}${REALTIME_PATH}`,
    pageUrl: `http://${host}:${port}/`,
    caFile: tls.caFile,
    port,
    pageOrigins: [...pageOrigins],
    async close() {
      realtime.close();
      await server.close();
      runtime.close();
    },
  };
}
