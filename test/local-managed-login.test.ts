import { CognitoIdentityClient, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import { type LocalMode, startLocalMode } from '../local/local-mode';
import type { FederationGateway } from '../local/managed-login';
import { totpCode } from '../local/user-pool/protocol/totp';
import { synthesizeLocalStack } from './helpers/local-stack';

/**
 * The managed login (hosted UI + OAuth 2.0/OIDC endpoints) of the local mode: an unmodified
 * OAuth client library (oauth4webapi) for code + PKCE, userInfo, refresh and client
 * credentials; the challenge pages; Cognito's answers to bad requests; and the hand-off to a
 * federation gateway.
 */

let mode: LocalMode;
let dataDir: string;
let ca: string;
let gatewayCalls: string[];

/** A stand-in gateway: its "IdP" is the managed login's own /oauth2/idpresponse, which names the user. */
function testGateway(redirectBase: string): FederationGateway {
  return {
    providerNames: ['Google', 'CorpSAML'],
    providerForIdentifier: (id) => (id.toLowerCase().endsWith('@corp.example.com') || id.toLowerCase() === 'corp.example.com' ? 'CorpSAML' : undefined),
    authorizeUrl: (provider, state) => `${redirectBase}/oauth2/idpresponse?provider=${provider}&relay=${encodeURIComponent(state)}`,
    handle(req: IncomingMessage, _res: ServerResponse, onResult) {
      const url = new URL(req.url ?? '/', redirectBase);
      if (url.pathname !== '/oauth2/idpresponse') return false;
      gatewayCalls.push(url.searchParams.get('provider') ?? '');
      const user = url.searchParams.get('user');
      const relay = url.searchParams.get('relay') ?? '';
      onResult(relay, user ? { username: user } : { error: 'access_denied', description: 'not admitted' });
      return true;
    },
    close: async () => undefined,
  };
}

beforeAll(async () => {
  const config = loadConfig();
  dataDir = mkdtempSync(path.join(tmpdir(), 'managed-login-'));
  gatewayCalls = [];
  mode = await startLocalMode({
    stackFile: synthesizeLocalStack(),
    dataDir,
    ports: { graphql: 0, userPool: 0, dynamodb: 0 },
    demoUsers: config.local.demoUsers,
    allowedOrigins: config.local.allowedOrigins,
    federation: async (base) => testGateway(base),
  });
  ca = readFileSync(mode.outputs.local.caFile, 'utf8');
}, 120_000);

afterAll(async () => {
  await mode?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One HTTPS request to the managed login, trusting the local CA, following no redirect. */
function call(url: string, o: { method?: string; headers?: Record<string, string>; form?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const servername = new URL(url).hostname === '127.0.0.1' ? undefined : 'localhost';
  const body = o.form ? new URLSearchParams(o.form).toString() : o.body;
  return new Promise((resolve, reject) => {
    const r = request(url, { method: o.method ?? (body ? 'POST' : 'GET'), ca, servername: servername ?? 'localhost', headers: { ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const web = () => mode.stack.userPool.webClient;
const CALLBACK = 'http://localhost:3000/callback';
const origin = () => mode.managedLogin.origin;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ client_id: web().clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid email profile', state: 'st-1', ...extra });
  return `${origin()}/oauth2/authorize?${q}`;
}

/** A browser at the form: cookies kept, CSRF token read from the page. */
class Browser {
  private readonly jar = new Map<string, string>();
  private take(a: Answer): Answer {
    for (const c of a.headers['set-cookie'] ?? []) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return a;
  }
  private cookie(): Record<string, string> {
    return this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
  async get(url: string): Promise<Answer> {
    return this.take(await call(url, { headers: this.cookie() }));
  }
  /** Submits the form on `page` with its hidden fields plus `fields`. */
  async submit(page: Answer, fields: Record<string, string>): Promise<Answer> {
    const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    if (!action) throw new Error(`no form on the page: ${page.body.slice(0, 500)}`);
    const hidden = Object.fromEntries([...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
    return this.take(await call(`${origin()}${action}`, { form: { ...hidden, ...fields }, headers: this.cookie() }));
  }
}

async function signInForCode(username: string, password: string, p = pkce()): Promise<string> {
  const b = new Browser();
  const authorize = await b.get(authorizeUrl({ code_challenge: p.challenge, code_challenge_method: 'S256' }));
  expect(authorize.status).toBe(302);
  const form = await b.get(new URL(authorize.headers.location!, origin()).toString());
  const done = await b.submit(form, { username, password });
  expect(done.status).toBe(302);
  const back = new URL(done.headers.location!);
  expect(back.origin + back.pathname).toBe(CALLBACK);
  expect(back.searchParams.get('state')).toBe('st-1');
  return back.searchParams.get('code')!;
}

function exchange(code: string, verifier: string, extra: Record<string, string> = {}) {
  return call(`${origin()}/oauth2/token`, { form: { grant_type: 'authorization_code', client_id: web().clientId, code, redirect_uri: CALLBACK, code_verifier: verifier, ...extra } });
}

function runOauthClient(env: Record<string, string>): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, 'helpers', 'oauth-client.mjs')], { env: { ...process.env, NODE_EXTRA_CA_CERTS: mode.outputs.local.caFile, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`oauth4webapi client failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

async function graphql(token: string, query: string): Promise<any> {
  const res = await fetch(mode.outputs.API.GraphQL.endpoint, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
}

function claims(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

describe('outputs', () => {
  test('aws-amplify oauth config points at the managed login with the web client settings; every client is listed', () => {
    const oauth = mode.outputs.Auth.Cognito.loginWith.oauth!;
    expect(oauth.domain).toBe(mode.managedLogin.domain);
    expect(`https://${oauth.domain}`).toBe(origin());
    expect(oauth).toMatchObject({ scopes: web().allowedOauthScopes, redirectSignIn: web().callbackUrls, redirectSignOut: web().logoutUrls, responseType: 'code' });
    const clients = mode.outputs.local.clients!;
    expect(clients.map((c) => c.clientId).sort()).toEqual(mode.stack.userPool.clients.map((c) => c.clientId).sort());
    const server = mode.stack.userPool.clients.find((c) => c.generateSecret)!;
    expect(clients.find((c) => c.clientId === server.clientId)!.clientSecret).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(clients.find((c) => c.clientId === web().clientId)!.clientSecret).toBeUndefined();
  });
});

describe('an unmodified OAuth/OIDC client (oauth4webapi)', () => {
  test('discovery, code + PKCE, ID token, userInfo, refresh, client credentials and revocation; the tokens reach GraphQL as AppSync admits them', async () => {
    const server = mode.outputs.local.clients!.find((c) => c.clientSecret)!;
    const scope = mode.stack.userPool.resourceServers[0].scopes[0];
    const out = await runOauthClient({
      ISSUER: mode.managedLogin.issuer,
      CLIENT_ID: web().clientId,
      REDIRECT_URI: CALLBACK,
      USERNAME: 'editor@example.com',
      PASSWORD: mode.userPool.demoPassword,
      SERVER_CLIENT_ID: server.clientId,
      SERVER_CLIENT_SECRET: server.clientSecret!,
      SERVER_SCOPE: scope,
    });
    expect(out.issuer).toBe(mode.managedLogin.issuer);
    expect(out.idClaims).toMatchObject({ iss: mode.managedLogin.issuer, aud: web().clientId, email: 'editor@example.com', 'cognito:groups': ['editors'], token_use: 'id' });
    expect(out.userInfo).toMatchObject({ email: 'editor@example.com', sub: out.idClaims.sub, username: out.idClaims['cognito:username'] });
    const access = claims(out.accessToken);
    expect(access).toMatchObject({ iss: mode.managedLogin.issuer, client_id: web().clientId, scope: 'openid email profile', 'cognito:groups': ['editors'] });
    expect(claims(out.refreshedIdToken)).toMatchObject({ sub: out.idClaims.sub, auth_time: out.idClaims.auth_time });
    const cc = claims(out.clientCredentials.access_token);
    expect(cc).toMatchObject({ sub: server.clientId, client_id: server.clientId, scope, token_use: 'access' });
    expect(cc['cognito:groups']).toBeUndefined();
    expect(out.wrongSecret).toBe('invalid_client');

    const me = await graphql(out.refreshedAccessToken, '{ me { username groups } }');
    expect(me.status).toBe(200);
    expect(me.body.data.me).toEqual({ username: out.idClaims['cognito:username'], groups: ['editors'] });
    const byId = await graphql(out.idClaims && out.accessToken, '{ me { groups } }');
    expect(byId.body.data.me.groups).toEqual(['editors']);
    // A client-credentials token names no user: AppSync's user-pool mode refuses it.
    expect((await graphql(out.clientCredentials.access_token, '{ me { username } }')).status).toBe(401);

    // The client revoked its refresh token (RFC 7009): the sign-in's tokens, refreshed ones too, are
    // refused wherever Cognito checks revocation (userInfo, refresh, the identity pool's
    // server-side token check) ...
    expect(out.userInfoAfterRevoke).toBe('invalid_token');
    expect(out.refreshAfterRevoke).toBe('invalid_grant');
    expect(claims(out.refreshedAccessToken).origin_jti).toBe(claims(out.idToken).origin_jti);
    const identity = new CognitoIdentityClient({ endpoint: mode.outputs.Auth.Cognito.identityPoolEndpoint, region: mode.stack.region });
    try {
      const Logins = { [mode.managedLogin.issuer.replace(/^https:\/\//, '')]: out.idToken };
      await expect(identity.send(new GetIdCommand({ IdentityPoolId: mode.outputs.Auth.Cognito.identityPoolId, Logins }))).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: expect.stringMatching(/revoked/),
      });
    } finally {
      identity.destroy();
    }
    // ... but not by AppSync, which checks only signature, issuer, client and expiry (docs/appsync-cognito-semantics.md).
    expect((await graphql(out.refreshedAccessToken, '{ me { username } }')).status).toBe(200);
  }, 90_000);
});

describe('the sign-in pages', () => {
  test('a first sign-in gets the change-password page; a password the policy refuses stays there; a good one ends with a code', async () => {
    const newhire = mode.outputs.demoUsers.find((u) => u.temporaryPassword)!;
    const b = new Browser();
    const p = pkce();
    const form = await b.get(new URL((await b.get(authorizeUrl({ code_challenge: p.challenge, code_challenge_method: 'S256' }))).headers.location!, origin()).toString());
    const change = await b.submit(form, { username: newhire.email, password: newhire.temporaryPassword! });
    expect(change.status).toBe(200);
    expect(change.body).toContain('Change password');
    const weak = await b.submit(change, { new_password: 'short', confirm_password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatch(/Password does not conform to policy/);
    const done = await b.submit(weak, { new_password: 'New-Passw0rd-123', confirm_password: 'New-Passw0rd-123' });
    expect(done.status).toBe(302);
    const code = new URL(done.headers.location!).searchParams.get('code')!;
    const tokens = JSON.parse((await exchange(code, p.verifier)).body);
    expect(claims(tokens.id_token)).toMatchObject({ email: newhire.email, 'cognito:groups': ['editors'] });
  });

  test('a TOTP user gets the code page; a wrong code stays there; the right one ends with a code', async () => {
    const mfa = mode.outputs.demoUsers.find((u) => u.totpSecret)!;
    const b = new Browser();
    const p = pkce();
    const form = await b.get(new URL((await b.get(authorizeUrl({ code_challenge: p.challenge, code_challenge_method: 'S256' }))).headers.location!, origin()).toString());
    const codePage = await b.submit(form, { username: mfa.email, password: mfa.password! });
    expect(codePage.body).toContain('Multi-factor authentication');
    const wrong = await b.submit(codePage, { totpCode: '000000' === totpCode(mfa.totpSecret!, new Date()) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    const done = await b.submit(wrong, { totpCode: totpCode(mfa.totpSecret!, new Date()) });
    expect(done.status).toBe(302);
    const tokens = JSON.parse((await exchange(new URL(done.headers.location!).searchParams.get('code')!, p.verifier)).body);
    expect(claims(tokens.id_token).email).toBe(mfa.email);
  });

  test('a wrong password shows the form again with Cognito\'s message; a form without its CSRF token is refused', async () => {
    const b = new Browser();
    const form = await b.get(new URL((await b.get(authorizeUrl())).headers.location!, origin()).toString());
    expect(form.body).toMatch(/name="username"/);
    expect(form.body).toMatch(/name="password"/);
    // The form posts here and its answer redirects to the callback: form-action names both, nothing else.
    expect(form.headers['content-security-policy']).toContain(`form-action 'self' ${new URL(CALLBACK).origin};`);
    const wrong = await b.submit(form, { username: 'editor@example.com', password: 'wrong-Passw0rd!' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('Incorrect username or password.');
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1].replace(/&amp;/g, '&');
    const forged = await call(`${origin()}${action}`, { form: { username: 'editor@example.com', password: mode.userPool.demoPassword } });
    expect(forged.status).toBe(403);
  });
});

describe("bad requests get Cognito's answers", () => {
  test('an unregistered redirect_uri or an unknown client: an error page, never a redirect', async () => {
    const bad = await call(authorizeUrl({ redirect_uri: 'https://attacker.example/cb' }));
    expect(bad.status).toBe(400);
    expect(bad.headers.location).toBeUndefined();
    expect(bad.body).toContain('redirect_mismatch');
    const unknown = await call(authorizeUrl({ client_id: 'nosuchclient' }));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.location).toBeUndefined();
  });

  test('a form endpoint answers another content type with 400 invalid_request before reading the body (even one over its bound)', async () => {
    const expected = { error: 'invalid_request', error_description: 'Content-Type "application/json": expected application/x-www-form-urlencoded' };
    for (const body of ['{"grant_type":"authorization_code"}', 'a'.repeat(64 * 1024 + 1)]) {
      const r = await call(`${origin()}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect({ status: r.status, body: JSON.parse(r.body) }).toEqual({ status: 400, body: expected });
    }
  });

  test('the implicit grant on a code-only client is refused', async () => {
    const r = await call(authorizeUrl({ response_type: 'token' }));
    expect(r.status).toBe(302);
    const back = new URL(r.headers.location!);
    expect(back.searchParams.get('error')).toBe('unauthorized_client');
    expect(back.searchParams.has('access_token')).toBe(false);
    expect(back.hash).toBe('');
  });

  test('a wrong verifier, a reused code and an expired code: invalid_grant', async () => {
    const p = pkce();
    const code = await signInForCode('reader@example.com', mode.userPool.demoPassword, p);
    const wrong = await exchange(code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body).error).toBe('invalid_grant');
    // The failed attempt used the code up.
    expect(JSON.parse((await exchange(code, p.verifier)).body).error).toBe('invalid_grant');

    const p2 = pkce();
    const code2 = await signInForCode('reader@example.com', mode.userPool.demoPassword, p2);
    expect((await exchange(code2, p2.verifier)).status).toBe(200);
    const reused = await exchange(code2, p2.verifier);
    expect(reused.status).toBe(400);
    expect(JSON.parse(reused.body).error).toBe('invalid_grant');
  });

  test('an expired code: invalid_grant (a managed login whose codes live 1 s)', async () => {
    const { startManagedLogin } = await import('../local/managed-login');
    const { ensureLocalTls } = await import('../local/graphql/tls');
    const short = await startManagedLogin({ stack: mode.stack, userPool: mode.userPool, tls: await ensureLocalTls(path.join(dataDir, 'tls')), port: 0, codeSeconds: 1 });
    try {
      const b = new Browser();
      const p = pkce();
      const q = new URLSearchParams({ client_id: web().clientId, response_type: 'code', redirect_uri: CALLBACK, state: 's', code_challenge: p.challenge, code_challenge_method: 'S256' });
      const form = await b.get(`${short.origin}/login?${q}`);
      const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1].replace(/&amp;/g, '&');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
      const cookie = (form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
      const done = await call(`${short.origin}${action}`, { form: { _csrf: csrf, username: 'reader@example.com', password: mode.userPool.demoPassword }, headers: { cookie } });
      const code = new URL(done.headers.location!).searchParams.get('code')!;
      await new Promise((r) => setTimeout(r, 1500));
      const late = await call(`${short.origin}/oauth2/token`, { form: { grant_type: 'authorization_code', client_id: web().clientId, code, redirect_uri: CALLBACK, code_verifier: p.verifier } });
      expect(late.status).toBe(400);
      expect(JSON.parse(late.body).error).toBe('invalid_grant');
    } finally {
      await short.close();
    }
  });

  test('a wrong client secret: invalid_client', async () => {
    const server = mode.outputs.local.clients!.find((c) => c.clientSecret)!;
    const r = await call(`${origin()}/oauth2/token`, {
      form: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from(`${server.clientId}:wrong`).toString('base64')}` },
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toBe('invalid_client');
    const ok = await call(`${origin()}/oauth2/token`, {
      form: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}` },
    });
    expect(ok.status).toBe(200);
  });

  test('an unregistered logout_uri is never redirected to; a registered one is', async () => {
    const bad = await call(`${origin()}/logout?client_id=${web().clientId}&logout_uri=${encodeURIComponent('https://attacker.example/')}`);
    expect(bad.status).toBe(400);
    expect(bad.headers.location).toBeUndefined();
    const good = await call(`${origin()}/logout?client_id=${web().clientId}&logout_uri=${encodeURIComponent(web().logoutUrls[0])}`);
    expect(good.status).toBe(302);
    expect(good.headers.location).toBe(web().logoutUrls[0]);
  });

  test('a revoked refresh token no longer refreshes', async () => {
    const p = pkce();
    const code = await signInForCode('reader@example.com', mode.userPool.demoPassword, p);
    const tokens = JSON.parse((await exchange(code, p.verifier)).body);
    expect((await call(`${origin()}/oauth2/revoke`, { form: { token: tokens.refresh_token, client_id: web().clientId } })).status).toBe(200);
    const r = await call(`${origin()}/oauth2/token`, { form: { grant_type: 'refresh_token', client_id: web().clientId, refresh_token: tokens.refresh_token } });
    expect(JSON.parse(r.body).error).toBe('invalid_grant');
  });

  test("the identity pool takes a managed-login ID token under its issuer's name (as aws-amplify names it), not under another", async () => {
    const p = pkce();
    const code = await signInForCode('editor@example.com', mode.userPool.demoPassword, p);
    const idToken = JSON.parse((await exchange(code, p.verifier)).body).id_token as string;
    const getId = async (loginName: string) => {
      const res = await fetch(mode.outputs.Auth.Cognito.identityPoolEndpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
        body: JSON.stringify({ IdentityPoolId: mode.outputs.Auth.Cognito.identityPoolId, Logins: { [loginName]: idToken } }),
      });
      return { status: res.status, body: await res.json() };
    };
    const ok = await getId(mode.managedLogin.issuer.replace(/^https:\/\//, ''));
    expect(ok.body.IdentityId).toMatch(new RegExp(`^${mode.stack.region}:`));
    const misnamed = await getId(`cognito-idp.${mode.stack.region}.amazonaws.com/${mode.userPool.poolId}`);
    expect(misnamed.status).toBe(400);
    expect(misnamed.body).toMatchObject({ __type: 'NotAuthorizedException', message: expect.stringContaining('Issuer mismatch') });
  });

  test('a Host that is not loopback is refused (DNS rebinding), as on the other local ports', async () => {
    const r = await call(`${origin()}/oauth2/authorize`, { headers: { host: 'rebind.example:443' } });
    expect(r.status).toBe(403);
  });
});

describe('hand-off to the federation gateway', () => {
  test('identity_provider goes to the gateway; its result comes back as a code for that user with the client state', async () => {
    const p = pkce();
    const start = await call(authorizeUrl({ identity_provider: 'CorpSAML', state: 'app-state', code_challenge: p.challenge, code_challenge_method: 'S256' }));
    expect(start.status).toBe(302);
    const toIdp = new URL(start.headers.location!);
    expect(toIdp.searchParams.get('provider')).toBe('CorpSAML');
    const relay = toIdp.searchParams.get('relay')!;
    expect(relay).not.toBe('app-state'); // the client's state never reaches the IdP
    const back = await call(`${toIdp}&user=${encodeURIComponent('editor2@example.com')}`);
    expect(gatewayCalls).toContain('CorpSAML');
    const callback = new URL(back.headers.location!);
    expect(callback.searchParams.get('state')).toBe('app-state');
    const tokens = JSON.parse((await exchange(callback.searchParams.get('code')!, p.verifier)).body);
    expect(claims(tokens.id_token).email).toBe('editor2@example.com');
    // The state is used once.
    expect((await call(`${toIdp}&user=editor2@example.com`)).status).toBe(400);
  });

  test('idp_identifier routes by email domain; a refusal comes back as error=access_denied', async () => {
    const start = await call(authorizeUrl({ idp_identifier: 'ann@corp.example.com', state: 'x' }));
    const toIdp = new URL(start.headers.location!);
    expect(toIdp.searchParams.get('provider')).toBe('CorpSAML');
    const back = new URL((await call(toIdp.toString())).headers.location!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('x');
    expect((await call(authorizeUrl({ idp_identifier: 'nobody@elsewhere.example' }))).status).toBe(400);
  });
});
