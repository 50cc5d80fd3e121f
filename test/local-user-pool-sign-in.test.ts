import * as path from 'node:path';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { TOTP, Secret } from 'otpauth';
import { readLocalStack } from '../local/stack-reader';
import { type UserPoolEmulator, startUserPool } from '../local/user-pool';
import { formatSrpTimestamp, srpPoolName } from '../local/user-pool/protocol/srp';
import { localCognitoClient } from '../local/user-pool/sign-in';
import {
  associateSoftwareToken,
  authenticate,
  completeNewPassword,
  enableTotpMfa,
  identityJsUser,
  sendTotp,
  verifySoftwareToken,
} from './helpers/identity-js';
import { amplifySignIn } from './helpers/amplify-sign-in-runner';
import { clientClaim } from './helpers/srp-client';
import { fixtureStack, writeFixtureStack } from './helpers/stack-fixture';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

/**
 * Sign-in against the local user pool with clients nobody here wrote: amazon-cognito-identity-js
 * (`authenticateUser`, USER_SRP_AUTH by default, with its newPasswordRequired / totpRequired /
 * mfaSetup callbacks), aws-amplify v6 (default `signIn`, `confirmSignIn`, in a child process)
 * and the AWS SDK v3 (admin calls, USER_PASSWORD_AUTH). The pool's password policy, temporary
 * password validity and MFA setting come from the stack, as the local mode reads them.
 */

const DAY = 86_400_000;
const PASSWORD = 'LocalPassw0rd!';

function stackWith(mfa: 'OPTIONAL' | 'ON', env: string) {
  const doc = fixtureStack();
  const pool = doc.resource.aws_cognito_user_pool.directory_pool_AAAA;
  pool.mfa_configuration = mfa;
  pool.software_token_mfa_configuration = [{ enabled: true }];
  pool.password_policy = [
    { minimum_length: 12, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true, temporary_password_validity_days: 3 },
  ];
  return readLocalStack(writeFixtureStack(doc, env));
}

/** A clock the test can move: sign-in, records and tokens all read it. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

const totpAt = (secret: string, at = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
/** A six-digit code that is none of the secret's codes around now. */
function wrongTotp(secret: string): string {
  const near = [-1, 0, 1].map((i) => totpAt(secret, Date.now() + i * 30_000));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c)) as string;
}

async function startPool(mfa: 'OPTIONAL' | 'ON', env: string) {
  const stack = stackWith(mfa, env);
  const pool = await startUserPool({
    stack,
    dataDir: path.join(temporaryDir('local-sign-in-'), 'cognito'),
    port: 0,
    demoUsers: [
      { email: 'editor@example.com', groups: ['editors'], signIn: 'password' },
      { email: 'newhire@example.com', groups: ['editors'], signIn: 'temporaryPassword' },
      { email: 'mfa@example.com', groups: [], signIn: 'totp' },
    ],
    now: clock.now,
  });
  const ref = { poolId: pool.poolId, clientId: stack.userPool.webClient.clientId, endpoint: pool.endpoint };
  return { stack, pool, ref };
}

/** An admin creates a user with a temporary password (AWS SDK v3, as an admin script would). */
async function adminCreate(pool: UserPoolEmulator, email: string, temporaryPassword: string, group?: string) {
  const sdk = localCognitoClient(pool);
  try {
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: email,
        TemporaryPassword: temporaryPassword,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }],
      })
    );
    if (group) await sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.poolId, Username: email, GroupName: group }));
  } finally {
    sdk.destroy();
  }
}

function idVerifier(pool: UserPoolEmulator, clientId: string) {
  const jwksCache = new SimpleJwksCache({ fetcher: { fetch: async () => (await fetch(pool.jwksUri)).arrayBuffer() } });
  return CognitoJwtVerifier.create({ userPoolId: pool.poolId, tokenUse: 'id', clientId }, { jwksCache });
}

