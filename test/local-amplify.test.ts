import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { amplifySignIn } from './helpers/amplify-sign-in-runner';
import { closeStartedStacks, startLocalStack, type TestLocalStack } from './helpers/local-stack';

/**
 * A real aws-amplify v6 client (in a child Node process, as an app would run it) against the
 * local mode, configured only from the local outputs: the default (SRP) sign-in, a query, a
 * mutation, a token refresh (GetTokensFromRefreshToken), and a subscription over wss: that
 * receives onArticlePublished when an editor publishes.
 */

let stack: TestLocalStack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startLocalStack();
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await closeStartedStacks();
});

interface Step {
  step: string;
  [key: string]: any;
}

/** Runs the Amplify client script; `steps` yields its JSON lines as they come. */
function amplifyClient(role: 'editor' | 'subscriber', email: string) {
  const child = spawn(process.execPath, [path.join(__dirname, 'helpers', 'amplify-client.js')], {
    env: {
      ...process.env,
      ROLE: role,
      EMAIL: email,
      PASSWORD: stack.userPool.demoPassword,
      AMPLIFY_OUTPUTS: JSON.stringify(stack.outputs),
      // Amplify always opens wss: for subscriptions: trust the local CA, as a developer would.
      NODE_EXTRA_CA_CERTS: stack.graphql.caFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const seen: Step[] = [];
  const waiters: { step: string; resolve: (s: Step) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: Step;
    try {
      parsed = JSON.parse(line) as Step;
    } catch {
      return; // Amplify's own console output
    }
    seen.push(parsed);
    for (const w of waiters.filter((x) => x.step === parsed.step || parsed.step === 'failed')) w.resolve(parsed);
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return {
    seen,
    exited,
    /** Resolves with the named step (or the failure that stopped the script). */
    step(name: string, timeoutMs = 30_000): Promise<Step> {
      const done = seen.find((s) => s.step === name || s.step === 'failed');
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`amplify ${role}: no '${name}' in ${timeoutMs} ms; got ${JSON.stringify(seen)}; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({ step: name, resolve: (s) => (clearTimeout(timer), resolve(s)) });
        // `exited` never rejects: nothing to catch.
        void exited.then(() => setTimeout(() => reject(new Error(`amplify ${role} exited before '${name}'; got ${JSON.stringify(seen)}; stderr: ${stderr.slice(-2000)}`)), 50));
      });
    },
  };
}

test('aws-amplify v6: sign-in, query, mutation, refresh and a subscription over wss', async () => {
  const subscriber = amplifyClient('subscriber', 'subscriber@example.com');
  expect(await subscriber.step('signIn')).toEqual({ step: 'signIn', isSignedIn: true, nextStep: 'DONE', groups: ['subscribers'] });
  // Amplify rejects a result with a denied field as a whole: data and the Unauthorized error.
  const denied = await subscriber.step('deniedQuery');
  expect(denied.rejected).toBe(true);
  expect(denied.errors).toEqual([
    { message: 'Not Authorized to access reviewNotes on type Article', errorType: 'Unauthorized', path: ['articles', 'items', 0, 'reviewNotes'] },
  ]);
  expect(denied.data.articles.items[0]).toMatchObject({ id: expect.any(String), reviewNotes: null });
  await subscriber.step('subscribed');

  const editor = amplifyClient('editor', 'editor@example.com');
  expect((await editor.step('signIn')).groups).toEqual(['editors']);
  const query = await editor.step('query');
  expect(query.data.articles.items.length).toBeGreaterThan(0);
  // Staff read the gated fields: Amplify resolved (a denied field would have rejected it).
  expect(query.data.articles.items[0]).toEqual({ id: expect.any(String), title: expect.any(String), body: expect.any(String), reviewNotes: null });
  const created = await editor.step('createArticle');
  expect(created.data.createArticle).toMatchObject({ status: 'DRAFT' });
  const published = await editor.step('publishArticle');
  expect(published.data.publishArticle).toMatchObject({ id: created.data.createArticle.id, title: 'Amplify news' });

  // The subscriber hears of it, with the mutation's selection as payload.
  const event = await subscriber.step('event');
  expect(event.data).toEqual({ onArticlePublished: published.data.publishArticle });

  expect(await editor.step('refresh')).toEqual({ step: 'refresh', changed: true, sub: true });
  expect((await editor.step('queryAfterRefresh')).data).toEqual({ me: { username: expect.any(String), groups: ['editors'] } });
  expect(await editor.exited).toBe(0);
  expect(await subscriber.exited).toBe(0);
}, 120_000);

test('aws-amplify v6: the admin-created demo user sets a new password at first sign-in (policy enforced)', async () => {
  const newhire = stack.outputs.demoUsers.find((u) => u.temporaryPassword !== undefined);
  expect(newhire?.email).toBe('newhire@example.com');
  const lines = await amplifySignIn(stack.outputs.Auth.Cognito, {
    FLOW: 'newPassword',
    EMAIL: newhire!.email,
    PASSWORD: newhire!.temporaryPassword!,
    BAD_PASSWORD: 'short1!A',
    NEW_PASSWORD: 'NewHirePassw0rd!',
  });
  expect(lines).toEqual([
    { step: 'signIn', isSignedIn: false, nextStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED' },
    { step: 'badPassword', refused: true, name: 'InvalidPasswordException', message: 'Password does not conform to policy: Password not long enough' },
    { step: 'newPassword', isSignedIn: true, nextStep: 'DONE', groups: ['editors'] },
    { step: 'signInAgain', isSignedIn: true, nextStep: 'DONE' },
  ]);
});

test('aws-amplify v6: the TOTP demo user is asked for a code; a wrong code is refused, the right one signs in', async () => {
  const mfa = stack.outputs.demoUsers.find((u) => u.totpSecret !== undefined);
  expect(mfa?.email).toBe('mfa@example.com');
  const lines = await amplifySignIn(stack.outputs.Auth.Cognito, { FLOW: 'totp', EMAIL: mfa!.email, PASSWORD: mfa!.password!, TOTP_SECRET: mfa!.totpSecret! });
  expect(lines).toEqual([
    { step: 'signIn', isSignedIn: false, nextStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' },
    { step: 'wrongCode', refused: true, name: 'CodeMismatchException', message: 'Invalid code received for user' },
    { step: 'code', isSignedIn: true, nextStep: 'DONE', groups: ['subscribers'] },
  ]);
});
