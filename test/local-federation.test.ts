import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import { startFederation, createPreTokenHook, readStackFederation, type FederationGateway, type FederationResult, type PreTokenHook } from '../local/federation';
import { readLocalStack, type LocalStack } from '../local/stack-reader';
import { LOCAL_DEMO_PASSWORD, startUserPool, type UserPoolEmulator } from '../local/user-pool';
import { federatedPersonas } from './helpers/federated-users';
import { synthesizeLocalStack } from './helpers/local-stack';

/**
 * Federation through the local IdPs, driven as a browser would with a real HTTP client
 * (redirects followed by hand, cookies kept per origin): the IdP's own login form, its answer
 * posted or redirected back to the gateway mounted on a test server, and the user the pool
 * then holds. The pre-sign-up and pre-token-generation triggers run from the synthesized
 * stack's own zips.
 */

const config = loadConfig();
let stackFile: string;
let stack: LocalStack;
let pool: UserPoolEmulator;
let gateway: FederationGateway;
let server: Server;
let dataDir: string;
const results = new Map<string, FederationResult>();

const { samlEditor, samlAdminClaimant, googleAllowed, googleOutsider } = federatedPersonas(config);

beforeAll(async () => {
  stackFile = synthesizeLocalStack();
  stack = readLocalStack(stackFile);
  dataDir = mkdtempSync(path.join(tmpdir(), 'local-federation-'));
  pool = await startUserPool({ stack, dataDir: path.join(dataDir, 'cognito'), port: 0, host: '127.0.0.1' });
  server = createServer((req, res) => {
    const own = gateway.handle(req, res, (state, result) => {
      results.set(state, result);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state, result }));
    });
    if (!own) res.writeHead(404).end('not the gateway');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway = await startFederation({
    stack,
    userPool: pool.federatedUsers,
    userPoolEndpoint: pool.endpoint,
    redirectBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dataDir,
    users: config.local.federatedUsers,
    password: LOCAL_DEMO_PASSWORD,
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await pool?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A browser's essentials: cookies per origin, redirects followed by hand. */
class Browser {
  private readonly cookies = new Map<string, Map<string, string>>();

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 20; hops++) {
      const origin = new URL(current).origin;
      const jar = this.cookies.get(origin) ?? new Map<string, string>();
      const headers: Record<string, string> = {};
      if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method, headers, body, redirect: 'manual' });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      this.cookies.set(origin, jar);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).toString();
        method = 'GET';
        body = undefined;
        await res.arrayBuffer();
        continue;
      }
      return { url: current, status: res.status, body: await res.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/** The page's (first) form: its action, resolved against the page, and its hidden inputs. */
function form(page: { url: string; body: string }): { action: string; fields: Record<string, string>; names: string[] } {
  const m = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
  if (!m) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  const names: string[] = [];
  for (const input of m[2].matchAll(/<input([^>]*)>/gi)) {
    const name = /name="([^"]*)"/.exec(input[1])?.[1];
    if (!name) continue;
    names.push(name);
    if (/type="hidden"/.test(input[1])) fields[name] = unescape(/value="([^"]*)"/.exec(input[1])?.[1] ?? '');
  }
  return { action: new URL(unescape(m[1]), page.url).toString(), fields, names };
}

/** Signs in at the IdP's page from authorizeUrl and returns what the gateway handed to onResult. */
async function federatedSignIn(provider: string, email: string, password = LOCAL_DEMO_PASSWORD): Promise<{ state: string; result: FederationResult }> {
  const browser = new Browser();
  const state = `app-state-${Math.random().toString(36).slice(2)}`;
  const login = await browser.go(gateway.authorizeUrl(provider, state));
  expect(login.status).toBe(200);
  const loginForm = form(login);
  expect(loginForm.names).toEqual(expect.arrayContaining(['username', 'password']));
  let page = await browser.go(loginForm.action, { method: 'POST', form: { ...loginForm.fields, username: email, password } });
  if (page.body.includes('SAMLResponse')) {
    // The HTTP-POST binding: the IdP's page posts the response to the pool's ACS.
    const post = form(page);
    page = await browser.go(post.action, { method: 'POST', form: post.fields });
  }
  expect(page.status).toBe(200);
  const answer = JSON.parse(page.body) as { state: string; result: FederationResult };
  expect(answer.state).toBe(state);
  return answer;
}

