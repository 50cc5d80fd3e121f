import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stop as stopEsbuild } from 'esbuild';
import { type AppServer, bundleBrowserApp, startAppServer } from './helpers/app-server';
import { launchBrowser } from './helpers/browser';
import { closeStartedStacks, startLocalStack, synthesizeLocalStack, type TestLocalStack } from './helpers/local-stack';

/**
 * Browser sign-in through the local managed login (HTTPS, local CA), in Debian's Chromium:
 * - an unmodified aws-amplify v6 app (bundled here with esbuild, served by its own loopback
 *   server, whose callback URL the web client registers) signs in with signInWithRedirect() at
 *   the managed login's form, reads its session, and calls GraphQL with the user-pool token;
 * - the local page signs in with authorization code + PKCE as a browser app does, including
 *   the first-sign-in user (change-password page) and the TOTP user (code page);
 * - the page's "Sign in with <IdP>" buttons form the authorize URL with identity_provider.
 */

const APP_PAGE = '<!doctype html><meta charset="utf-8"><title>app</title><button id="sign-in">Sign in</button><pre id="out"></pre><script src="/app.js"></script>';

let stack: TestLocalStack;
let browser: Browser;
let appBundle: string;
let appServer: AppServer | undefined;
let appOrigin: string;
const contexts: BrowserContext[] = [];

/**
 * The synthesized dev stack with the web client's http://localhost:3000 callback and sign-out
 * URLs moved to the test app's own port (as a developer registers the port their app runs on).
 */
function stackWithAppAt(origin: string): string {
  const source = synthesizeLocalStack();
  const doc = JSON.parse(readFileSync(source, 'utf8'));
  const move = (urls: string[]) => urls.map((u) => u.replace(/^http:\/\/localhost:3000(?=\/)/, origin));
  for (const client of Object.values<Record<string, string[]>>(doc.resource.aws_cognito_user_pool_client)) {
    if (client.callback_urls) client.callback_urls = move(client.callback_urls);
    if (client.logout_urls) client.logout_urls = move(client.logout_urls);
  }
  const file = path.join(path.dirname(source), 'cdk.browser-app.tf.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

beforeAll(async () => {
  const bundling = bundleBrowserApp('amplify-redirect-app.js');
  appServer = await startAppServer({ bundle: () => appBundle, outputs: () => stack.outputs, page: APP_PAGE });
  appOrigin = appServer.origin;
  stack = await startLocalStack({ stackFile: stackWithAppAt(appOrigin) });
  appBundle = await bundling;
  await stopEsbuild(); // its service process would keep jest alive
  browser = await launchBrowser(stack);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await closeStartedStacks();
  await appServer?.close();
});

/** A fresh browser profile (no managed-login session cookie from another test). */
async function newPage(): Promise<{ page: Page; failures: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(e.message));
  return { page, failures };
}

/** The managed login's form: wait for it, fill it in as a user would, send it. */
async function fillSignInForm(page: Page, username: string, password: string): Promise<void> {
  await page.waitForURL((u) => u.origin === stack.managedLogin.origin && u.pathname === '/login');
  expect(await page.title()).toBe('Sign in');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
}

describe('an unmodified aws-amplify v6 app: signInWithRedirect through the managed login', () => {
  test('the form signs the editor in; Amplify exchanges the code; fetchAuthSession, getCurrentUser and GraphQL see the editor', async () => {
    const oauth = stack.outputs.Auth.Cognito.loginWith.oauth!;
    const callback = new URL(oauth.redirectSignIn.find((u) => u.startsWith(appOrigin))!);
    const { page, failures } = await newPage();
    await page.goto(callback.href);
    await page.waitForFunction(() => document.querySelector('#out')?.textContent?.includes('"ready"'));

    await page.click('#sign-in');
    await page.waitForURL((u) => u.origin === stack.managedLogin.origin);
    await fillSignInForm(page, 'editor@example.com', stack.userPool.demoPassword);
    await page.waitForURL((u) => u.origin + u.pathname === callback.href);
    await page.waitForFunction(() => /"done":true/.test(document.querySelector('#out')?.textContent ?? ''), undefined, { timeout: 30_000 });
    const out = JSON.parse((await page.textContent('#out')) ?? '{}');

    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ signedIn: true, idTokenGroups: ['editors'], idTokenIssuer: stack.managedLogin.issuer, me: { username: out.username, groups: ['editors'] } });
    // The identity pool gave the browser AWS credentials for the managed login's ID token.
    expect(out.identityId).toMatch(new RegExp(`^${stack.stack.region}:`));
    expect(out.hub).toContain('signInWithRedirect');
    expect(failures).toEqual([]);
  }, 90_000);
});

