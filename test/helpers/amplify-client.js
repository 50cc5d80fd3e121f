// A real aws-amplify v6 client in its own Node process, configured from the local outputs
// (local-outputs.json shape, passed in AMPLIFY_OUTPUTS). Run by test/local-amplify.test.ts
// with NODE_EXTRA_CA_CERTS pointing at the local CA (Amplify always opens wss: for
// subscriptions). Prints one JSON line per step on stdout.
//   ROLE=editor      sign in, query, create + publish an article, refresh tokens, query again
//   ROLE=subscriber  sign in, query a field it may not read, subscribe to onArticlePublished,
//                    print the first event
'use strict';

// Node 20 has no global WebSocket; Amplify's real-time provider needs one.
globalThis.WebSocket = require('ws');

const { Amplify } = require('aws-amplify');
const { signIn, fetchAuthSession } = require('aws-amplify/auth');
const { generateClient, CONNECTION_STATE_CHANGE, ConnectionState } = require('aws-amplify/api');
const { Hub } = require('aws-amplify/utils');

const say = (step, value) => process.stdout.write(`${JSON.stringify({ step, ...value })}\n`);

function errorInfo(e) {
  // A GraphQL result rejected as a whole (denied field) or an Error.
  if (e && Array.isArray(e.errors)) return { data: e.data ?? null, errors: e.errors.map((x) => ({ message: x.message, errorType: x.errorType, path: x.path })) };
  return { error: String((e && e.message) || e) };
}

async function main() {
  const outputs = JSON.parse(process.env.AMPLIFY_OUTPUTS);
  Amplify.configure({ Auth: outputs.Auth, API: outputs.API });
  // No authFlowType: aws-amplify's default, USER_SRP_AUTH, as an app written for the deployed pool.
  const { isSignedIn, nextStep } = await signIn({ username: process.env.EMAIL, password: process.env.PASSWORD });
  const first = await fetchAuthSession();
  say('signIn', { isSignedIn, nextStep: nextStep.signInStep, groups: first.tokens.accessToken.payload['cognito:groups'] ?? [] });
  const client = generateClient();

  if (process.env.ROLE === 'editor') {
    const list = await client.graphql({ query: '{ articles(limit: 2) { items { id title body reviewNotes } } }' });
    say('query', { data: list.data });
    const created = await client.graphql({
      query: 'mutation Create($input: CreateArticleInput!) { createArticle(input: $input) { id status authorId } }',
      variables: { input: { title: 'Amplify news', summary: 'From a real aws-amplify client', body: 'Full text' } },
    });
    say('createArticle', { data: created.data });
    const published = await client.graphql({
      query: 'mutation Publish($id: ID!) { publishArticle(id: $id) { id title summary publishedAt } }',
      variables: { id: created.data.createArticle.id },
    });
    say('publishArticle', { data: published.data });
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    say('refresh', {
      changed: refreshed.tokens.accessToken.toString() !== first.tokens.accessToken.toString(),
      sub: refreshed.tokens.accessToken.payload.sub === first.tokens.accessToken.payload.sub,
    });
    const me = await client.graphql({ query: '{ me { username groups } }' });
    say('queryAfterRefresh', { data: me.data });
    return;
  }

  try {
    await client.graphql({ query: '{ articles(limit: 1) { items { id title reviewNotes } } }' });
    say('deniedQuery', { rejected: false });
  } catch (e) {
    say('deniedQuery', { rejected: true, ...errorInfo(e) });
  }
  const connected = new Promise((resolve) => {
    const stop = Hub.listen('api', ({ payload }) => {
      if (payload.event === CONNECTION_STATE_CHANGE && payload.data.connectionState === ConnectionState.Connected) {
        stop();
        resolve();
      }
    });
  });
  const event = new Promise((resolve, reject) => {
    const sub = client.graphql({ query: 'subscription { onArticlePublished { id title summary publishedAt } }' }).subscribe({
      next: (value) => {
        sub.unsubscribe();
        resolve(value.data);
      },
      error: (e) => reject(new Error(`subscription error: ${JSON.stringify(errorInfo(e))}`)),
    });
  });
  await connected;
  say('subscribed', {});
  say('event', { data: await event });
}

main().then(
  () => process.exit(0),
  (e) => {
    say('failed', errorInfo(e));
    process.exit(1);
  },
);
