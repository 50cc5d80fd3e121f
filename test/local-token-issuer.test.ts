import { createPublicKey, verify } from 'node:crypto';
import { COGNITO_LOCAL_PUBLIC_KEY as publicKey } from '../local/user-pool/cognito-local-adapter';
import { type PreTokenGenerationV2Input, TokenIssuer } from '../local/user-pool/token-issuer';

/**
 * The token issuer signs with the key the pool's JWKS publishes and applies a pre-token hook's
 * V2 answer as Cognito does: group override in both tokens, claims added/suppressed per token,
 * scopes added/suppressed on the access token, reserved claims untouched.
 */

const ISS = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test';
const now = new Date('2026-12-01T10:00:00Z');
const client = { clientId: 'webclient', accessTokenValidity: 60, idTokenValidity: 30, tokenValidityUnits: { accessToken: 'minutes', idToken: 'minutes' } };
const user = { username: 'ann', attributes: { sub: 'sub-1', email: 'ann@example.com', email_verified: 'true', 'custom:idp_groups': 'content-editors' }, groups: ['readers'] };

function decode(jwt: string): Record<string, any> {
  const [h, p, s] = jwt.split('.');
  const key = createPublicKey({ key: publicKey.jwk as never, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
  expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: publicKey.jwk.kid });
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

test('without a hook: the pool groups, the claims the local tests rely on, the client lifetimes, signed by the JWKS key', async () => {
  const t = await new TokenIssuer(ISS, () => now).userTokens({ user, client, source: 'TokenGeneration_Authentication', scopes: ['aws.cognito.signin.user.admin'] });
  const id = decode(t.IdToken);
  const access = decode(t.AccessToken);
  const iat = now.getTime() / 1000;
  expect(id).toMatchObject({ iss: ISS, aud: 'webclient', 'cognito:username': 'ann', email: 'ann@example.com', email_verified: true, sub: 'sub-1', token_use: 'id', 'cognito:groups': ['readers'], 'custom:idp_groups': 'content-editors', exp: iat + 1800 });
  expect(access).toMatchObject({ iss: ISS, client_id: 'webclient', username: 'ann', scope: 'aws.cognito.signin.user.admin', token_use: 'access', 'cognito:groups': ['readers'], exp: iat + 3600 });
  expect(t.ExpiresIn).toBe(3600);
  expect(decode(t.RefreshToken)['cognito:username']).toBe('ann');
});

test('the hook sees a V2 request and its answer is applied as Cognito applies it', async () => {
  const seen: PreTokenGenerationV2Input[] = [];
  const issuer = new TokenIssuer(ISS, () => now, async (event) => {
    seen.push(event);
    return {
      groupOverrideDetails: { groupsToOverride: ['editors'], iamRolesToOverride: ['arn:aws:iam::1:role/editors'], preferredRole: 'arn:aws:iam::1:role/editors' },
      idTokenGeneration: { claimsToAddOrOverride: { team: 'content', sub: 'forged', 'cognito:groups': 'admins' }, claimsToSuppress: ['email_verified', 'iss'] },
      accessTokenGeneration: { claimsToAddOrOverride: { tier: 'gold', client_id: 'forged' }, scopesToAdd: ['content/read'], scopesToSuppress: ['aws.cognito.signin.user.admin'] },
    };
  });
  const t = await issuer.userTokens({ user, client, source: 'TokenGeneration_HostedAuth', scopes: ['openid', 'aws.cognito.signin.user.admin'] });
  expect(seen).toEqual([
    {
      triggerSource: 'TokenGeneration_HostedAuth',
      userName: 'ann',
      userAttributes: user.attributes,
      groupConfiguration: { groupsToOverride: ['readers'], iamRolesToOverride: [] },
      clientId: 'webclient',
      scopes: ['openid', 'aws.cognito.signin.user.admin'],
    },
  ]);
  const id = decode(t.IdToken);
  const access = decode(t.AccessToken);
  for (const token of [id, access]) {
    expect(token['cognito:groups']).toEqual(['editors']);
    expect(token['cognito:roles']).toEqual(['arn:aws:iam::1:role/editors']);
    expect(token['cognito:preferred_role']).toBe('arn:aws:iam::1:role/editors');
  }
  expect(id.team).toBe('content');
  expect(id.sub).toBe('sub-1');
  expect(id.iss).toBe(ISS);
  expect(id.email_verified).toBeUndefined();
  expect(access.team).toBeUndefined();
  expect(access.tier).toBe('gold');
  expect(access.client_id).toBe('webclient');
  expect(access.scope).toBe('openid content/read');
});

test('an empty group override leaves no group claim; client_credentials tokens skip the hook and carry scope, no groups', async () => {
  let calls = 0;
  const issuer = new TokenIssuer(ISS, () => now, async () => {
    calls++;
    return { groupOverrideDetails: { groupsToOverride: [] } };
  });
  const t = await issuer.userTokens({ user, client, source: 'TokenGeneration_RefreshTokens', scopes: ['openid'], withoutRefreshToken: true });
  expect(decode(t.IdToken)['cognito:groups']).toBeUndefined();
  expect(t.RefreshToken).toBe('');
  const cc = decode(issuer.clientToken({ client: { clientId: 'server' }, scopes: ['content/read'] }).access_token);
  expect(cc).toMatchObject({ sub: 'server', client_id: 'server', scope: 'content/read', token_use: 'access' });
  expect(cc['cognito:groups']).toBeUndefined();
  expect(calls).toBe(1);
});
