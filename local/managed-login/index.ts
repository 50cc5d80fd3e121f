import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { COGNITO_LOCAL_PUBLIC_KEY as publicKey } from '../user-pool/cognito-local-adapter';
import type { LocalTls } from '../graphql/tls';
import { guardRequests, LoopbackGuard, loopbackAppOrigins, loopbackOrigins, sendForbidden } from '../loopback-guard';
import { closeServer, listenError } from '../server-lifecycle';
import type { LocalClient, LocalStack } from '../stack-reader';
import type { AuthOutcome, ChallengeName, UserPoolEmulator } from '../user-pool';
import { UserPoolError, unverifiedClaims } from '../user-pool';
import type { FederationGateway } from './federation-gateway';
import { errorPage, loginPage, mfaPage, newPasswordPage } from './pages';
import { readForm, type BodyLimit } from '../http-body';

export type { FederationGateway } from './federation-gateway';

/**
 * The managed login (Cognito's hosted UI and OAuth 2.0 / OIDC endpoints) for the local pool,
 * over HTTPS with the local CA: `/oauth2/authorize`, `/login` (+ the change-password and code
 * pages), `/oauth2/token` (authorization_code with PKCE S256, refresh_token,
 * client_credentials), `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`, and the discovery
 * document and JWKS under the issuer path. Clients, callback and logout URLs, flows, scopes and
 * identity providers come from the stack; the sign-in itself is the pool's `Authenticator`.
 *
 * Issuer: tokens from these endpoints carry `iss = https://<host:port>/<poolId>`, the URL the
 * discovery document is served under, so an unmodified OIDC client finds discovery `issuer`,
 * the URL it fetched and the ID token's `iss` equal. They are signed by the pool's one key; the
 * GraphQL endpoint and identity pool accept this issuer beside the AWS form for the same pool
 * and clients (graphql/token-verifier.ts). JSON-API tokens keep the AWS form.
 */

export interface ManagedLoginOptions {
  readonly stack: LocalStack;
  readonly userPool: Pick<UserPoolEmulator, 'poolId' | 'authenticator' | 'tokenIssuer' | 'clientSecret' | 'revocation'>;
  readonly tls: LocalTls;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Hands identity_provider / idp_identifier sign-ins to the local IdPs. @default none (those requests get an error page) */
  readonly federation?: FederationGateway | ((redirectBase: string) => Promise<FederationGateway>);
  /** Browser origins that may call the token, userInfo and revoke endpoints (the app's). @default the web client's loopback URL origins */
  readonly allowedOrigins?: readonly string[];
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** How long an authorization code lives, in seconds (Cognito: 5 minutes). @default 300 */
  readonly codeSeconds?: number;
}

export interface ManagedLogin {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  /** `127.0.0.1:<port>`: aws-amplify's `loginWith.oauth.domain`. */
  readonly domain: string;
  /** `https://127.0.0.1:<port>/<poolId>`: the OAuth tokens' `iss` and the discovery document's `issuer`. */
  readonly issuer: string;
  readonly discoveryUrl: string;
  /** The gateway, once `federationReady` has resolved (undefined before, and when there is none). */
  readonly federation?: FederationGateway;
  /**
   * Resolves when the federation gateway has started (at once when there is none); rejects when it
   * failed. The gateway starts beside the rest of the local mode (its IdPs load in their own
   * thread) instead of before it; an `identity_provider=` request that comes earlier waits for it.
   */
  readonly federationReady: Promise<FederationGateway | undefined>;
  /** Admits more browser origins (the local page, an IdP posting a SAML response). */
  allowOrigins(origins: Iterable<string>): void;
  /** Registers a local-only callback/logout URL for a client (the local page's own URL). */
  allowRedirectUris(clientId: string, uris: Iterable<string>): void;
  close(): Promise<void>;
}

interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state?: string;
  readonly codeChallenge?: string;
  readonly nonce?: string;
}

interface CodeGrant extends AuthorizationRequest {
  readonly username: string;
  readonly authTime: number;
  readonly expires: number;
}

