import * as http from 'node:http';
import type { CredentialStore } from '../credentials/credential-store';
import type { LocalGroup } from '../stack-reader';
import type { StackIdentityPool } from '../iam/stack-iam';
import { createTokenVerifier, type VerifiedToken } from '../graphql/token-verifier';
import { RequestUnauthorizedError } from '../graphql/errors';
import { IdentityStore } from './identity-store';
import { OpenIdTokenSigner } from './openid-token';
import { roleChooser, type RoleChooser } from './role-choice';
import { keepConnectionsAlive, listen } from '../server-lifecycle';
import type { SigV4Verifier } from '../credentials/sigv4';
import { getCallerIdentity } from './caller-identity';
import { HOW_TO_ALLOW_ORIGIN, LoopbackGuard, sendForbidden } from '../loopback-guard';
import { readBody, readText, type BodyLimit } from '../http-body';

/**
 * The identity pool (`AWSCognitoIdentityService`, JSON 1.1 over POST) for the local mode:
 * `GetId`, `GetCredentialsForIdentity` and `GetOpenIdToken`, as the AWS SDK's
 * CognitoIdentityClient and aws-amplify's `fetchAuthSession()` call them.
 *
 * - Logins must hold an ID token of one of the stack's providers, verified like Cognito does
 *   (signature, issuer, client id, expiry; aws-jwt-verify; with the provider's server-side token
 *   check, also not revoked or signed out and the user still enabled); no guests: unauthenticated access
 *   is refused unless the stack allows it (this one does not).
 * - The role comes from access/role-mapping.ts (local/identity-pool/role-choice.ts), the
 *   principal tags from the stack's principal-tag mapping, the credentials from the local
 *   credential store (verified by the local S3 and GraphQL endpoints).
 * - Identity ids are kept in the data dir: stable per user across restarts.
 */

export interface IdentityPoolOptions {
  readonly pool: StackIdentityPool;
  readonly region: string;
  readonly groups: readonly LocalGroup[];
  /** The user pool the providers name: its id and local JWKS. */
  readonly userPool: { readonly poolId: string; readonly jwksUri: string; readonly managedLoginIssuer?: string };
  readonly credentials: CredentialStore;
  /** `<dataDir>/identity-pool`. */
  readonly dataDir: string;
  readonly stackSource: string;
  /**
   * Browser origins that may call the pool (the app origins; the page's is added with
   * `allowOrigins` once the GraphQL endpoint listens). Others get 403, never `*`. @default []
   */
  readonly allowedOrigins?: readonly string[];
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * The server-side token check (`server_side_token_check`): is the token's sign-in not
   * revoked or signed out, and its user still enabled in the pool? Throws a message when not. @default no extra check
   */
  readonly serverSideCheck?: (claims: Readonly<Record<string, unknown>>) => Promise<void>;
  /** Verifies STS `GetCallerIdentity` requests (caller-identity.ts) made with the minted credentials. @default STS not answered */
  readonly sigv4?: SigV4Verifier;
}

export interface IdentityPoolEmulator {
  /** `identityPoolEndpoint` for aws-amplify, `endpoint` for the AWS SDK. */
  readonly endpoint: string;
  readonly identityPoolId: string;
  /** Admits more browser origins (the local page's). */
  allowOrigins(origins: Iterable<string>): void;
  close(): Promise<void>;
}

/** An error in the identity service's JSON shape (`__type`, `message`), HTTP 400 like AWS. */
class IdentityError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** Identity requests carry a token and a few ids (a few KiB); 64 KiB is ample. */
const BODY_LIMIT: BodyLimit = {
  maxBytes: 64 * 1024,
  tooLarge: (max) => new IdentityError('InvalidParameterException', `request body over ${max} bytes`),
};

interface LoggedIn {
  readonly provider: string;
  readonly token: VerifiedToken;
}