const hookInput = (userName: string, userAttributes: Record<string, string>) => ({
  triggerSource: 'TokenGeneration_HostedAuth' as const,
  userName,
  userAttributes,
  groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] },
  clientId: stack.userPool.webClient.clientId,
  scopes: ['openid', 'email'],
});

describe('SAML (CorpSAML) through the local samlify IdP', () => {
  test('the editor becomes CorpSAML_<NameID> with mapped attributes and identities; the pre-token trigger maps content-editors to editors', async () => {
    const { result } = await federatedSignIn('CorpSAML', samlEditor.email);
    expect(result).toEqual({ username: `CorpSAML_${samlEditor.email}` });
    const user = await pool.federatedUsers.user(`CorpSAML_${samlEditor.email}`);
    expect(user?.status).toBe('EXTERNAL_PROVIDER');
    expect(user?.attributes.email).toBe(samlEditor.email);
    // Several values: Cognito's `[a, b]` form.
    expect(user?.attributes['custom:idp_groups']).toBe(`[${samlEditor.idpGroups.join(', ')}]`);
    const identities = JSON.parse(user!.attributes.identities);
    expect(identities).toEqual([
      { userId: samlEditor.email, providerName: 'CorpSAML', providerType: 'SAML', issuer: gateway.idps.CorpSAML, primary: true, dateCreated: expect.any(Number) },
    ]);

    const details = await gateway.preTokenHook!(hookInput(user!.username, user!.attributes));
    expect(details?.groupOverrideDetails?.groupsToOverride).toEqual(['editors']);
    expect(details?.groupOverrideDetails?.preferredRole).toBe('arn:aws:iam::000000000000:role/content-dev-group-editors');
    expect(details?.idTokenGeneration?.claimsToSuppress).toEqual(['custom:idp_groups']);
  });

  test('a user claiming admins (not allow-listed) is created but the trigger maps the claim to no group', async () => {
    const { result } = await federatedSignIn('CorpSAML', samlAdminClaimant.email);
    expect(result).toEqual({ username: `CorpSAML_${samlAdminClaimant.email}` });
    const user = await pool.federatedUsers.user(`CorpSAML_${samlAdminClaimant.email}`);
    // One value: stored as it is.
    expect(user?.attributes['custom:idp_groups']).toBe('admins');
    const details = await gateway.preTokenHook!(hookInput(user!.username, user!.attributes));
    expect(details?.groupOverrideDetails).toBeUndefined();
  });

  test('a second sign-in updates the same user (same sub)', async () => {
    const before = await pool.federatedUsers.user(`CorpSAML_${samlEditor.email}`);
    const { result } = await federatedSignIn('CorpSAML', samlEditor.email);
    expect(result).toEqual({ username: `CorpSAML_${samlEditor.email}` });
    expect((await pool.federatedUsers.user(`CorpSAML_${samlEditor.email}`))?.sub).toBe(before!.sub);
  });

  test('a wrong password stays on the IdP page; nothing reaches the gateway', async () => {
    const browser = new Browser();
    const login = await browser.go(gateway.authorizeUrl('CorpSAML', 'wrong-password-state'));
    const f = form(login);
    const page = await browser.go(f.action, { method: 'POST', form: { ...f.fields, username: samlEditor.email, password: 'not-the-password' } });
    expect(page.status).toBe(401);
    expect(page.body).toContain('Wrong email or password.');
    expect(results.has('wrong-password-state')).toBe(false);
  });
});