interface RefreshGrant {
  readonly clientId: string;
  readonly username: string;
  readonly scopes: readonly string[];
  readonly authTime: number;
}

const SESSION_COOKIE = 'cognito';
const CSRF_COOKIE = 'XSRF-TOKEN';
const FORM = 'application/x-www-form-urlencoded';
const USER_SCOPES = new Set(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);

class OAuthError extends Error {
  constructor(readonly status: number, readonly error: string, description: string) {
    super(description);
  }
}

/**
 * The pages' Content-Security-Policy: no script, no framing; forms post only to this origin and,
 * on a sign-in page, end at `formTarget` (the request's registered callback: browsers apply
 * form-action to the redirect that follows the POST as well).
 */
function pagePolicy(formTarget?: string): string {
  let targets = "'self'";
  if (formTarget !== undefined) {
    const url = new URL(formTarget);
    // An app scheme (myapp://callback) has no origin: allow the scheme.
    targets += ` ${url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol}`;
  }
  return `default-src 'none'; style-src 'unsafe-inline'; form-action ${targets}; frame-ancestors 'none'`;
}

/** Forms of a few fields and tokens: 64 KiB is ample. */
const BODY_LIMIT: BodyLimit = {
  maxBytes: 64 * 1024,
  tooLarge: (max) => new OAuthError(413, 'invalid_request', `request body larger than ${max} bytes`),
};

