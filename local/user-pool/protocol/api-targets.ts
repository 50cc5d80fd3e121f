import type { AuthOutcome, Authenticator } from './authenticator';
import { invalidParameter } from './errors';

/**
 * The user-pool JSON API operations the protocol owns (`X-Amz-Target:
 * AWSCognitoIdentityProviderService.<name>`), request and answer shaped as Cognito's.
 * `handle` returns undefined for what it does not own (other targets, and InitiateAuth's
 * refresh-token flows, which revocation-targets.ts answers), which the next router then answers.
 */

type Json = Record<string, unknown>;

/** InitiateAuth flows the protocol answers; the refresh flows are revocation-targets.ts's. */
const OWNED_FLOWS = new Set(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH']);

function str(req: Json, key: string, required: true): string;
function str(req: Json, key: string, required?: false): string | undefined;
function str(req: Json, key: string, required = false): string | undefined {
  const v = req[key];
  if (v === undefined || v === null) {
    if (required) throw invalidParameter(`Missing required parameter ${key}`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameter(`${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function params(req: Json, key: string): Record<string, string | undefined> {
  const v = req[key] ?? {};
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v as Json).some((x) => x !== null && typeof x !== 'string')) {
    throw invalidParameter(`${key}: expected a map of strings`);
  }
  return v as Record<string, string | undefined>;
}

/** The AuthOutcome as InitiateAuth / RespondToAuthChallenge answer it. */
function authResponse(outcome: AuthOutcome): Json {
  if (outcome.kind === 'tokens') return { ChallengeParameters: {}, AuthenticationResult: outcome.tokens };
  return { ChallengeName: outcome.challengeName, ChallengeParameters: outcome.parameters, ...(outcome.session ? { Session: outcome.session } : {}) };
}

export function handleTarget(auth: Authenticator, target: string, req: Json): Promise<Json> | undefined {
  switch (target) {
    case 'InitiateAuth': {
      const flow = req.AuthFlow;
      if (typeof flow !== 'string' || !OWNED_FLOWS.has(flow)) return undefined;
      return (async () => {
        const clientId = str(req, 'ClientId', true);
        const p = params(req, 'AuthParameters');
        const username = p.USERNAME;
        if (!username) throw invalidParameter('Missing required parameter USERNAME');
        if (flow === 'USER_SRP_AUTH') {
          if (!p.SRP_A) throw invalidParameter('Missing required parameter SRP_A');
          return authResponse(await auth.startSrpSignIn({ clientId, username, srpA: p.SRP_A, secretHash: p.SECRET_HASH }));
        }
        if (p.PASSWORD === undefined) throw invalidParameter('Missing required parameter PASSWORD');
        return authResponse(await auth.signInWithPassword({ clientId, username, password: p.PASSWORD, secretHash: p.SECRET_HASH }));
      })();
    }
    case 'RespondToAuthChallenge':
      return (async () =>
        authResponse(
          await auth.respondToChallenge({
            clientId: str(req, 'ClientId', true),
            challengeName: str(req, 'ChallengeName', true),
            session: str(req, 'Session'),
            responses: params(req, 'ChallengeResponses'),
          })
        ))();
    case 'AssociateSoftwareToken':
      return (async () => {
        const out = await auth.associateSoftwareToken({ accessToken: str(req, 'AccessToken'), session: str(req, 'Session') });
        return { SecretCode: out.secretCode, ...(out.session ? { Session: out.session } : {}) };
      })();
    case 'VerifySoftwareToken':
      return (async () => {
        const out = await auth.verifySoftwareToken({
          accessToken: str(req, 'AccessToken'),
          session: str(req, 'Session'),
          userCode: str(req, 'UserCode', true),
          friendlyDeviceName: str(req, 'FriendlyDeviceName'),
        });
        return { Status: out.status, ...(out.session ? { Session: out.session } : {}) };
      })();
    case 'SetUserMFAPreference':
      return (async () => {
        const st = req.SoftwareTokenMfaSettings as { Enabled?: boolean; PreferredMfa?: boolean } | undefined;
        await auth.setUserMfaPreference({
          accessToken: str(req, 'AccessToken', true),
          softwareToken: st && { enabled: st.Enabled, preferred: st.PreferredMfa },
        });
        return {};
      })();
    default:
      return undefined;
  }
}