describe('user pool with optional TOTP MFA', () => {
  let ctx: Awaited<ReturnType<typeof startPool>>;
  beforeAll(async () => {
    ctx = await startPool('OPTIONAL', 'dev');
  });
  afterAll(async () => {
    clock.offsetMs = 0;
    await ctx?.pool.close();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  test('amazon-cognito-identity-js signs in with SRP; the ID token verifies and carries the groups', async () => {
    const step = await authenticate(identityJsUser(ctx.ref, 'editor@example.com'), PASSWORD);
    expect(step.kind).toBe('success');
    if (step.kind !== 'success') return;
    const claims = await idVerifier(ctx.pool, ctx.ref.clientId).verify(step.session.getIdToken().getJwtToken());
    expect(claims['cognito:groups']).toEqual(['editors']);
    expect(claims.email).toBe('editor@example.com');
  });

  test('SRP with a wrong password or an unknown user: NotAuthorizedException, the same message', async () => {
    expect(await authenticate(identityJsUser(ctx.ref, 'editor@example.com'), 'WrongPassw0rd!')).toEqual({
      kind: 'failure',
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(await authenticate(identityJsUser(ctx.ref, 'nobody@example.com'), PASSWORD)).toEqual({
      kind: 'failure',
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  test('USER_PASSWORD_AUTH (local-only extra, for curl) signs in; a wrong password is refused', async () => {
    const sdk = localCognitoClient(ctx.pool);
    try {
      const ok = await sdk.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ctx.ref.clientId, AuthParameters: { USERNAME: 'editor@example.com', PASSWORD } })
      );
      expect(ok.AuthenticationResult?.IdToken).toBeDefined();
      await expect(
        sdk.send(
          new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ctx.ref.clientId, AuthParameters: { USERNAME: 'editor@example.com', PASSWORD: 'nope' } })
        )
      ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    } finally {
      sdk.destroy();
    }
  });

  test('a PASSWORD_VERIFIER claim signed with a TIMESTAMP far from the server clock, or in another format, is refused', async () => {
    const sdk = localCognitoClient(ctx.pool);
    const claim = async (timestampOf: (now: Date) => string) => {
      const { A, sign } = await clientClaim(srpPoolName(ctx.pool.poolId), 'editor@example.com', PASSWORD);
      const started = await sdk.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId: ctx.ref.clientId, AuthParameters: { USERNAME: 'editor@example.com', SRP_A: A } })
      );
      const p = started.ChallengeParameters!;
      const timestamp = timestampOf(new Date());
      return sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: ctx.ref.clientId,
          ChallengeName: 'PASSWORD_VERIFIER',
          ChallengeResponses: {
            USERNAME: p.USER_ID_FOR_SRP,
            PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK,
            TIMESTAMP: timestamp,
            PASSWORD_CLAIM_SIGNATURE: await sign(p.SRP_B, p.SALT, p.SECRET_BLOCK, timestamp),
          },
        })
      );
    };
    try {
      expect((await claim((now) => formatSrpTimestamp(now))).AuthenticationResult?.IdToken).toBeDefined();
      await expect(claim((now) => formatSrpTimestamp(new Date(now.getTime() - 10 * 60_000)))).rejects.toMatchObject({
        name: 'NotAuthorizedException',
      });
      await expect(claim((now) => now.toISOString())).rejects.toMatchObject({ name: 'InvalidParameterException' });
    } finally {
      sdk.destroy();
    }
  });

  test('SRP is refused for a client whose flows do not allow it', async () => {
    const server = ctx.stack.userPool.clients.find((c) => c.generateSecret);
    const step = await authenticate(identityJsUser({ ...ctx.ref, clientId: server!.clientId }, 'editor@example.com'), PASSWORD);
    expect(step).toMatchObject({ kind: 'failure', code: 'InvalidParameterException', message: 'USER_SRP_AUTH flow not enabled for this client' });
  });

  test('an admin-created user must set a new password that meets the stack policy, then is CONFIRMED', async () => {
    await adminCreate(ctx.pool, 'first@example.com', 'Temp0rary!pw', 'editors');
    const user = identityJsUser(ctx.ref, 'first@example.com');
    const first = await authenticate(user, 'Temp0rary!pw');
    expect(first).toEqual({ kind: 'newPasswordRequired', userAttributes: expect.objectContaining({ email: 'first@example.com' }) });
    expect(await completeNewPassword(user, 'Sh0rt!')).toEqual({
      kind: 'failure',
      code: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password not long enough',
    });
    expect(await completeNewPassword(user, 'no-uppercase-here-1')).toMatchObject({
      code: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password must have uppercase characters',
    });
    expect(await completeNewPassword(user, 'NoSymbolsHere123')).toMatchObject({
      message: 'Password does not conform to policy: Password must have symbol characters',
    });
    const done = await completeNewPassword(user, 'MyOwnPassw0rd!');
    expect(done.kind).toBe('success');
    const sdk = localCognitoClient(ctx.pool);
    try {
      const got = await sdk.send(new AdminGetUserCommand({ UserPoolId: ctx.pool.poolId, Username: 'first@example.com' }));
      expect(got.UserStatus).toBe('CONFIRMED');
    } finally {
      sdk.destroy();
    }
    expect((await authenticate(identityJsUser(ctx.ref, 'first@example.com'), 'MyOwnPassw0rd!')).kind).toBe('success');
    expect((await authenticate(identityJsUser(ctx.ref, 'first@example.com'), 'Temp0rary!pw')).kind).toBe('failure');
  });

  test('a temporary password expires after the stack validity (3 days), counted from when it was set', async () => {
    clock.offsetMs = -4 * DAY;
    await adminCreate(ctx.pool, 'late@example.com', 'Temp0rary!pw');
    clock.offsetMs = -2 * DAY;
    await adminCreate(ctx.pool, 'recent@example.com', 'Temp0rary!pw');
    clock.offsetMs = 0;
    expect(await authenticate(identityJsUser(ctx.ref, 'late@example.com'), 'Temp0rary!pw')).toEqual({
      kind: 'failure',
      code: 'NotAuthorizedException',
      message: 'Temporary password has expired and must be reset by an administrator.',
    });
    expect((await authenticate(identityJsUser(ctx.ref, 'recent@example.com'), 'Temp0rary!pw')).kind).toBe('newPasswordRequired');
  });

  test('a signed-in user sets up TOTP (Associate/VerifySoftwareToken, SetUserMFAPreference); then sign-in asks for the code', async () => {
    await adminCreate(ctx.pool, 'totp@example.com', 'Temp0rary!pw');
    const user = identityJsUser(ctx.ref, 'totp@example.com');
    expect((await authenticate(user, 'Temp0rary!pw')).kind).toBe('newPasswordRequired');
    expect((await completeNewPassword(user, PASSWORD)).kind).toBe('success');
    const secret = await associateSoftwareToken(user);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await verifySoftwareToken(user, wrongTotp(secret))).toMatchObject({ kind: 'failure', code: 'CodeMismatchException' });
    expect((await verifySoftwareToken(user, totpAt(secret))).kind).toBe('success');
    expect(await enableTotpMfa(user)).toBe('SUCCESS');

    const sdk = localCognitoClient(ctx.pool);
    try {
      const accessToken = user.getSignInUserSession()!.getAccessToken().getJwtToken();
      const me = await sdk.send(new GetUserCommand({ AccessToken: accessToken }));
      expect(me.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);
      expect(me.PreferredMfaSetting).toBe('SOFTWARE_TOKEN_MFA');
    } finally {
      sdk.destroy();
    }

    const again = identityJsUser(ctx.ref, 'totp@example.com');
    expect(await authenticate(again, PASSWORD)).toEqual({ kind: 'totpRequired', challengeName: 'SOFTWARE_TOKEN_MFA' });
    expect(await sendTotp(again, wrongTotp(secret))).toMatchObject({ kind: 'failure', code: 'CodeMismatchException' });
    // The session survives a wrong code, as Cognito's does: the user types it again.
    const done = await sendTotp(again, totpAt(secret));
    expect(done.kind).toBe('success');
  });

  test('an enrollment call with a forged access token is refused', async () => {
    const sdk = localCognitoClient(ctx.pool);
    try {
      const [h, p] = ['{"alg":"RS256","kid":"CognitoLocal"}', JSON.stringify({ username: 'editor@example.com', token_use: 'access' })].map((s) =>
        Buffer.from(s).toString('base64url')
      );
      await expect(sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: `${h}.${p}.c2ln` }))).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Invalid Access Token',
      });
    } finally {
      sdk.destroy();
    }
  });

  test('demo users: the temporary-password user must set a password; the TOTP user is asked for its code', async () => {
    const newhire = ctx.pool.demoUsers.find((u) => u.email === 'newhire@example.com')!;
    expect(newhire.password).toBeUndefined();
    const user = identityJsUser(ctx.ref, 'newhire@example.com');
    expect((await authenticate(user, newhire.temporaryPassword!)).kind).toBe('newPasswordRequired');

    const mfa = ctx.pool.demoUsers.find((u) => u.email === 'mfa@example.com')!;
    const mfaUser = identityJsUser(ctx.ref, 'mfa@example.com');
    expect((await authenticate(mfaUser, mfa.password!)).kind).toBe('totpRequired');
    expect((await sendTotp(mfaUser, totpAt(mfa.totpSecret!))).kind).toBe('success');
  });
});

