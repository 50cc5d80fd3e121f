// A tiny browser app written as for the deployed stack: aws-amplify v6, unmodified, configured
// with the local outputs (fetched from its own origin, as an app ships amplify_outputs.json).
// Bundled with esbuild by test/local-browser-login.test.ts and served at the web client's
// callback URL. "Sign in" calls signInWithRedirect(); back from the managed login, Amplify's
// own OAuth listener exchanges the code, and the app reads fetchAuthSession()/getCurrentUser()
// and runs one GraphQL query with the user-pool token. Everything it sees goes to #out as JSON.
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, getCurrentUser, signInWithRedirect } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';

const out = { hub: [] };
const show = () => (document.getElementById('out').textContent = JSON.stringify(out));

Hub.listen('auth', ({ payload }) => {
  out.hub.push(payload.event);
  show();
});

async function main() {
  const outputs = await (await fetch('/amplify_outputs.json')).json();
  Amplify.configure(outputs);
  document.getElementById('sign-in').addEventListener('click', () => {
    signInWithRedirect().catch((e) => ((out.error = String(e)), show()));
  });
  if (!new URLSearchParams(location.search).has('code')) {
    out.ready = true;
    return show();
  }
  // Amplify's token store waits for the code exchange its listener started on load.
  const session = await fetchAuthSession();
  const user = await getCurrentUser();
  const result = await generateClient().graphql({ query: '{ me { username groups } }' });
  Object.assign(out, {
    signedIn: true,
    username: user.username,
    idTokenGroups: session.tokens.idToken.payload['cognito:groups'] ?? [],
    idTokenIssuer: session.tokens.idToken.payload.iss,
    identityId: session.identityId,
    me: result.data.me,
    done: true,
  });
  show();
}

main().catch((e) => {
  out.error = String((e && e.message) || e) + (e && e.errors ? JSON.stringify(e.errors) : '');
  out.done = true;
  show();
});