export async function startManagedLogin(options: ManagedLoginOptions): Promise<ManagedLogin> {
  const { stack } = options;
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const codeMs = (options.codeSeconds ?? 300) * 1000;
  const { poolId, authenticator, tokenIssuer, revocation } = options.userPool;
  const clients = new Map(stack.userPool.clients.map((c) => [c.clientId, c]));
  const extraRedirects = new Map<string, Set<string>>();
  const codes = new Map<string, CodeGrant>();
  const refreshTokens = new Map<string, RefreshGrant>();
  /** Signed-in browser sessions (the `cognito` cookie), as the hosted UI remembers a user. */
  const sessions = new Map<string, { username: string; authTime: number; expires: number }>();
  /** Authorization requests waiting for an IdP's answer, by the state handed to the gateway. */
  const federated = new Map<string, AuthorizationRequest & { expires: number }>();
  const resourceScopes = new Set(stack.userPool.resourceServers.flatMap((r) => r.scopes));

  const appOrigins = options.allowedOrigins ?? loopbackAppOrigins([...stack.userPool.webClient.callbackUrls, ...stack.userPool.webClient.logoutUrls]);
  const guard = new LoopbackGuard(
    'managed login',
    appOrigins,
    "Add it to local.allowedOrigins in config/project.ts (or make it an http://localhost callback or logout URL of the web client) and restart."
  );
  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key });
  let origin = '';
  let issuer = '';
  let federation: FederationGateway | undefined;
  let federationStart: Promise<FederationGateway | undefined> = Promise.resolve(undefined);
  let userInfoVerifier: ReturnType<typeof JwtRsaVerifier.create> | undefined;

  const registered = (client: LocalClient, uri: string, kind: 'callback' | 'logout') =>
    (kind === 'callback' ? client.callbackUrls : client.logoutUrls).includes(uri) || (extraRedirects.get(client.clientId)?.has(uri) ?? false);

  // ---- helpers ---------------------------------------------------------------------------

  /** Pages answering a checked authorization request set their policy first (pagePolicy(redirectUri)). */
  function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'content-security-policy': (res.getHeader('content-security-policy') as string | undefined) ?? pagePolicy(),
      ...headers,
    });
    res.end(html);
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache', ...headers });
    res.end(text);
  }

  function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
    res.writeHead(302, { location, 'cache-control': 'no-store', ...headers });
    res.end();
  }

  /** Back to the client with `?code=` or `?error=` (and its `state`). */
  function redirectToClient(res: ServerResponse, request: Pick<AuthorizationRequest, 'redirectUri' | 'state'>, params: Record<string, string>, headers: Record<string, string | string[]> = {}): void {
    const url = new URL(request.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (request.state !== undefined) url.searchParams.set('state', request.state);
    redirect(res, url.toString(), headers);
  }

  function cookies(req: IncomingMessage): Record<string, string> {
    const out: Record<string, string> = {};
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const i = part.indexOf('=');
      if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    }
    return out;
  }

  const cookie = (name: string, value: string, maxAge?: number) =>
    `${name}=${encodeURIComponent(value)}; Path=/; Secure; HttpOnly; SameSite=Lax${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`;

  /** A form post (login pages, token, revoke): only the form content type (checked before any byte is read), bounded. */
  async function readFormBody(req: IncomingMessage): Promise<URLSearchParams> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== FORM) throw new OAuthError(400, 'invalid_request', `Content-Type ${JSON.stringify(type)}: expected ${FORM}`);
    return readForm(req, BODY_LIMIT);
  }

  /**
   * Validates an authorization request as Cognito does. Problems with the client or
   * redirect_uri are an error page (never a redirect); the rest go back to the client.
   */
  function authorizationRequest(q: URLSearchParams): { page: string } | { redirectError: [AuthorizationRequest, string, string] } | { request: AuthorizationRequest; client: LocalClient } {
    const clientId = q.get('client_id') ?? '';
    const client = clients.get(clientId);
    if (!client) return { page: `client_id ${JSON.stringify(clientId)}: no such client in this user pool.` };
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!registered(client, redirectUri, 'callback')) return { page: `redirect_uri ${JSON.stringify(redirectUri)} is not registered for client ${client.name} (callback URLs: ${client.callbackUrls.join(', ') || 'none'}): redirect_mismatch.` };
    const base = { clientId, redirectUri, state: q.get('state') ?? undefined };
    const responseType = q.get('response_type') ?? '';
    if (responseType !== 'code' && responseType !== 'token') return { redirectError: [{ ...base, scopes: [] }, 'unsupported_response_type', `response_type ${JSON.stringify(responseType)}: expected code or token`] };
    const flow = responseType === 'code' ? 'code' : 'implicit';
    if (!client.allowedOauthFlows.includes(flow)) return { redirectError: [{ ...base, scopes: [] }, 'unauthorized_client', `the ${flow} grant is not allowed for client ${client.name} (allowed: ${client.allowedOauthFlows.join(', ') || 'none'})`] };
    if (responseType === 'token') return { redirectError: [{ ...base, scopes: [] }, 'unsupported_response_type', 'the implicit grant is not emulated locally'] };
    const requested = (q.get('scope') ?? '').split(' ').filter(Boolean);
    const scopes = requested.length > 0 ? requested : [...client.allowedOauthScopes];
    const refused = scopes.filter((s) => !client.allowedOauthScopes.includes(s));
    if (refused.length > 0) return { redirectError: [{ ...base, scopes: [] }, 'invalid_scope', `scopes ${refused.join(' ')} are not allowed for client ${client.name}`] };
    const codeChallenge = q.get('code_challenge') ?? undefined;
    const method = q.get('code_challenge_method') ?? (codeChallenge === undefined ? undefined : 'plain');
    if (codeChallenge !== undefined && method !== 'S256') return { redirectError: [{ ...base, scopes }, 'invalid_request', `code_challenge_method ${JSON.stringify(method)}: expected S256`] };
    return { request: { ...base, scopes, codeChallenge, nonce: q.get('nonce') ?? undefined }, client };
  }

  function issueCode(res: ServerResponse, request: AuthorizationRequest, username: string, authTime: number, headers: Record<string, string | string[]> = {}): void {
    const code = randomBytes(32).toString('base64url');
    sweep();
    codes.set(code, { ...request, username, authTime, expires: nowMs() + codeMs });
    redirectToClient(res, request, { code }, headers);
  }

  function sweep(): void {
    const t = nowMs();
    for (const [k, c] of codes) if (c.expires < t) codes.delete(k);
    for (const [k, s] of sessions) if (s.expires < t) sessions.delete(k);
    for (const [k, f] of federated) if (f.expires < t) federated.delete(k);
  }

  // CSRF: a random token in a cookie and in the form (double submit); the cookie is HttpOnly and SameSite.
  function csrfFor(req: IncomingMessage): { token: string; setCookie?: string } {
    const existing = cookies(req)[CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return { token: existing };
    const token = randomBytes(32).toString('base64url');
    return { token, setCookie: cookie(CSRF_COOKIE, token) };
  }

  function checkCsrf(req: IncomingMessage, form: URLSearchParams): boolean {
    const a = cookies(req)[CSRF_COOKIE] ?? '';
    const b = form.get('_csrf') ?? '';
    return a.length > 0 && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  }

  /** Where a sign-in is finished: a code for the client, and a hosted-UI session cookie. */
  function signedIn(res: ServerResponse, request: AuthorizationRequest, outcome: AuthOutcome & { kind: 'tokens' }): void {
    const authTime = Math.floor(nowMs() / 1000);
    const id = randomBytes(32).toString('base64url');
    sessions.set(id, { username: outcome.username, authTime, expires: nowMs() + 3600_000 });
    issueCode(res, request, outcome.username, authTime, { 'set-cookie': cookie(SESSION_COOKIE, id, 3600) });
  }

  function challengePage(res: ServerResponse, action: string, csrf: string, outcome: AuthOutcome & { kind: 'challenge' }, error?: string): void {
    if (outcome.challengeName === 'NEW_PASSWORD_REQUIRED') {
      return sendHtml(res, error ? 400 : 200, newPasswordPage({ action: `/login/new-password?${action}`, csrf, session: outcome.session ?? '', error }));
    }
    if (outcome.challengeName === 'SOFTWARE_TOKEN_MFA') {
      return sendHtml(res, error ? 400 : 200, mfaPage({ action: `/login/mfa?${action}`, csrf, session: outcome.session ?? '', error }));
    }
    sendHtml(res, 400, errorPage('Sign-in step not offered here', `${outcome.challengeName}: set up TOTP through the API (AssociateSoftwareToken) first; this page answers NEW_PASSWORD_REQUIRED and SOFTWARE_TOKEN_MFA.`));
  }

  function providerLink(q: URLSearchParams, provider: string): string {
    const p = new URLSearchParams(q);
    p.set('identity_provider', provider);
    return `/oauth2/authorize?${p.toString()}`;
  }

  /** Cognito's page for a request it will not redirect back (bad client, redirect_uri or IdP). */
  function requestErrorPage(res: ServerResponse, detail: string): void {
    sendHtml(res, 400, errorPage('An error was encountered with the requested page.', detail));
  }

  /** The authorization request of `/oauth2/authorize` and the login pages; otherwise its error is answered. */
  function checkedRequest(res: ServerResponse, q: URLSearchParams): { request: AuthorizationRequest; client: LocalClient } | undefined {
    const checked = authorizationRequest(q);
    if ('page' in checked) {
      requestErrorPage(res, checked.page);
      return undefined;
    }
    if ('redirectError' in checked) {
      const [r, error, description] = checked.redirectError;
      redirectToClient(res, r, { error, error_description: description });
      return undefined;
    }
    return checked;
  }

  // ---- routes ----------------------------------------------------------------------------

  async function authorize(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const checked = checkedRequest(res, q);
    if (!checked) return;
    const { request, client } = checked;
    let provider = q.get('identity_provider') ?? undefined;
    const identifier = q.get('idp_identifier') ?? undefined;
    if (provider === undefined && identifier !== undefined) {
      await federationStart.catch(() => undefined);
      provider = federation?.providerForIdentifier(identifier);
      if (provider === undefined) return requestErrorPage(res, `idp_identifier ${JSON.stringify(identifier)}: no identity provider of this pool has it.`);
    }
    if (provider !== undefined && provider !== 'COGNITO') {
      await federationStart.catch(() => undefined);
      if (!client.supportedIdentityProviders.includes(provider)) {
        return requestErrorPage(res, `identity_provider ${JSON.stringify(provider)} is not enabled for client ${client.name} (enabled: ${client.supportedIdentityProviders.join(', ')}).`);
      }
      if (!federation || !federation.providerNames.includes(provider)) {
        return requestErrorPage(res, `identity_provider ${JSON.stringify(provider)}: no local identity provider runs for it.`);
      }
      const state = randomBytes(32).toString('base64url');
      sweep();
      federated.set(state, { ...request, expires: nowMs() + 600_000 });
      return redirect(res, federation.authorizeUrl(provider, state));
    }
    // A signed-in browser goes straight back with a code (the hosted UI's session).
    const session = sessions.get(cookies(req)[SESSION_COOKIE] ?? '');
    if (session && session.expires > nowMs()) return issueCode(res, request, session.username, session.authTime);
    redirect(res, `/login?${q.toString()}`);
  }

  async function login(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, path: string): Promise<void> {
    const checked = checkedRequest(res, q);
    if (!checked) return;
    const { request, client } = checked;
    // The sign-in forms' POST ends in a redirect to the client's callback: Chromium checks form-action there too.
    res.setHeader('content-security-policy', pagePolicy(request.redirectUri));
    const csrf = csrfFor(req);
    const headers = csrf.setCookie ? { 'set-cookie': csrf.setCookie } : undefined;
    const action = q.toString();
    await federationStart.catch(() => undefined);
    const providers = client.supportedIdentityProviders.filter((p) => p !== 'COGNITO' && (federation?.providerNames.includes(p) ?? false));
    const form = (error?: string, username?: string) =>
      sendHtml(res, error ? 400 : 200, loginPage({ action: `/login?${action}`, csrf: csrf.token, error, username, providers, providerLink: (p) => providerLink(q, p) }), headers);
    if (req.method === 'GET') return form();
    if (req.method !== 'POST') return sendHtml(res, 405, errorPage('Method not allowed', `${req.method} ${path}`));
    const body = await readFormBody(req);
    if (!checkCsrf(req, body)) return sendHtml(res, 403, errorPage('Forbidden', 'The form is missing its CSRF token or it does not match: reload the sign-in page.'));
    const session = body.get('session') ?? '';
    /** The same challenge page again, with what was wrong (the user retries the step). */
    const again = (challengeName: ChallengeName, error: string) => challengePage(res, action, csrf.token, { kind: 'challenge', username: '', challengeName, session, parameters: {} }, error);
    /** Answers a challenge; a wrong answer the user can correct (`retryOn`) shows the page again. */
    const answer = (challengeName: ChallengeName, responses: Record<string, string>, retryOn: string): Promise<AuthOutcome | undefined> =>
      authenticator.respondToChallenge({ clientId: client.clientId, challengeName, session, responses, trusted: true }).catch((e: unknown) => {
        if (!(e instanceof UserPoolError && e.code === retryOn)) throw e;
        again(challengeName, e.message);
        return undefined;
      });
    try {
      let outcome: AuthOutcome | undefined;
      if (path === '/login') {
        outcome = await authenticator.signInWithPassword({ clientId: client.clientId, username: body.get('username') ?? '', password: body.get('password') ?? '', trusted: true });
      } else if (path === '/login/new-password') {
        const password = body.get('new_password') ?? '';
        if (password !== (body.get('confirm_password') ?? '')) return again('NEW_PASSWORD_REQUIRED', 'Passwords do not match.');
        outcome = await answer('NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: password }, 'InvalidPasswordException');
      } else {
        outcome = await answer('SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: body.get('totpCode') ?? '' }, 'CodeMismatchException');
      }
      if (!outcome) return;
      if (outcome.kind === 'challenge') return challengePage(res, action, csrf.token, outcome);
      return signedIn(res, request, outcome);
    } catch (e) {
      if (e instanceof UserPoolError) return form(e.message, body.get('username') ?? undefined);
      throw e;
    }
  }

  /** Client authentication at the token and revoke endpoints: Basic, or client_id (+ client_secret) in the body. */
  async function authenticateClient(req: IncomingMessage, body: URLSearchParams): Promise<LocalClient> {
    let id = body.get('client_id') ?? undefined;
    let secret = body.get('client_secret') ?? undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) throw new OAuthError(400, 'invalid_client', 'Basic credentials: expected client_id:client_secret');
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    }
    const client = id === undefined ? undefined : clients.get(id);
    if (!client) throw new OAuthError(400, 'invalid_client', `client_id ${JSON.stringify(id ?? '')}: no such client`);
    const expected = await options.userPool.clientSecret(client.clientId);
    if (expected !== undefined) {
      const ok = secret !== undefined && secret.length === expected.length && timingSafeEqual(Buffer.from(secret), Buffer.from(expected));
      if (!ok) throw new OAuthError(400, 'invalid_client', `client ${client.name}: the client secret is missing or wrong`);
    }
    return client;
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new OAuthError(405, 'invalid_request', 'POST /oauth2/token');
    const body = await readFormBody(req);
    const client = await authenticateClient(req, body);
    const grant = body.get('grant_type');
    if (grant === 'authorization_code') {
      const code = body.get('code') ?? '';
      const c = codes.get(code);
      codes.delete(code); // one use, whatever the outcome
      if (!c || c.expires < nowMs()) throw new OAuthError(400, 'invalid_grant', 'the authorization code is unknown, used or expired');
      if (c.clientId !== client.clientId) throw new OAuthError(400, 'invalid_grant', 'the authorization code was issued to another client');
      if (c.redirectUri !== body.get('redirect_uri')) throw new OAuthError(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
      if (c.codeChallenge !== undefined) {
        const verifier = body.get('code_verifier') ?? '';
        const digest = createHash('sha256').update(verifier).digest('base64url');
        if (digest !== c.codeChallenge) throw new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
      }
      const tokens = await authenticator.issueTokensFor({ clientId: client.clientId, username: c.username, scopes: c.scopes, authTime: c.authTime, issuer, nonce: c.nonce });
      refreshTokens.set(tokens.RefreshToken, { clientId: client.clientId, username: c.username, scopes: c.scopes, authTime: c.authTime });
      return sendJson(res, 200, {
        ...(c.scopes.includes('openid') ? { id_token: tokens.IdToken } : {}),
        access_token: tokens.AccessToken,
        refresh_token: tokens.RefreshToken,
        expires_in: tokens.ExpiresIn,
        token_type: 'Bearer',
      }, corsHeaders(req));
    }
    if (grant === 'refresh_token') {
      const refreshToken = body.get('refresh_token') ?? '';
      const r = refreshTokens.get(refreshToken);
      // The pool's record too: the token may have been revoked through its JSON API or signed out.
      const claims = unverifiedClaims(refreshToken);
      if (!r || r.clientId !== client.clientId || revocation.isRevoked(claims)) {
        throw new OAuthError(400, 'invalid_grant', 'the refresh token is unknown, revoked or for another client');
      }
      const originJti = typeof claims.origin_jti === 'string' ? claims.origin_jti : undefined;
      const tokens = await authenticator.issueTokensFor({ clientId: client.clientId, username: r.username, scopes: r.scopes, authTime: r.authTime, issuer, source: 'TokenGeneration_RefreshTokens', withoutRefreshToken: true, originJti });
      return sendJson(res, 200, {
        ...(r.scopes.includes('openid') ? { id_token: tokens.IdToken } : {}),
        access_token: tokens.AccessToken,
        expires_in: tokens.ExpiresIn,
        token_type: 'Bearer',
      }, corsHeaders(req));
    }
    if (grant === 'client_credentials') {
      if (!client.allowedOauthFlows.includes('client_credentials')) throw new OAuthError(400, 'unauthorized_client', `client ${client.name} may not use client_credentials`);
      if ((await options.userPool.clientSecret(client.clientId)) === undefined) throw new OAuthError(400, 'unauthorized_client', 'client_credentials needs a client with a secret');
      const requested = (body.get('scope') ?? '').split(' ').filter(Boolean);
      const allowed = client.allowedOauthScopes.filter((s) => resourceScopes.has(s));
      const scopes = requested.length > 0 ? requested : allowed;
      if (scopes.length === 0 || scopes.some((s) => !allowed.includes(s))) throw new OAuthError(400, 'invalid_scope', `scope ${JSON.stringify(requested.join(' '))}: expected resource-server scopes of client ${client.name} (${allowed.join(' ')})`);
      return sendJson(res, 200, tokenIssuer.clientToken({ client, scopes, issuer }), corsHeaders(req));
    }
    throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${JSON.stringify(grant ?? '')}: expected authorization_code, refresh_token or client_credentials`);
  }

  async function userInfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const jwt = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    let claims: Record<string, unknown>;
    try {
      claims = await userInfoVerifier!.verify(jwt);
    } catch (e) {
      return sendJson(res, 401, { error: 'invalid_token', error_description: (e as Error).message }, { 'www-authenticate': 'Bearer error="invalid_token"', ...corsHeaders(req) });
    }
    if (revocation.isRevoked(claims)) {
      return sendJson(res, 401, { error: 'invalid_token', error_description: 'Access token has been revoked' }, { 'www-authenticate': 'Bearer error="invalid_token"', ...corsHeaders(req) });
    }
    const scopes = String(claims.scope ?? '').split(' ');
    if (typeof claims.username !== 'string' || !scopes.includes('openid')) {
      return sendJson(res, 403, { error: 'insufficient_scope', error_description: 'userInfo needs a user access token with the openid scope' }, corsHeaders(req));
    }
    const user = await authenticator.user(claims.username);
    if (!user) return sendJson(res, 401, { error: 'invalid_token', error_description: 'User does not exist.' }, corsHeaders(req));
    const a = user.attributes;
    const pick = (names: string[]) => Object.fromEntries(names.filter((n) => a[n] !== undefined).map((n) => [n, a[n]]));
    sendJson(res, 200, {
      sub: a.sub,
      ...(scopes.includes('email') ? pick(['email', 'email_verified']) : {}),
      ...(scopes.includes('profile') ? { ...pick(['name', 'given_name', 'family_name', 'identities']), ...Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith('custom:'))) } : {}),
      username: user.username,
    }, corsHeaders(req));
  }

  async function revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new OAuthError(405, 'invalid_request', 'POST /oauth2/revoke');
    const body = await readFormBody(req);
    const client = await authenticateClient(req, body);
    const t = body.get('token') ?? '';
    const r = refreshTokens.get(t);
    if (r && r.clientId !== client.clientId) throw new OAuthError(400, 'unauthorized_client', 'the token was issued to another client');
    // The pool's record: the sign-in's access and ID tokens are refused from now on (an unknown token is no error, RFC 7009).
    if ((await revocation.revokeRefreshToken(t, client.clientId)) === 'other-client') {
      throw new OAuthError(400, 'unauthorized_client', 'the token was issued to another client');
    }
    refreshTokens.delete(t);
    sendJson(res, 200, {}, corsHeaders(req));
  }

  function logout(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
    const client = clients.get(q.get('client_id') ?? '');
    if (!client) return requestErrorPage(res, `client_id ${JSON.stringify(q.get('client_id') ?? '')}: no such client in this user pool.`);
    const logoutUri = q.get('logout_uri') ?? '';
    if (!registered(client, logoutUri, 'logout')) {
      return requestErrorPage(res, `logout_uri ${JSON.stringify(logoutUri)} is not registered for client ${client.name} (sign-out URLs: ${client.logoutUrls.join(', ') || 'none'}).`);
    }
    sessions.delete(cookies(req)[SESSION_COOKIE] ?? '');
    redirect(res, logoutUri, { 'set-cookie': cookie(SESSION_COOKIE, '', 0) });
  }

  function discovery(): unknown {
    return {
      issuer,
      authorization_endpoint: `${origin}/oauth2/authorize`,
      token_endpoint: `${origin}/oauth2/token`,
      userinfo_endpoint: `${origin}/oauth2/userInfo`,
      revocation_endpoint: `${origin}/oauth2/revoke`,
      end_session_endpoint: `${origin}/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes_supported: [...new Set([...USER_SCOPES, ...resourceScopes])],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'email', 'email_verified', 'cognito:username', 'cognito:groups'],
    };
  }

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const o = req.headers.origin;
    return guard.admits(o) && !loopbackOrigins(port).includes(o) ? { 'access-control-allow-origin': o, vary: 'Origin' } : {};
  }

  function finishFederation(res: ServerResponse, state: string, result: { username: string } | { error: string; description: string }): void {
    const request = federated.get(state);
    federated.delete(state);
    if (!request || request.expires < nowMs()) return requestErrorPage(res, 'The sign-in at the identity provider came back with an unknown or expired state: start again.');
    if ('error' in result) return redirectToClient(res, request, { error: result.error, error_description: result.description });
    const authTime = Math.floor(nowMs() / 1000);
    const id = randomBytes(32).toString('base64url');
    sessions.set(id, { username: result.username, authTime, expires: nowMs() + 3600_000 });
    issueCode(res, request, result.username, authTime, { 'set-cookie': cookie(SESSION_COOKIE, id, 3600) });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    if (req.method === 'OPTIONS') {
      const o = req.headers.origin;
      res.writeHead(guard.admits(o) ? 204 : 403, guard.admits(o) ? {
        'access-control-allow-origin': o,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, x-amz-user-agent, cache-control',
        'access-control-max-age': '600',
        vary: 'Origin',
      } : {});
      res.end();
      return;
    }
    if (federation && (path === '/oauth2/idpresponse' || path === '/saml2/idpresponse')) {
      if (federation.handle(req, res, (state, result) => finishFederation(res, state, result))) return;
    }
    switch (path) {
      case `/${poolId}/.well-known/openid-configuration`:
        return sendJson(res, 200, discovery(), { 'access-control-allow-origin': '*' });
      case `/${poolId}/.well-known/jwks.json`:
        return sendJson(res, 200, { keys: [publicKey.jwk] }, { 'access-control-allow-origin': '*' });
      case '/oauth2/authorize':
        return authorize(req, res, url.searchParams);
      case '/login':
      case '/login/new-password':
      case '/login/mfa':
        return login(req, res, url.searchParams, path);
      case '/oauth2/token':
        return token(req, res);
      case '/oauth2/userInfo':
        return userInfo(req, res);
      case '/oauth2/revoke':
        return revoke(req, res);
      case '/logout':
        return logout(req, res, url.searchParams);
      default:
        return sendHtml(res, 404, errorPage('Not found', `${path} is not a managed-login endpoint.`));
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      if (e instanceof OAuthError) return sendJson(res, e.status, { error: e.error, error_description: e.message }, corsHeaders(req));
      sendJson(res, 500, { error: 'server_error', error_description: e instanceof Error ? e.message : String(e) }, corsHeaders(req));
    });
  });
  guardRequests(server, guard, (res, message) => sendForbidden(res, { error: 'forbidden', error_description: message }));

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, host, options.port)));
    server.listen(options.port, host, () => resolve((server.address() as AddressInfo).port));
  });
  guard.listeningOn(port);
  guard.allowOrigins(loopbackOrigins(port));
  origin = `https://${host}:${port}`;
  issuer = `${origin}/${poolId}`;
  userInfoVerifier = JwtRsaVerifier.create({ issuer, audience: null });
  userInfoVerifier.cacheJwks({ keys: [publicKey.jwk as never] }, issuer);
  const federationOption = options.federation;
  federationStart = (typeof federationOption === 'function' ? federationOption(origin) : Promise.resolve(federationOption)).then((g) => (federation = g));
  // Awaited by the caller (federationReady) and by close(); this keeps an early failure from being unhandled meanwhile.
  federationStart.catch(() => undefined);
  return {
    origin,
    domain: `${host}:${port}`,
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    get federation() {
      return federation;
    },
    federationReady: federationStart,
    allowOrigins: (origins) => guard.allowOrigins(origins),
    allowRedirectUris: (clientId, uris) => {
      const set = extraRedirects.get(clientId) ?? new Set<string>();
      for (const u of uris) set.add(u);
      extraRedirects.set(clientId, set);
    },
    close: async () => {
      await (await federationStart.catch(() => undefined))?.close();
      await closeServer(server);
    },
  };
}
