// The local mode's page: sign in against the local Cognito (USER_PASSWORD_AUTH), run GraphQL
// against the local endpoint with the access token as AppSync's raw Authorization header, and
// show what docs/access-matrix.json says the signed-in persona may reach. No framework, no CDN.
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
    state.session = { accessToken: AccessToken, email: id.email || email, groups: id['cognito:groups'] || [] };
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

async function main() {
  state.config = await (await fetch('/local-config.json')).json();
  const matrix = await fetch('/access-matrix.json');
  state.matrix = matrix.ok ? await matrix.json() : null;
  $('query').value = DEFAULT_QUERY;
  // Users who need a new password or a TOTP code sign in through the form or aws-amplify.
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