describe('user pool with TOTP MFA required (ON)', () => {
  let ctx: Awaited<ReturnType<typeof startPool>>;
  beforeAll(async () => {
    ctx = await startPool('ON', 'mfaon');
  });
  afterAll(async () => {
    await ctx?.pool.close();
  });

  test('amazon-cognito-identity-js: the first sign-in answers MFA_SETUP; after setup, sign-in asks for the code', async () => {
    const user = identityJsUser(ctx.ref, 'editor@example.com');
    expect(await authenticate(user, PASSWORD)).toEqual({ kind: 'mfaSetup', challengeName: 'MFA_SETUP' });
    const secret = await associateSoftwareToken(user);
    expect(await verifySoftwareToken(user, wrongTotp(secret))).toMatchObject({ kind: 'failure', code: 'CodeMismatchException' });
    // A wrong code used up nothing: the same setup session takes the right one.
    expect((await verifySoftwareToken(user, totpAt(secret))).kind).toBe('success');
    const again = identityJsUser(ctx.ref, 'editor@example.com');
    expect(await authenticate(again, PASSWORD)).toEqual({ kind: 'totpRequired', challengeName: 'SOFTWARE_TOKEN_MFA' });
    expect((await sendTotp(again, totpAt(secret))).kind).toBe('success');
  });

  test('aws-amplify v6: default signIn answers the TOTP setup step; confirmSignIn with a code signs in', async () => {
    await adminCreateConfirmed(ctx.pool, 'amplify-setup@example.com');
    const lines = await amplifySignIn(
      { userPoolId: ctx.pool.poolId, userPoolClientId: ctx.ref.clientId, userPoolEndpoint: ctx.pool.endpoint },
      { FLOW: 'totpSetup', EMAIL: 'amplify-setup@example.com', PASSWORD }
    );
    expect(lines[0]).toEqual({ step: 'signIn', isSignedIn: false, nextStep: 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP' });
    expect(lines[1]).toMatchObject({ step: 'setup', isSignedIn: true, nextStep: 'DONE' });
  });
});

/** A confirmed user: created by an admin, then given a permanent password by the admin. */
async function adminCreateConfirmed(pool: UserPoolEmulator, email: string) {
  await adminCreate(pool, email, 'Temp0rary!pw');
  const sdk = localCognitoClient(pool);
  try {
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.poolId, Username: email, Password: PASSWORD, Permanent: true }));
  } finally {
    sdk.destroy();
  }
}

// The temporary folders of the stacks and data above (after every server of the file has closed).
afterAll(removeTemporaryDirs);
