import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';

/**
 * amazon-cognito-identity-js (unmodified) against a local pool: `authenticateUser` with its
 * default flow (USER_SRP_AUTH), each callback turned into a value the test can assert on.
 */

export type AuthStep =
  | { kind: 'success'; session: CognitoUserSession }
  | { kind: 'failure'; code: string; message: string }
  | { kind: 'newPasswordRequired'; userAttributes: Record<string, string> }
  | { kind: 'totpRequired'; challengeName: string }
  | { kind: 'mfaSetup'; challengeName: string };

export interface IdentityJsPool {
  readonly poolId: string;
  readonly clientId: string;
  readonly endpoint: string;
}

export function identityJsUser(pool: IdentityJsPool, username: string): CognitoUser {
  const userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: pool.clientId, endpoint: `${pool.endpoint}/` });
  return new CognitoUser({ Username: username, Pool: userPool });
}

function callbacks(resolve: (s: AuthStep) => void) {
  return {
    onSuccess: (session: CognitoUserSession) => resolve({ kind: 'success', session }),
    onFailure: (e: { code?: string; name?: string; message: string }) => resolve({ kind: 'failure', code: e.code ?? e.name ?? '', message: e.message }),
    newPasswordRequired: (userAttributes: Record<string, string>) => resolve({ kind: 'newPasswordRequired', userAttributes }),
    totpRequired: (challengeName: string) => resolve({ kind: 'totpRequired', challengeName }),
    mfaSetup: (challengeName: string) => resolve({ kind: 'mfaSetup', challengeName }),
  };
}

export function authenticate(user: CognitoUser, password: string): Promise<AuthStep> {
  return new Promise((resolve) => user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), callbacks(resolve)));
}

export function completeNewPassword(user: CognitoUser, password: string): Promise<AuthStep> {
  return new Promise((resolve) => user.completeNewPasswordChallenge(password, {}, callbacks(resolve)));
}

export function sendTotp(user: CognitoUser, code: string): Promise<AuthStep> {
  return new Promise((resolve) => user.sendMFACode(code, callbacks(resolve), 'SOFTWARE_TOKEN_MFA'));
}

/** AssociateSoftwareToken (with the user's session, or during MFA_SETUP): the secret. */
export function associateSoftwareToken(user: CognitoUser): Promise<string> {
  return new Promise((resolve, reject) =>
    user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject })
  );
}

export function verifySoftwareToken(user: CognitoUser, code: string): Promise<AuthStep> {
  return new Promise((resolve) => user.verifySoftwareToken(code, 'test device', callbacks(resolve)));
}

export function enableTotpMfa(user: CognitoUser): Promise<string> {
  return new Promise((resolve, reject) =>
    user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, (err, result) => (err ? reject(err) : resolve(result as string)))
  );
}
