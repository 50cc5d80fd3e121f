import type { PreSignUpTriggerEvent } from 'aws-lambda';
import {
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AdmissionSettings, decideAdmission, refusalMessage } from './admission';

/**
 * Pre-sign-up trigger: runs `decideAdmission` and carries the decision out. A refusal throws
 * an Error, whose message Cognito relays to the user (the redirect's `error_description`);
 * Cognito then creates no user. `invitedOnly` links the federated identity to the native user
 * an administrator created with the same email, or refuses when there is none.
 */

export { decideAdmission } from './admission';
export type { AdmissionDecision, AdmissionRule, AdmissionSettings } from './admission';

/** The two user-pool calls invited-only admission needs (the deployed one is the AWS SDK). */
export interface NativeUserDirectory {
  /** User names of the pool's native (not federated) users whose email is exactly `email`. */
  nativeUsersWithEmail(userPoolId: string, email: string): Promise<string[]>;
  /** Links the provider's identity to the native user: it signs in as that user from now on. */
  link(userPoolId: string, nativeUserName: string, provider: string, providerUserId: string): Promise<void>;
}

/** The directory over the Cognito API (`cognito-idp:ListUsers`, `cognito-idp:AdminLinkProviderForUser`). */
export function sdkDirectory(client = new CognitoIdentityProviderClient({})): NativeUserDirectory {
  return {
    async nativeUsersWithEmail(userPoolId, email) {
      // `email` passed decideAdmission's check: no quotes or backslashes to escape.
      const out = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: `email = "${email}"`, Limit: 2 }));
      return (out.Users ?? []).filter((u) => u.UserStatus !== 'EXTERNAL_PROVIDER' && u.Username).map((u) => u.Username!);
    },
    async link(userPoolId, nativeUserName, provider, providerUserId) {
      await client.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: userPoolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: nativeUserName },
          SourceUser: { ProviderName: provider, ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: providerUserId },
        }),
      );
    },
  };
}

/** Builds the handler for fixed settings (the deployed handler reads them from the environment). */
export function createHandler(settings: AdmissionSettings, directory: () => NativeUserDirectory) {
  return async (event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> => {
    const decision = decideAdmission(event, settings);
    if (decision.outcome === 'refuse') throw new Error(decision.message);
    if (decision.outcome === 'link') {
      const users = await directory().nativeUsersWithEmail(event.userPoolId, decision.email);
      // None: not invited. Several: which one is ambiguous, so nobody.
      if (users.length !== 1) throw new Error(refusalMessage(decision.provider));
      await directory().link(event.userPoolId, users[0], decision.provider, decision.providerUserId);
    }
    return event;
  };
}

/** Reads the settings the construct put into the environment; fails loudly when one is missing. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): AdmissionSettings {
  const read = (name: string): string => {
    const value = env[name];
    if (value === undefined) throw new Error(`pre-sign-up: environment variable ${name} is not set`);
    return value;
  };
  return { social: JSON.parse(read('SOCIAL_ADMISSION')), enterprise: JSON.parse(read('ENTERPRISE_PROVIDERS')) };
}

let deployed: ReturnType<typeof createHandler> | undefined;
let client: NativeUserDirectory | undefined;

/** The Lambda entry point. */
export const handler = (event: PreSignUpTriggerEvent) => {
  deployed ??= createHandler(settingsFromEnv(process.env), () => (client ??= sdkDirectory()));
  return deployed(event);
};