/** The local page's PKCE sign-in: click, fill the managed login's pages, come back signed in. */
async function pageSignIn(email: string, password: string, next?: (page: Page) => Promise<void>): Promise<{ page: Page; failures: string[] }> {
  const { page, failures } = await newPage();
  await page.goto(stack.graphql.pageUrl);
  await page.click('#managed-login-button');
  await fillSignInForm(page, email, password);
  if (next) await next(page);
  await page.waitForURL((u) => u.origin + u.pathname === stack.graphql.pageUrl);
  await page.waitForFunction(() => /Signed in as|Managed login:/.test(document.querySelector('#signin-status')?.textContent ?? ''));
  return { page, failures };
}

async function runQuery(page: Page, query: string): Promise<any> {
  await page.fill('#query', query);
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('HTTP'));
  expect(await page.textContent('#status')).toBe('HTTP 200');
  return JSON.parse((await page.textContent('#result')) ?? '');
}

describe('the local page signs in with code + PKCE through the managed login', () => {
  test('the first-sign-in user sets a new password on the change-password page, then queries as an editor', async () => {
    const newhire = stack.outputs.demoUsers.find((u) => u.temporaryPassword !== undefined)!;
    const { page, failures } = await pageSignIn(newhire.email, newhire.temporaryPassword!, async (p) => {
      await p.waitForURL((u) => u.pathname === '/login' && u.origin === stack.managedLogin.origin);
      await p.waitForSelector('input[name="new_password"]');
      expect(await p.title()).toBe('Change password');
      await p.fill('input[name="new_password"]', 'Local-New-Passw0rd!');
      await p.fill('input[name="confirm_password"]', 'Local-New-Passw0rd!');
      await p.click('button[type="submit"]');
    });
    expect(await page.textContent('#signin-status')).toBe(`Signed in as ${newhire.email} (managed login).`);
    expect(await page.textContent('#persona')).toContain(`groups: ${newhire.groups.join(', ')}`);
    const me = await runQuery(page, '{ me { groups } }');
    expect(me).toEqual({ data: { me: { groups: newhire.groups } } });
    expect(failures).toEqual([]);
  }, 90_000);

  test('the TOTP user enters the code computed from its secret on the code page', async () => {
    const mfa = stack.outputs.demoUsers.find((u) => u.totpSecret !== undefined)!;
    const { page, failures } = await pageSignIn(mfa.email, mfa.password!, async (p) => {
      await p.waitForSelector('input[name="totpCode"]');
      expect(await p.title()).toBe('Multi-factor authentication');
      await p.fill('input[name="totpCode"]', new TOTP({ secret: mfa.totpSecret! }).generate());
      await p.click('button[type="submit"]');
    });
    expect(await page.textContent('#signin-status')).toBe(`Signed in as ${mfa.email} (managed login).`);
    const me = await runQuery(page, '{ me { groups } }');
    expect(me).toEqual({ data: { me: { groups: mfa.groups } } });
    expect(failures).toEqual([]);
  }, 90_000);

  test('a wrong password stays on the managed login with its message; the page is not signed in', async () => {
    const { page } = await newPage();
    await page.goto(stack.graphql.pageUrl);
    await page.click('#managed-login-button');
    await fillSignInForm(page, 'reader@example.com', 'not-the-password');
    await page.waitForSelector('#error');
    expect(await page.textContent('#error')).toBe('Incorrect username or password.');
    expect(new URL(page.url()).origin).toBe(stack.managedLogin.origin);
  }, 60_000);
});

describe('the page\'s identity-provider buttons', () => {
  test('one button per provider of the web client; each goes to /oauth2/authorize with identity_provider and PKCE', async () => {
    const providers = stack.stack.userPool.webClient.supportedIdentityProviders.filter((p) => p !== 'COGNITO');
    expect(providers.length).toBeGreaterThan(0);
    const { page } = await newPage();
    await page.goto(stack.graphql.pageUrl);
    await page.waitForSelector('#idp-buttons button');
    expect(await page.$$eval('#idp-buttons button', (bs) => bs.map((b) => b.textContent))).toEqual(providers.map((p) => `Sign in with ${p}`));
    for (const provider of providers) {
      await page.goto(stack.graphql.pageUrl);
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(`${stack.managedLogin.origin}/oauth2/authorize`)),
        page.click(`#idp-buttons button[data-idp="${provider}"]`),
      ]);
      const q = new URL(request.url()).searchParams;
      expect(Object.fromEntries(q)).toEqual({
        client_id: stack.stack.userPool.webClient.clientId,
        response_type: 'code',
        redirect_uri: stack.graphql.pageUrl,
        scope: stack.stack.userPool.webClient.allowedOauthScopes.join(' '),
        state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        code_challenge_method: 'S256',
        identity_provider: provider,
      });
    }
  }, 60_000);
});
