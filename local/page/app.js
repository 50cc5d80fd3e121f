// The local mode's page: sign in through the local managed login as a browser app does
// (authorization code + PKCE, back to this page; the first-sign-in and TOTP users get the managed
// login's change-password and code pages), or with a demo button (USER_PASSWORD_AUTH against the
// local Cognito); run GraphQL against the local endpoint with the access token as AppSync's raw
// Authorization header, and show what docs/access-matrix.json says the signed-in persona may
// reach. No framework, no CDN.
'use strict';

const DEFAULT_QUERY = `query Articles {
  articles(limit: 5) {
    items { id title summary body }
    nextToken
  }
}`;

const state = { config: null, session: null, matrix: null };
const $ = (id) => document.getElementById(id);

function claimsOf(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part));
}

async function cognito(action, body) {
  const res = await fetch(state.config.userPoolEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${json.__type || res.status}: ${json.message || JSON.stringify(json)}`);
  return json;
}

async function signIn(email, password) {
  $('signin-status').textContent = `Signing in as ${email}...`;
  $('signin-status').className = '';
  try {
    const out = await cognito('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: state.config.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (!out.AuthenticationResult) throw new Error(`Challenge ${out.ChallengeName} is not handled by this page`);
    const { AccessToken, IdToken } = out.AuthenticationResult;
    const id = claimsOf(IdToken);
    state.session = { accessToken: AccessToken, idToken: IdToken, email: id.email || email, groups: id['cognito:groups'] || [] };
    $('signin-status').textContent = `Signed in as ${state.session.email}.`;
  } catch (error) {
    state.session = null;
    $('signin-status').textContent = String(error.message || error);
    $('signin-status').className = 'error';
  }
  render();
}

function render() {
  const s = state.session;
  $('persona').textContent = s
    ? `Signed in: ${s.email} — groups: ${s.groups.length ? s.groups.join(', ') : '(none)'}`
    : 'Not signed in.';
  renderMatrix();
  // The bucket view (storage.js) gets identity-pool credentials for this session.
  window.dispatchEvent(new CustomEvent('local-session', { detail: s }));
}

/** Matrix personas the user is: one per group, or "signed-in" for a user in no group. */
function personaIds(groups) {
  return groups.length ? groups.map((g) => `group:${g}`) : ['signed-in'];
}

function renderMatrix() {
  const m = state.matrix;
  const rows = $('matrix-rows');
  rows.replaceChildren();
  $('matrix').hidden = !m || !state.session;
  if (!m || !state.session) return;
  const ids = personaIds(state.session.groups);
  for (const row of m.rows) {
    const cells = ids.map((id) => row.cells[id]).filter(Boolean);
    if (!cells.length) continue;
    // A user in several groups reaches a field when any of its groups does (cognito_groups is OR).
    const cell = cells.find((c) => c.allowed) || cells[0];
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = `${row.type}.${row.field}`;
    const allowed = document.createElement('td');
    allowed.textContent = cell.allowed ? 'yes' : 'no';
    allowed.className = cell.allowed ? 'yes' : 'no';
    const why = document.createElement('td');
    why.textContent = cell.reason;
    tr.append(name, allowed, why);
    rows.append(tr);
  }
}

async function run() {
  let variables;
  try {
    variables = JSON.parse($('variables').value || '{}');
  } catch {
    $('result').textContent = 'Variables are not valid JSON.';
    return;
  }
  const headers = { 'content-type': 'application/json' };
  if (state.session) headers.authorization = state.session.accessToken;
  $('status').textContent = '...';
  const res = await fetch(state.config.graphqlUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: $('query').value, variables }),
  });
  const text = await res.text();
  $('status').textContent = `HTTP ${res.status}`;
  try {
    $('result').textContent = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    $('result').textContent = text;
  }
}

// ---- managed login: authorization code + PKCE (S256), as a browser app does ----------------

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

const redirectUri = () => `${location.origin}/`;

async function startManagedLogin(identityProvider) {
  const ml = state.config.managedLogin;
  const verifier = randomString();
  const oauthState = randomString();
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state: oauthState }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const q = new URLSearchParams({
    client_id: state.config.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: ml.scopes.join(' '),
    state: oauthState,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  if (identityProvider) q.set('identity_provider', identityProvider);
  location.assign(`${ml.origin}/oauth2/authorize?${q}`);
}

/** Back from the managed login with ?code= (or ?error=): exchange the code for tokens. */
async function finishManagedLogin() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return;
  history.replaceState(null, '', '/');
  const saved = JSON.parse(sessionStorage.getItem('pkce') || 'null');
  sessionStorage.removeItem('pkce');
  try {
    if (params.has('error')) throw new Error(`${params.get('error')}: ${params.get('error_description') || ''}`);
    if (!saved || saved.state !== params.get('state')) throw new Error('state does not match the sign-in this page started');
    const res = await fetch(`${state.config.managedLogin.origin}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: state.config.clientId,
        code: params.get('code'),
        redirect_uri: redirectUri(),
        code_verifier: saved.verifier,
      }),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${json.error}: ${json.error_description || ''}`);
    const id = claimsOf(json.id_token);
    state.session = { accessToken: json.access_token, idToken: json.id_token, email: id.email, groups: id['cognito:groups'] || [] };
    $('signin-status').textContent = `Signed in as ${state.session.email} (managed login).`;
    $('signin-status').className = '';
  } catch (error) {
    state.session = null;
    $('signin-status').textContent = `Managed login: ${error.message || error}`;
    $('signin-status').className = 'error';
  }
}

async function main() {
  state.config = await (await fetch('/local-config.json')).json();
  if (state.config.managedLogin) {
    $('managed-login').hidden = false;
    $('managed-login-button').addEventListener('click', () => startManagedLogin());
    for (const p of state.config.managedLogin.providers) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `Sign in with ${p}`;
      b.dataset.idp = p;
      b.addEventListener('click', () => startManagedLogin(p));
      $('idp-buttons').append(b);
    }
    await finishManagedLogin();
  }
  const matrix = await fetch('/access-matrix.json');
  state.matrix = matrix.ok ? await matrix.json() : null;
  $('query').value = DEFAULT_QUERY;
  // One-click buttons for users with a permanent password and no MFA; the first-sign-in and TOTP
  // users sign in through the managed login (its change-password and code pages).
  for (const user of state.config.demoUsers.filter((u) => u.password)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${user.email} (${user.groups.length ? user.groups.join(', ') : 'no group'})`;
    b.dataset.email = user.email;
    b.addEventListener('click', () => signIn(user.email, user.password));
    $('users').append(b);
  }
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn($('email').value, $('password').value);
  });
  $('signout').addEventListener('click', () => {
    state.session = null;
    $('signin-status').textContent = 'Signed out.';
    render();
  });
  $('run').addEventListener('click', () => run().catch((e) => ($('result').textContent = String(e))));
  render();
}

main().catch((e) => ($('result').textContent = `Page failed to start: ${e}`));