describe('Google through the local oidc-provider', () => {
  test('an allowed address becomes Google_<sub> with the mapped email and name and Google identities', async () => {
    const { result } = await federatedSignIn('Google', googleAllowed.email);
    expect('username' in result && result.username).toMatch(/^Google_\d{21}$/);
    const username = (result as { username: string }).username;
    const user = await pool.federatedUsers.user(username);
    expect(user?.status).toBe('EXTERNAL_PROVIDER');
    expect(user?.attributes.email).toBe(googleAllowed.email);
    expect(user?.attributes.name).toBe(googleAllowed.name);
    expect(JSON.parse(user!.attributes.identities)).toEqual([
      { userId: username.slice('Google_'.length), providerName: 'Google', providerType: 'Google', issuer: null, primary: true, dateCreated: expect.any(Number) },
    ]);
    // A Google user is nobody's federated SAML user: the trigger grants nothing.
    expect((await gateway.preTokenHook!(hookInput(user!.username, user!.attributes)))?.groupOverrideDetails).toBeUndefined();
  });

  test('an address outside the admission rule is refused by the pre-sign-up bundle: access_denied, no user', async () => {
    const { result } = await federatedSignIn('Google', googleOutsider.email);
    expect(result).toEqual({ error: 'access_denied', description: 'Sign-up through Google is not open to this account. Ask an administrator for access.' });
    expect(await pool.federatedUsers.usersWithEmail(googleOutsider.email)).toEqual([]);
  });

  test('local-outputs lists the demo federated users with what the admission rule decides', () => {
    const byEmail = Object.fromEntries(gateway.federatedUsers.map((u) => [u.email, u]));
    expect(byEmail[googleOutsider.email]).toMatchObject({ idp: 'Google', allowed: false, password: LOCAL_DEMO_PASSWORD });
    expect(byEmail[googleAllowed.email]).toMatchObject({ idp: 'Google', allowed: true });
    expect(byEmail[samlEditor.email]).toMatchObject({ idp: 'CorpSAML', idpGroups: samlEditor.idpGroups, allowed: true });
    expect(byEmail[samlAdminClaimant.email]).toMatchObject({ idp: 'CorpSAML', idpGroups: ['admins'], allowed: true });
  });
});

