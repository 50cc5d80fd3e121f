import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../config';
import { type BrowserProfile, launchProfile } from './helpers/browser';
import { federatedPersonas } from './helpers/federated-users';
import { synthesizeLocalStack, closeStartedStacks, startLocalStack, type TestLocalStack } from './helpers/local-stack';

/**
 * Federation as `npm start` runs it, in Debian's Chromium: an app sends the browser to the
 * managed login's /oauth2/authorize with identity_provider (or idp_identifier), the local IdP's
 * own page signs the person in, the answer comes back through the managed login to the app's
 * redirect URI with a code, the app exchanges it (code + PKCE, from its own origin) and calls
 * the GraphQL endpoint, whose field access follows the groups the stack's own pre-token trigger
 * mapped from the IdP's groups. Then an invited-only variant of the stack, whose pre-sign-up
 * bundle links the Google identity to an invited native user through AdminLinkProviderForUser
 * on the local pool.
 */

const config = loadConfig();
const REDIRECT = 'http://localhost:3000/callback';

const { samlEditor, samlAdminClaimant, googleAllowed, googleOutsider } = federatedPersonas(config);

/** Chromium trusting the stack's certificate, with the app's page at the web client's callback origin. */
async function launch(stack: TestLocalStack, name: string): Promise<BrowserProfile> {
  // The app's page below is answered by a route, so Chromium knows no address for it and treats it as
  // public, refusing its calls to loopback; a real app on localhost:3000 is loopback itself.
  const profile = await launchProfile(stack, name, ['--disable-features=LocalNetworkAccessChecks']);
  // The app: a blank page of the web client's loopback callback origin.
  await profile.context.route('http://localhost:3000/', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' }));
  return profile;
}

interface Outcome {
  readonly callback: URL;
  readonly state: string;
  readonly verifier: string;
  /** A page of the app's origin (http://localhost:3000). */
  readonly app: Page;
}

/** From the app to the managed login, through the IdP's page, back to the app's redirect URI. */
async function federatedSignIn(stack: TestLocalStack, context: BrowserContext, route: Record<string, string>, email: string): Promise<Outcome> {
  // A fresh browser session: no IdP or hosted-UI cookies from the previous person.
  await context.clearCookies();
  const page = await context.newPage();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(`${stack.managedLogin.origin}/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    client_id: stack.stack.userPool.webClient.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid email profile',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...route,
  }).toString();
  await page.goto(authorize.toString());
  // The IdP's own sign-in page, on its own loopback origin.
  await page.waitForSelector('input[name="username"]');
  expect(new URL(page.url()).origin).not.toBe(stack.managedLogin.origin);
  await page.fill('input[name="username"]', email);
  await page.fill('input[name="password"]', stack.userPool.demoPassword);
  // The managed login redirects the browser to the app's redirect URI. Nothing listens at
  // localhost:3000 (and a route does not catch a redirect): the request itself is what the app gets.
  const [callback] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 60_000 }),
    page.click('button[type="submit"]', { noWaitAfter: true }),
  ]);
  await page.close();
  // The app's page (the route answers it), for the app's own requests from its origin.
  const app = await context.newPage();
  await app.goto('http://localhost:3000/');
  return { callback: new URL(callback.url()), state, verifier, app };
}

/** The app's side, in the page (origin http://localhost:3000): the code for tokens, then a GraphQL call with the access token. */
async function exchangeAndQuery(stack: TestLocalStack, o: Outcome, queries: readonly string[]): Promise<{ tokens: Record<string, string>; graphql: { data?: any; errors?: any[] }[] }> {
  expect(o.callback.searchParams.get('state')).toBe(o.state);
  const code = o.callback.searchParams.get('code');
  expect(code).toBeTruthy();
  return o.app.evaluate(
    async ({ tokenUrl, graphqlUrl, clientId, code, verifier, redirect, queries }) => {
      const t = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: code!, code_verifier: verifier, redirect_uri: redirect }),
      });
      const tokens = (await t.json()) as Record<string, string>;
      const graphql = [];
      for (const query of queries) {
        const g = await fetch(graphqlUrl, { method: 'POST', headers: { authorization: tokens.access_token, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        graphql.push(await g.json());
      }
      return { tokens, graphql };
    },
    {
      tokenUrl: `${stack.managedLogin.origin}/oauth2/token`,
      graphqlUrl: stack.graphql.url,
      clientId: stack.stack.userPool.webClient.clientId,
      code,
      verifier: o.verifier,
      redirect: REDIRECT,
      queries,
    },
  );
}

const claims = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const ME = '{ me { username groups } }';
/** Gated on editors (and admins); non-null, so a denial nulls `data`. */
const DRAFTS = '{ drafts(limit: 1) { items { id } } }';
/** Gated on admins only. */
const GROUP_MEMBERS = '{ groupMembers(group: "editors") { username } }';
const denied = (field: string) => ({ data: null, errors: [expect.objectContaining({ errorType: 'Unauthorized', message: `Not Authorized to access ${field} on type Query` })] });

describe('the dev stack: both local IdPs from the managed login down to GraphQL', () => {
  let stack: TestLocalStack;
  let profile: BrowserProfile | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    stack = await startLocalStack();
    profile = await launch(stack, 'federation-browser');
    context = profile.context;
  }, 180_000);

  afterAll(async () => {
    await profile?.close();
    await closeStartedStacks();
  });

  test('local-outputs lists the IdP people with what the admission rule decides', () => {
    const byEmail = Object.fromEntries((stack.outputs.local.federatedUsers ?? []).map((u) => [u.email, u]));
    expect(byEmail[samlEditor.email]).toEqual({ idp: 'CorpSAML', email: samlEditor.email, password: stack.userPool.demoPassword, idpGroups: samlEditor.idpGroups, allowed: true });
    expect(byEmail[samlAdminClaimant.email]).toMatchObject({ idp: 'CorpSAML', idpGroups: ['admins'], allowed: true });
    expect(byEmail[googleAllowed.email]).toMatchObject({ idp: 'Google', idpGroups: [], allowed: true });
    expect(byEmail[googleOutsider.email]).toMatchObject({ idp: 'Google', allowed: false });
    // The example config's OIDC IdP has no local stand-in: skipped with one line, not fatal.
    expect(stack.notices).toEqual([expect.stringMatching(/^identity provider PartnerOIDC \(OIDC\) skipped: /)]);
  });

  test('idp_identifier routes the content-editors SAML user to CorpSAML; she reaches the editors-gated drafts', async () => {
    const o = await federatedSignIn(stack, context, { idp_identifier: samlEditor.email }, samlEditor.email);
    const { tokens, graphql } = await exchangeAndQuery(stack, o, [ME, DRAFTS, GROUP_MEMBERS]);
    const username = `CorpSAML_${samlEditor.email}`;
    expect(claims(tokens.access_token)).toMatchObject({ username, 'cognito:groups': ['editors'] });
    // The trigger suppresses the user-writable IdP-groups attribute in the ID token.
    expect(claims(tokens.id_token)).not.toHaveProperty('custom:idp_groups');
    expect(graphql[0]).toEqual({ data: { me: { username, groups: ['editors'] } } });
    expect(graphql[1]).toEqual({ data: { drafts: { items: expect.any(Array) } } });
    // editors is not admins.
    expect(graphql[2]).toEqual(denied('groupMembers'));
    const user = await stack.userPool.federatedUsers.user(username);
    expect(user?.status).toBe('EXTERNAL_PROVIDER');
    expect(JSON.parse(user!.attributes.identities)).toEqual([expect.objectContaining({ providerName: 'CorpSAML', providerType: 'SAML', userId: samlEditor.email })]);
    await o.app.close();
  }, 120_000);

  test('the SAML user claiming admins maps to no group: the admins-only field is denied', async () => {
    const o = await federatedSignIn(stack, context, { identity_provider: 'CorpSAML' }, samlAdminClaimant.email);
    const { tokens, graphql } = await exchangeAndQuery(stack, o, [ME, GROUP_MEMBERS, DRAFTS]);
    expect(claims(tokens.access_token)).not.toHaveProperty('cognito:groups');
    expect(graphql[0]).toEqual({ data: { me: { username: `CorpSAML_${samlAdminClaimant.email}`, groups: [] } } });
    expect(graphql[1]).toEqual(denied('groupMembers'));
    expect(graphql[2]).toEqual(denied('drafts'));
    await o.app.close();
  }, 120_000);

  test('an allowed Google user becomes Google_<sub>; nobody-in-particular gets the ungated field, not drafts', async () => {
    const o = await federatedSignIn(stack, context, { identity_provider: 'Google' }, googleAllowed.email);
    const { tokens, graphql } = await exchangeAndQuery(stack, o, [ME, DRAFTS]);
    expect(claims(tokens.id_token)).toMatchObject({ email: googleAllowed.email, 'cognito:username': expect.stringMatching(/^Google_\d{21}$/) });
    expect(graphql[0]).toEqual({ data: { me: { username: expect.stringMatching(/^Google_\d{21}$/), groups: [] } } });
    expect(graphql[1]).toEqual(denied('drafts'));
    await o.app.close();
  }, 120_000);

  test('a Google user outside the admission rule comes back to the app with error=access_denied and no user', async () => {
    const o = await federatedSignIn(stack, context, { identity_provider: 'Google' }, googleOutsider.email);
    expect(o.callback.searchParams.get('error')).toBe('access_denied');
    expect(o.callback.searchParams.get('error_description')).toBe('Sign-up through Google is not open to this account. Ask an administrator for access.');
    expect(o.callback.searchParams.get('state')).toBe(o.state);
    expect(o.callback.searchParams.has('code')).toBe(false);
    expect(await stack.userPool.federatedUsers.usersWithEmail(googleOutsider.email)).toEqual([]);
    await o.app.close();
  }, 120_000);
});

describe('an invitedOnly Google rule (a variant of the dev stack): the bundle links the invited person through AdminLinkProviderForUser', () => {
  let stack: TestLocalStack;
  let profile: BrowserProfile | undefined;
  let context: BrowserContext;
  let copy: string;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    // The synthesized stack with the pre-sign-up function's rule as `admission: { invitedOnly: true }` synthesizes it.
    const synthesized = synthesizeLocalStack();
    copy = mkdtempSync(path.join(tmpdir(), 'federation-invited-'));
    cpSync(path.dirname(synthesized), copy, { recursive: true });
    const file = path.join(copy, path.basename(synthesized));
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const fn = Object.values(doc.resource.aws_lambda_function as Record<string, { environment: { variables: Record<string, string> } }>).find((f) => f.environment.variables.SOCIAL_ADMISSION)!;
    fn.environment.variables.SOCIAL_ADMISSION = JSON.stringify({ Google: { mode: 'invitedOnly' } });
    writeFileSync(file, JSON.stringify(doc));
    stack = await startLocalStack({ stackFile: file });
    profile = await launch(stack, 'federation-invited-browser');
    context = profile.context;
    cognito = new CognitoIdentityProviderClient({ endpoint: stack.userPool.endpoint, region: stack.userPool.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  }, 180_000);

  afterAll(async () => {
    cognito?.destroy();
    await profile?.close();
    await closeStartedStacks();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test('an administrator invites the outsider; their Google sign-in is their native user, with its groups', async () => {
    const email = googleOutsider.email;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: stack.userPool.poolId,
        Username: email,
        UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
        MessageAction: 'SUPPRESS',
      }),
    );
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: stack.userPool.poolId, Username: email, GroupName: 'subscribers' }));

    const o = await federatedSignIn(stack, context, { identity_provider: 'Google' }, email);
    const { tokens, graphql } = await exchangeAndQuery(stack, o, [ME]);
    expect(claims(tokens.access_token)).toMatchObject({ username: email, 'cognito:groups': ['subscribers'] });
    expect(graphql[0]).toEqual({ data: { me: { username: email, groups: ['subscribers'] } } });
    // No Google_<sub> user was created: the identity is an entry of the native user's identities.
    expect((await stack.userPool.federatedUsers.usersWithEmail(email)).map((u) => u.username)).toEqual([email]);
    const native = await cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPool.poolId, Username: email }));
    const identities = JSON.parse(native.UserAttributes!.find((a) => a.Name === 'identities')!.Value!);
    expect(identities).toEqual([expect.objectContaining({ providerName: 'Google', providerType: 'Google', userId: expect.stringMatching(/^\d{21}$/) })]);
    await o.app.close();
  }, 120_000);

  test('AdminLinkProviderForUser answers bad links as Cognito does', async () => {
    const link = (destination: string, provider: string) =>
      cognito.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: stack.userPool.poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: destination },
          SourceUser: { ProviderName: provider, ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: '100000000000000000001' },
        }),
      );
    await expect(link('nobody@example.com', 'Google')).rejects.toMatchObject({ name: 'UserNotFoundException' });
    await expect(link('editor@example.com', 'Facebook')).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Facebook') });
  });

  test('someone nobody invited (even in the domain the dev rule allows) is refused with access_denied', async () => {
    const o = await federatedSignIn(stack, context, { identity_provider: 'Google' }, googleAllowed.email);
    expect(o.callback.searchParams.get('error')).toBe('access_denied');
    expect(await stack.userPool.federatedUsers.usersWithEmail(googleAllowed.email)).toEqual([]);
    await o.app.close();
  }, 120_000);
});
