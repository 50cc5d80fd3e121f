import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as samlify from 'samlify';
import type { IdpThreadOptions, IdpUser } from './idp-protocol';
import { autoPostPage, escapeHtml, loginPage, readForm } from './login-form';
import { closeServer, samePassword } from './google-idp';
import { ensureSigningKey, type SigningKey } from './idp-keys';
import { useSchemaValidator } from './saml-validator';

/**
 * A local SAML 2.0 identity provider (samlify) for one of the stack's SAML providers: SSO by
 * the HTTP-Redirect binding (the AuthnRequest's signature checked against the pool's
 * metadata when the IdP wants signed requests), a sign-in form whose inputs are named
 * `username` and `password`, and a Response by HTTP-POST to the pool's ACS with the
 * assertion signed by a key kept in the data directory (idp-keys.ts). NameID is the email (emailAddress format);
 * attributes: the email, the display name and the groups, multi-valued.
 */

export interface RunningSamlIdp {
  readonly name: string;
  readonly metadata: string;
  readonly entityId: string;
  readonly ssoUrl: string;
  close(): Promise<void>;
}

interface PendingRequest {
  readonly requestId: string;
  readonly relayState: string;
  readonly expires: number;
}

/** An AuthnRequest waits this long for the user to sign in. */
const REQUEST_TTL_MS = 10 * 60_000;

function xmlText(s: string): string {
  return escapeHtml(s);
}

function attribute(name: string, values: readonly string[]): string {
  const v = values.map((x) => `<saml:AttributeValue xsi:type="xs:string">${xmlText(x)}</saml:AttributeValue>`).join('');
  return `<saml:Attribute Name="${xmlText(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${v}</saml:Attribute>`;
}

/** samlify warns on the console about an IdP without SingleLogoutService; this one has none on purpose (README). */
function withoutSloWarning<T>(make: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].includes('missing endpoint of SingleLogoutService'))) warn(...args);
  };
  try {
    return make();
  } finally {
    console.warn = warn;
  }
}

/** The signing key of the local IdP for the SAML provider `name`, kept in the data directory (idp-keys.ts). */
export function samlIdpKey(keysDir: string, name: string): Promise<SigningKey> {
  return ensureSigningKey(keysDir, `saml-idp-${encodeURIComponent(name)}`, `${name} local IdP (loopback only)`);
}

export async function startSamlIdp(host: string, options: IdpThreadOptions['saml'][number], users: readonly IdpUser[], pems: SigningKey): Promise<RunningSamlIdp> {
  useSchemaValidator();
  const byEmail = new Map(users.map((u) => [u.email.toLowerCase(), u]));
  const pending = new Map<string, PendingRequest>();

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.writeHead(503).end();
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  const entityId = `${base}/saml/metadata`;
  const ssoUrl = `${base}/saml/sso`;
  const idp = withoutSloWarning(() => samlify.IdentityProvider({
    entityID: entityId,
    privateKey: pems.key,
    signingCert: pems.cert,
    wantAuthnRequestsSigned: options.wantAuthnRequestsSigned,
    nameIDFormat: [options.nameIdFormat],
    singleSignOnService: [
      { Binding: samlify.Constants.namespace.binding.redirect, Location: ssoUrl },
      { Binding: samlify.Constants.namespace.binding.post, Location: ssoUrl },
    ],
  }));
  const sp = samlify.ServiceProvider({ metadata: options.spMetadata });
  const metadata = idp.getMetadata();

  const html = (res: ServerResponse, status: number, body: string) =>
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);

  async function sso(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // The signature covers the parameters exactly as sent: rebuild the octet string from the raw query.
    const raw = new Map((url.search.slice(1) || '').split('&').map((p) => [p.split('=')[0], p] as const));
    const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].map((k) => raw.get(k)).filter(Boolean).join('&');
    const query = Object.fromEntries(url.searchParams);
    const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
    const id = randomUUID();
    const now = Date.now();
    for (const [k, p] of pending) if (p.expires < now) pending.delete(k);
    const requestId = parsed.extract.request?.id;
    if (typeof requestId !== 'string' || requestId === '') throw new Error('the AuthnRequest has no ID');
    pending.set(id, { requestId, relayState: query.RelayState ?? '', expires: now + REQUEST_TTL_MS });
    html(res, 200, loginPage({ title: `Sign in to ${options.name} (local)`, action: '/saml/login', hidden: { request: id } }));
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const id = form.get('request') ?? '';
    const request = pending.get(id);
    if (!request || request.expires < Date.now()) {
      html(res, 400, '<!doctype html><p>This sign-in request expired. Start again from the application.</p>');
      return;
    }
    const username = (form.get('username') ?? '').trim().toLowerCase();
    const user = byEmail.get(username);
    if (!user || !samePassword(form.get('password') ?? '', user.password)) {
      html(res, 401, loginPage({ title: `Sign in to ${options.name} (local)`, action: '/saml/login', hidden: { request: id }, error: 'Wrong email or password.', username }));
      return;
    }
    pending.delete(id);
    const attributes = [
      attribute(options.emailAttribute, [user.email]),
      ...(options.groupsAttribute && user.idpGroups.length > 0 ? [attribute(options.groupsAttribute, user.idpGroups)] : []),
      ...(options.nameAttribute ? [attribute(options.nameAttribute, [user.name])] : []),
    ].join('');
    const response = await idp.createLoginResponse(sp, { extract: { request: { id: request.requestId } } }, 'post', { email: user.email }, {
      relayState: request.relayState,
      customTagReplacement: (template: string) => {
        const now = new Date();
        const later = new Date(now.getTime() + 5 * 60_000).toISOString();
        const acs = sp.entityMeta.getAssertionConsumerService(samlify.Constants.namespace.binding.post) as string;
        const responseId = `_${randomUUID()}`;
        const values: Record<string, string> = {
          ID: responseId,
          AssertionID: `_${randomUUID()}`,
          Destination: acs,
          Audience: sp.entityMeta.getEntityID(),
          SubjectRecipient: acs,
          Issuer: entityId,
          IssueInstant: now.toISOString(),
          StatusCode: samlify.Constants.StatusCode.Success,
          ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later,
          SubjectConfirmationDataNotOnOrAfter: later,
          NameIDFormat: options.nameIdFormat,
          NameID: user.email,
          InResponseTo: request.requestId,
          AuthnStatement: '',
          AttributeStatement: '',
        };
        // replaceTagsByValue escapes every value (no injection from user data): the statements, built
        // here with escaped values, go in after it.
        const statements = `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attributes}</saml:AttributeStatement>`;
        const xml = samlify.SamlLib.replaceTagsByValue(template, values).replace('</saml:Assertion>', `${statements}</saml:Assertion>`);
        return { id: responseId, context: xml };
      },
    });
    html(res, 200, autoPostPage((response as { entityEndpoint: string }).entityEndpoint, { SAMLResponse: response.context, RelayState: request.relayState }));
  }

  handler = (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const run = async () => {
      if (url.pathname === '/saml/metadata' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(metadata);
      } else if (url.pathname === '/saml/sso' && req.method === 'GET') {
        await sso(req, res, url);
      } else if (url.pathname === '/saml/login' && req.method === 'POST') {
        await login(req, res);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    };
    run().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`SAML request refused: ${(e as Error).message ?? e}`);
    });
  };

  return { name: options.name, metadata, entityId, ssoUrl, close: () => closeServer(server) };
}
