/**
 * An answer of the Cognito user-pool API that is an error: `code` is the `__type` the clients
 * switch on (`NotAuthorizedException`, ...), `message` Cognito's text. Thrown by the protocol
 * code; the transport (api-targets.ts, or a hosted-UI page) decides how it reaches the caller.
 */
export class UserPoolError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = code;
  }
}

/** Cognito's answer to a wrong password or an unknown user (the same, so usernames cannot be probed). */
export const incorrectCredentials = (): UserPoolError => new UserPoolError('NotAuthorizedException', 'Incorrect username or password.');

export const invalidParameter = (message: string): UserPoolError => new UserPoolError('InvalidParameterException', message);

/** A session that is unknown, used, expired, or for another user or client. */
export const invalidSession = (): UserPoolError => new UserPoolError('NotAuthorizedException', 'Invalid session for the user, session is expired.');

export const codeMismatch = (): UserPoolError =>
  new UserPoolError('CodeMismatchException', 'Invalid code received for user');