export async function startIdentityPool(o: IdentityPoolOptions): Promise<IdentityPoolEmulator> {
  const pool = o.pool;
  const providers = new Map(pool.providers.map((p) => [p.providerName, p]));
  const userPoolProvider = `cognito-idp.${o.region}.amazonaws.com/${o.userPool.poolId}`;
  const managedLoginProvider = o.userPool.managedLoginIssuer?.replace(/^https:\/\//, '');
  const verifier = await createTokenVerifier({
    poolId: o.userPool.poolId,
    jwksUri: o.userPool.jwksUri,
    managedLoginIssuer: o.userPool.managedLoginIssuer,
    clientIds: pool.providers.filter((p) => p.providerName === userPoolProvider).map((p) => p.clientId),
  });
  const identities = new IdentityStore(o.dataDir, o.region);
  const openId = await OpenIdTokenSigner.load(o.dataDir);
  const choose: RoleChooser = roleChooser(pool, o.groups, o.stackSource);

  async function login(body: Record<string, unknown>): Promise<LoggedIn> {
    const logins = body.Logins;
    if (logins === undefined || logins === null || (typeof logins === 'object' && Object.keys(logins).length === 0)) {
      if (!pool.allowUnauthenticated) throw new IdentityError('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
      throw new IdentityError('InvalidParameterException', 'guest identities are not emulated locally');
    }
    if (typeof logins !== 'object' || Array.isArray(logins)) throw new IdentityError('InvalidParameterException', 'Logins: expected a map of provider name to token');
    const entries = Object.entries(logins as Record<string, unknown>);
    if (entries.length !== 1) throw new IdentityError('InvalidParameterException', `Logins: expected one provider, got ${entries.length}`);
    const [name, token] = entries[0];
    // aws-amplify names a login by its ID token's `iss` without the scheme. Deployed, both sign-in
    // paths issue cognito-idp.<region>.amazonaws.com/<pool>; locally the managed login's tokens
    // carry its own issuer (the one its discovery document names), which stands for the same pool.
    const provider = name === managedLoginProvider ? userPoolProvider : name;
    if (!providers.has(provider) || provider !== userPoolProvider) {
      throw new IdentityError('NotAuthorizedException', `Invalid login token. ${name} is not a provider of this identity pool.`);
    }
    if (typeof token !== 'string') throw new IdentityError('NotAuthorizedException', 'Invalid login token. Expected a string.');
    let verified: VerifiedToken;
    try {
      verified = await verifier.verify(token);
    } catch (e) {
      const why = e instanceof RequestUnauthorizedError ? e.message : String(e);
      throw new IdentityError('NotAuthorizedException', `Invalid login token. ${why}`);
    }
    if (verified.claims.token_use !== 'id') throw new IdentityError('NotAuthorizedException', 'Invalid login token. Not an id token.');
    if (String(verified.claims.iss).replace(/^https:\/\//, '') !== name) {
      throw new IdentityError('NotAuthorizedException', `Invalid login token. Issuer mismatch: the token's iss is ${String(verified.claims.iss)}, the login names ${name}.`);
    }
    if (providers.get(provider)!.serverSideTokenCheck && o.serverSideCheck) {
      try {
        await o.serverSideCheck(verified.claims);
      } catch (e) {
        throw new IdentityError('NotAuthorizedException', `Invalid login token. ${(e as Error).message}`);
      }
    }
    return { provider, token: verified };
  }

  function checkPool(body: Record<string, unknown>): void {
    if (body.IdentityPoolId !== pool.id) {
      throw new IdentityError('ResourceNotFoundException', `IdentityPool '${String(body.IdentityPoolId)}' not found.`);
    }
  }

  /** The identity of the request, which must belong to the logged-in user. */
  function identityOf(body: Record<string, unknown>, who: LoggedIn): string {
    const id = body.IdentityId;
    if (typeof id !== 'string' || !/^[\w-]+:[0-9a-f-]+$/.test(id)) {
      throw new IdentityError('InvalidParameterException', `IdentityId = ${JSON.stringify(id)}: expected <region>:<uuid>`);
    }
    const owner = identities.loginOf(id);
    if (!owner) throw new IdentityError('ResourceNotFoundException', `Identity '${id}' not found.`);
    if (owner !== `${who.provider}/${String(who.token.claims.sub)}`) {
      throw new IdentityError('NotAuthorizedException', 'Invalid login token. Token does not belong to this identity.');
    }
    return id;
  }

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async GetId(body) {
      checkPool(body);
      const who = await login(body);
      return { IdentityId: identities.idFor(who.provider, String(who.token.claims.sub)) };
    },
    async GetCredentialsForIdentity(body) {
      const who = await login(body);
      const identityId = identityOf(body, who);
      if (body.CustomRoleArn !== undefined) {
        throw new IdentityError('InvalidParameterException', 'CustomRoleArn is not supported: the role comes from the role mapping');
      }
      const choice = choose(who.token.groups);
      if (!choice.roleArn) {
        throw new IdentityError('InvalidIdentityPoolConfigurationException', `No role for this user: ${choice.resolution.steps.join('; ')}`);
      }
      const principalTags = Object.fromEntries(
        Object.entries(pool.principalTags)
          .map(([tag, claim]) => [tag, who.token.claims[claim]])
          .filter(([, v]) => typeof v === 'string' && v !== ''),
      ) as Record<string, string>;
      const c = o.credentials.mint({ roleArn: choice.roleArn, principalTags, sessionName: 'CognitoIdentityCredentials', identityId });
      return {
        IdentityId: identityId,
        Credentials: {
          AccessKeyId: c.accessKeyId,
          SecretKey: c.secretAccessKey,
          SessionToken: c.sessionToken,
          Expiration: c.expiration.getTime() / 1000,
        },
      };
    },
    async GetOpenIdToken(body) {
      const who = await login(body);
      const identityId = identityOf(body, who);
      return { IdentityId: identityId, Token: openId.sign({ sub: identityId, aud: pool.id, amr: ['authenticated', who.provider] }) };
    },
  };

  const guard = new LoopbackGuard('identity pool', o.allowedOrigins ?? [], HOW_TO_ALLOW_ORIGIN);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Host and Origin first (local/loopback-guard.ts): a foreign page or a rebound name gets nothing.
    const why = guard.refusal(req.headers);
    if (why !== undefined) return sendForbidden(res, { __type: 'AccessDeniedException', message: why }, 'application/x-amz-json-1.1');
    const origin = req.headers.origin;
    const cors: Record<string, string> = guard.admits(origin)
      ? {
          'access-control-allow-origin': origin,
          // cache-control: aws-amplify's browser fetchAuthSession sends `cache-control: no-store` on GetId/GetCredentialsForIdentity.
          'access-control-allow-headers':
            'content-type, x-amz-target, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256, cache-control',
          'access-control-allow-methods': 'POST, OPTIONS',
          vary: 'Origin',
        }
      : {};
    const reply = (status: number, body: unknown) => {
      // With its length, the answer leaves in one write (not chunked: header, chunk, trailer).
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), ...cors });
      res.end(text);
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    if (o.sigv4 && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      // The query protocol is STS's, not the identity pool's: GetCallerIdentity (caller-identity.ts).
      try {
        const body = await readBody(req, BODY_LIMIT);
        const answer = await getCallerIdentity(o.sigv4, o.region, { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
        res.writeHead(answer.status, { 'content-type': 'text/xml', ...cors });
        res.end(answer.xml);
      } catch (e) {
        reply(e instanceof IdentityError ? e.status : 500, { __type: e instanceof IdentityError ? e.type : 'InternalErrorException', message: (e as Error).message });
      }
      return;
    }
    try {
      if (req.method !== 'POST') throw new IdentityError('UnknownOperationException', `${req.method}: expected POST`);
      const target = String(req.headers['x-amz-target'] ?? '');
      const [service, op] = target.split('.');
      const operation = service === 'AWSCognitoIdentityService' && Object.hasOwn(operations, op) ? operations[op] : undefined;
      if (!operation) throw new IdentityError('UnknownOperationException', `X-Amz-Target = ${JSON.stringify(target)}: expected AWSCognitoIdentityService.GetId, .GetCredentialsForIdentity or .GetOpenIdToken`);
      const text = await readText(req, BODY_LIMIT);
      let body: unknown;
      try {
        body = JSON.parse(text || '{}');
      } catch {
        throw new IdentityError('SerializationException', 'the request body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IdentityError('SerializationException', 'the request body is not a JSON object');
      reply(200, await operation(body as Record<string, unknown>));
    } catch (e) {
      if (e instanceof IdentityError) reply(e.status, { __type: e.type, message: e.message });
      else reply(500, { __type: 'InternalErrorException', message: (e as Error).message });
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  keepConnectionsAlive(server);
  // The shared listen: a busy port is refused in words that say which flag moves it.
  const host = o.host ?? '127.0.0.1';
  const port = await listen(server, o.port, host);
  guard.listeningOn(port);
  return {
    endpoint: `http://${host}:${port}`,
    identityPoolId: pool.id,
    allowOrigins: (origins) => guard.allowOrigins(origins),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