describe('routing', () => {
  test('idp_identifier: an address in corp.example.com goes to CorpSAML, and authorizeUrl to its IdP', async () => {
    expect(gateway.providerNames).toEqual(expect.arrayContaining(['Google', 'CorpSAML']));
    const provider = gateway.providerForIdentifier('Someone@Corp.Example.com');
    expect(provider).toBe('CorpSAML');
    expect(gateway.providerForIdentifier('corp.example.com')).toBe('CorpSAML');
    expect(gateway.providerForIdentifier('someone@example.com')).toBeUndefined();
    const url = new URL(gateway.authorizeUrl(provider!, 's'));
    expect(url.origin).toBe(new URL(gateway.idps.CorpSAML).origin);
    expect(url.searchParams.get('SAMLRequest')).toBeTruthy();
    // The stack's RequestSigningAlgorithm: the AuthnRequest is signed.
    expect(url.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  });

  test('an IdP without a local stand-in (the stack\'s PartnerOIDC) is skipped with a one-line notice, not fatal', () => {
    expect(config.identityProviders.oidc.map((o) => o.name)).toContain('PartnerOIDC');
    expect(gateway.providerNames).not.toContain('PartnerOIDC');
    expect(gateway.notices).toEqual([expect.stringMatching(/^identity provider PartnerOIDC \(OIDC\) skipped: .*stand-ins for Google and SAML only/)]);
    expect(gateway.providerForIdentifier('someone@partner.example.net')).toBeUndefined();
    expect(() => gateway.authorizeUrl('PartnerOIDC', 's')).toThrow(/PartnerOIDC/);
  });

  test('an unknown provider is an error naming the configured ones', () => {
    expect(() => gateway.authorizeUrl('Facebook', 's')).toThrow(/Facebook.*Google.*CorpSAML|Facebook.*CorpSAML.*Google/);
  });

  test('a response naming no pending sign-in is refused with 400', async () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/oauth2/idpresponse?code=x&state=forged`);
    expect(res.status).toBe(400);
  });
});

describe('the pre-token-generation hook runs the stack’s bundle with the stack’s environment', () => {
  let hook: PreTokenHook;
  let copy: string;

  beforeAll(() => {
    // A copy of the stack whose trigger environment also maps `admins`: the hook must follow it.
    copy = mkdtempSync(path.join(tmpdir(), 'federation-stack-'));
    cpSync(path.dirname(stackFile), copy, { recursive: true });
    const file = path.join(copy, 'cdk.tf.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const fns = doc.resource.aws_lambda_function as Record<string, { environment: { variables: Record<string, string> } }>;
    const fn = Object.values(fns).find((f) => f.environment.variables.GROUP_MAPPINGS)!;
    const mappings = JSON.parse(fn.environment.variables.GROUP_MAPPINGS);
    mappings.CorpSAML.admins = 'admins';
    fn.environment.variables.GROUP_MAPPINGS = JSON.stringify(mappings);
    writeFileSync(file, JSON.stringify(doc));
    hook = createPreTokenHook({ stack: readLocalStack(file) })!;
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test('the changed environment maps the admins claim; the bundle neither reads nor writes process.env', async () => {
    // process.env as a recorder (mapping nothing): the bundle must get the stack's variables from its own environment.
    const real = process.env;
    const touched: string[] = [];
    const stackVariables = new Set(['GROUP_MAPPINGS', 'IDP_GROUPS_ATTRIBUTE', 'GROUP_ORDER', 'GROUP_ROLE_NAMES', 'AWS_LAMBDA_FUNCTION_NAME']);
    const note = (what: string, key: string | symbol) => void (stackVariables.has(String(key)) && touched.push(`${what} ${String(key)}`));
    process.env = new Proxy(
      { ...real, GROUP_MAPPINGS: '{}' },
      {
        get: (t, k) => (note('read', k), Reflect.get(t, k)),
        has: (t, k) => (note('read', k), Reflect.has(t, k)),
        set: (t, k, v) => (note('write', k), Reflect.set(t, k, v)),
        defineProperty: (t, k, d) => (note('write', k), Reflect.defineProperty(t, k, d)),
        deleteProperty: (t, k) => (note('delete', k), Reflect.deleteProperty(t, k)),
      },
    );
    let details: Awaited<ReturnType<PreTokenHook>>;
    try {
      const attrs = { 'custom:idp_groups': '[admins]', identities: JSON.stringify([{ providerName: 'CorpSAML', userId: 'm' }]) };
      details = await hook(hookInput('CorpSAML_m', attrs));
    } finally {
      process.env = real;
    }
    expect(details?.groupOverrideDetails?.groupsToOverride).toEqual(['admins']);
    expect(touched).toEqual([]);
  });
});

describe('an identity provider without a local stand-in', () => {
  test('is skipped with a one-line notice, its people left out; the start goes on', async () => {
    const okta = { name: 'Okta', type: 'OIDC', attributeMapping: { email: 'email' }, identifiers: ['okta.example.com'], details: {} };
    const skipping = await startFederation({
      stack,
      federation: { ...readStackFederation(stack), providers: [okta] },
      userPool: pool.federatedUsers,
      redirectBase: 'https://127.0.0.1:1',
      dataDir,
      users: [{ idp: 'Okta', email: 'olga@okta.example.com', name: 'Olga', idpGroups: [] }],
      password: LOCAL_DEMO_PASSWORD,
    });
    try {
      expect(skipping.notices).toEqual([expect.stringMatching(/^identity provider Okta \(OIDC\) skipped: .*stand-ins for Google and SAML only/)]);
      expect(skipping.providerNames).toEqual([]);
      expect(skipping.federatedUsers).toEqual([]);
      expect(skipping.providerForIdentifier('olga@okta.example.com')).toBeUndefined();
    } finally {
      await skipping.close();
    }
  });
});
