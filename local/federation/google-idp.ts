import { createHash, createPrivateKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IdpThreadOptions, IdpUser } from './idp-protocol';
import { ensureSigningKey, type SigningKey } from './idp-keys';
import { loginPage, readForm } from './login-form';

/**
 * The local stand-in for Google: a certified OpenID Provider library (`oidc-provider`) on
 * loopback, with one client (the pool's: the stack's Google `client_id`, a local secret, the
 * pool's `/oauth2/idpresponse`), the authorization-code flow, and a sign-in form whose inputs
 * are named `username` and `password`. Claims as Google's: a numeric `sub`, `email`,
 * `email_verified`, `name`. Consent is skipped as Google does for a client already allowed.
 *
 * oidc-provider is ESM-only; this module runs in the IdP thread (plain Node, `require(esm)`).
 */

/** Google-style numeric subject (21 digits), stable per email so restarts keep the federated user. */
function googleSubject(email: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(`google-sub:${email.toLowerCase()}`).digest('hex')}`).toString().slice(0, 20);
  return `1${digits}`;
}

export function samePassword(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Stops a server now, keep-alive connections included. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * oidc-provider's storage, in memory: what its built-in development adapter does, named here so
 * the library does not print its production warning at every `npm start` (the local IdP keeps
 * nothing across restarts on purpose).
 */
function memoryAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; expires: number }>();
  const live = (key: string) => {
    const e = store.get(key);
    if (e && e.expires < Date.now()) store.delete(key);
    return e && e.expires >= Date.now() ? e.payload : undefined;
  };
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      store.set(this.key(id), { payload, expires: Date.now() + (expiresIn ?? 3600) * 1000 });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      return [...store.keys()].filter((k) => k.startsWith(`${this.model}:`)).map((k) => live(k)).find((p) => p?.uid === uid);
    }
    async findByUserCode(userCode: string) {
      return [...store.keys()].filter((k) => k.startsWith(`${this.model}:`)).map((k) => live(k)).find((p) => p?.userCode === userCode);
    }
    async consume(id: string) {
      const p = live(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, e] of store) if (e.payload.grantId === grantId) store.delete(k);
    }
  };
}

export interface RunningIdp {
  readonly issuer: string;
  close(): Promise<void>;
}

/** The local Google's signing key (published as its JWKS), kept in the data directory (idp-keys.ts). */
export function googleIdpKey(keysDir: string): Promise<SigningKey> {
  return ensureSigningKey(keysDir, 'google-idp', 'Google local IdP (loopback only)');
}

/** What `require` returns: oidc-provider ships no types a CommonJS build can import. */
type Untyped = ReturnType<NodeJS.Require>;
let oidcProvider: Untyped;
/** oidc-provider, loaded once: the IdP thread loads it as soon as it is launched (it is most of the thread's start). */
export function loadOidcProvider(): Untyped {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (oidcProvider ??= require('oidc-provider'));
}

export async function startGoogleIdp(host: string, google: NonNullable<IdpThreadOptions['google']>, users: readonly IdpUser[], signingKey: SigningKey): Promise<RunningIdp> {
  const oidc = loadOidcProvider();
  const Provider = oidc.default ?? oidc.Provider;
  const bySub = new Map(users.map((u) => [googleSubject(u.email), u]));
  const byEmail = new Map(users.map((u) => [u.email.toLowerCase(), u]));

  let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (_q, r) => r.writeHead(503).end();
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const key = createPrivateKey(signingKey.key).export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: google.clientId,
        client_secret: google.clientSecret,
        redirect_uris: [google.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...key, kid: 'local-google', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => false },
    // Google's lifetimes, roughly; set so the library does not warn about its defaults.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600 },
    async findAccount(_ctx: unknown, sub: string) {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: user.email, email_verified: true, name: user.name }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // Google does not ask again for a client the user already allowed: grant the asked scopes.
    async loadExistingGrant(ctx: { oidc: { client: { clientId: string }; session: { accountId: string }; params: { scope?: string } } }) {
      const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(String(ctx.oidc.params.scope ?? google.scopes));
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();

  handler = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (!match) return callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const page = (error?: string, username?: string) =>
          loginPage({ title: 'Sign in with Google (local)', action: `/interaction/${details.uid}`, error, username });
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page());
          return;
        }
        if (req.method !== 'POST') {
          res.writeHead(405, { allow: 'GET, POST' }).end();
          return;
        }
        const form = await readForm(req);
        const username = (form.get('username') ?? '').trim().toLowerCase();
        const user = byEmail.get(username);
        if (!user || !samePassword(form.get('password') ?? '', user.password)) {
          res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page('Wrong email or password.', username));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: googleSubject(user.email) } }, { mergeWithLastSubmission: false });
      } catch (e) {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`sign-in failed: ${(e as Error).message}`);
      }
    })();
  };

  return {
    issuer,
    close: () => closeServer(server),
  };
}
