// An OAuth 2.0 / OIDC client written with oauth4webapi (unmodified), run as its own Node process
// (oauth4webapi is ESM-only), with NODE_EXTRA_CA_CERTS trusting the local CA. It discovers the
// issuer, signs in with code + PKCE (the "browser" part, filling the managed login's form, is
// plain fetch), validates the ID token claims, calls userInfo, refreshes, and runs
// client_credentials for the server client, then revokes the refresh token and tries userInfo and
// refresh again. Prints one JSON line with what it got.
import * as oauth from 'oauth4webapi';

const env = process.env;
const issuer = new URL(env.ISSUER);

function cookieJar() {
  const jar = new Map();
  return {
    take(res) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair.indexOf('=');
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
    },
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

/** The user's part: follow the authorize redirect, fill in the form, return the callback URL. */
async function signInAtTheForm(authorizationUrl, username, password) {
  const jar = cookieJar();
  let res = await fetch(authorizationUrl, { redirect: 'manual' });
  const loginUrl = new URL(res.headers.get('location'), authorizationUrl);
  res = await fetch(loginUrl, { headers: { cookie: jar.header() } });
  jar.take(res);
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)[1].replace(/&amp;/g, '&');
  res = await fetch(new URL(action, loginUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
  });
  if (res.status !== 302) throw new Error(`sign-in form answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location'));
}

const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc' }));
const client = { client_id: env.CLIENT_ID };
const none = oauth.None();
const codeVerifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const nonce = oauth.generateRandomNonce();
const authorizationUrl = new URL(as.authorization_endpoint);
authorizationUrl.search = new URLSearchParams({
  client_id: client.client_id,
  redirect_uri: env.REDIRECT_URI,
  response_type: 'code',
  scope: 'openid email profile',
  state,
  nonce,
  code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: 'S256',
}).toString();

const callback = await signInAtTheForm(authorizationUrl, env.USERNAME, env.PASSWORD);
const params = oauth.validateAuthResponse(as, client, callback, state);
const codeResponse = await oauth.authorizationCodeGrantRequest(as, client, none, params, env.REDIRECT_URI, codeVerifier);
const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, { expectedNonce: nonce, requireIdToken: true });
const idClaims = oauth.getValidatedIdTokenClaims(tokens);

const userInfo = await oauth.processUserInfoResponse(as, client, idClaims.sub, await oauth.userInfoRequest(as, client, tokens.access_token));

const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, none, tokens.refresh_token));

const server = { client_id: env.SERVER_CLIENT_ID };
const cc = await oauth.processClientCredentialsResponse(
  as,
  server,
  await oauth.clientCredentialsGrantRequest(as, server, oauth.ClientSecretBasic(env.SERVER_CLIENT_SECRET), new URLSearchParams({ scope: env.SERVER_SCOPE }))
);

let wrongSecret;
try {
  await oauth.processClientCredentialsResponse(
    as,
    server,
    await oauth.clientCredentialsGrantRequest(as, server, oauth.ClientSecretBasic('not-the-secret'), new URLSearchParams({ scope: env.SERVER_SCOPE }))
  );
  wrongSecret = 'accepted';
} catch (e) {
  wrongSecret = e.error ?? e.cause?.error ?? String(e);
}

/** What a failed call's error says (the OAuth `error`, or oauth4webapi's code), or 'accepted'. */
async function refusal(call) {
  try {
    await call();
    return 'accepted';
  } catch (e) {
    // A WWW-Authenticate challenge (userInfo) carries the error in its parameters.
    const challenge = e.code === oauth.WWW_AUTHENTICATE_CHALLENGE ? e.cause?.[0]?.parameters?.error : undefined;
    return challenge ?? e.error ?? e.cause?.error ?? e.code ?? String(e);
  }
}

// RFC 7009 revocation of the refresh token: the sign-in's tokens are refused by the server from now on.
await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, none, tokens.refresh_token));
const userInfoAfterRevoke = await refusal(async () => oauth.processUserInfoResponse(as, client, idClaims.sub, await oauth.userInfoRequest(as, client, refreshed.access_token)));
const refreshAfterRevoke = await refusal(async () => oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, none, tokens.refresh_token)));

console.log(
  JSON.stringify({
    idToken: tokens.id_token,
    userInfoAfterRevoke,
    refreshAfterRevoke,
    issuer: as.issuer,
    idClaims,
    accessToken: tokens.access_token,
    scope: tokens.scope,
    userInfo,
    refreshedAccessToken: refreshed.access_token,
    refreshedIdToken: refreshed.id_token,
    clientCredentials: cc,
    wrongSecret,
  })
);
