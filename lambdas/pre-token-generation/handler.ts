import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';

/**
 * Pre-token-generation trigger (V2 event): puts federated users into Cognito groups from
 * their IdP's groups, but only values the config allow-lists, and only for that IdP's own
 * federated users. The IdP groups arrive in a custom attribute that the user can write
 * (the web client must allow writing what IdPs map, and SRP sessions carry
 * `aws.cognito.signin.user.admin`), so for anyone else it is ignored: a native user, and
 * also a native user linked to the IdP (`AdminLinkProviderForUser` adds the IdP to their
 * `identities`, but they sign in with their password and wrote the attribute themselves).
 */

/** What the trigger needs to know; the construct passes it as environment variables. */
export interface GroupMappingSettings {
  /** Provider name -> (IdP group value -> Cognito group). Only listed values are mapped. */
  readonly mappings: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The user attribute holding the IdP groups, e.g. `custom:idp_groups`. */
  readonly attribute: string;
  /** The configured Cognito groups, lowest precedence number first. */
  readonly groupOrder: readonly string[];
  /** Group -> IAM role name, to keep `cognito:roles`/`cognito:preferred_role` in step. */
  readonly roleNames: Readonly<Record<string, string>>;
}

interface Identity {
  readonly providerName?: string;
  readonly providerType?: string;
}

/** Provider names from the `identities` attribute Cognito maintains (users cannot write it). */
export function federatedProviders(identitiesAttribute: string | undefined): string[] {
  if (!identitiesAttribute) return [];
  try {
    const parsed: unknown = JSON.parse(identitiesAttribute);
    if (!Array.isArray(parsed)) return [];
    return parsed.map((i: Identity) => i?.providerName).filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}

/**
 * The IdP groups as Cognito stores a multi-valued SAML attribute: `[a, b]`, a JSON array,
 * or a single value.
 */
export function parseIdpGroups(value: string | undefined): string[] {
  if (!value) return [];
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String).map((s) => s.trim()).filter(Boolean);
    } catch {
      // Not JSON: Cognito's own "[a, b]" form, handled below.
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The IdP whose own federated user this is, or undefined. Cognito names a user it created on
 * a federated sign-in `<ProviderName>_<IdP user id>` and lists that provider in `identities`;
 * both must agree. A native user's name is their `sub` (the pool signs in by email), so a
 * linked native user, whose `identities` also lists the IdP, is never one.
 */
export function federatedProviderOf(userName: string, identitiesAttribute: string | undefined): string | undefined {
  // Case-insensitive: Cognito has been seen to spell the prefix in lower case (`google_…`).
  // Safe, because a native user's name here is a UUID, never `<something>_…`.
  const lower = userName.toLowerCase();
  const matching = federatedProviders(identitiesAttribute).filter(
    (p) => lower.startsWith(`${p.toLowerCase()}_`) && userName.length > p.length + 1,
  );
  // The longest name wins: with providers `Corp` and `Corp_SAML`, `Corp_SAML_jane` is Corp_SAML's.
  return matching.sort((a, b) => b.length - a.length)[0];
}

/** Cognito groups granted by the allow-list to this user's IdP groups (empty for anyone but the IdP's own federated users). */
export function mappedGroups(
  userName: string,
  userAttributes: Readonly<Record<string, string>>,
  settings: GroupMappingSettings,
): string[] {
  const idpGroups = parseIdpGroups(userAttributes[settings.attribute]);
  const granted = new Set<string>();
  const provider = federatedProviderOf(userName, userAttributes.identities);
  if (provider !== undefined && Object.prototype.hasOwnProperty.call(settings.mappings, provider)) {
    const mapping = settings.mappings[provider];
    for (const idpGroup of idpGroups) {
      // Own-property lookup only: an IdP value such as "constructor" must not hit the prototype.
      if (Object.prototype.hasOwnProperty.call(mapping, idpGroup)) granted.add(mapping[idpGroup]);
    }
  }
  // A mapping never names a group outside the config (validated), but do not trust that here.
  return [...granted].filter((g) => settings.groupOrder.includes(g));
}

/** `arn:<partition>:iam::<account>:role/<name>`, with partition and account from this function's own ARN. */
function roleArnFor(invokedFunctionArn: string, roleName: string): string {
  const [, partition, , , account] = invokedFunctionArn.split(':');
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/** Builds the handler for fixed settings (the deployed handler reads them from the environment). */
export function createHandler(settings: GroupMappingSettings) {
  return async (event: PreTokenGenerationV2TriggerEvent, context: Pick<Context, 'invokedFunctionArn'>) => {
    const current = event.request.groupConfiguration ?? {};
    const currentGroups = current.groupsToOverride ?? [];
    const added = mappedGroups(event.userName, event.request.userAttributes, settings).filter((g) => !currentGroups.includes(g));
    const details: PreTokenGenerationV2TriggerEvent['response']['claimsAndScopeOverrideDetails'] = {
      // Nothing downstream may read the user-writable attribute as if it were a group claim.
      idTokenGeneration: { claimsToSuppress: [settings.attribute] },
    };
    if (added.length > 0) {
      const rank = (g: string) => {
        const i = settings.groupOrder.indexOf(g);
        return i === -1 ? Number.MAX_SAFE_INTEGER : i;
      };
      const groups = [...currentGroups, ...added].sort((a, b) => rank(a) - rank(b));
      const { roleNames } = settings;
      const roleOf = (g: string) => (roleNames[g] ? roleArnFor(context.invokedFunctionArn, roleNames[g]) : undefined);
      const roles = [...new Set([...(current.iamRolesToOverride ?? []), ...added.map(roleOf).filter((r): r is string => !!r)])];
      details.groupOverrideDetails = {
        groupsToOverride: groups,
        iamRolesToOverride: roles,
        preferredRole: roleOf(groups[0]) ?? current.preferredRole,
      };
    }
    event.response = { claimsAndScopeOverrideDetails: details };
    return event;
  };
}

/** Reads the settings the construct put into the environment; fails loudly when one is missing. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): GroupMappingSettings {
  const read = (name: string): string => {
    const value = env[name];
    if (value === undefined) throw new Error(`pre-token-generation: environment variable ${name} is not set`);
    return value;
  };
  return {
    mappings: JSON.parse(read('GROUP_MAPPINGS')),
    attribute: read('IDP_GROUPS_ATTRIBUTE'),
    groupOrder: JSON.parse(read('GROUP_ORDER')),
    roleNames: JSON.parse(read('GROUP_ROLE_NAMES')),
  };
}

let deployed: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point. */
export const handler = (event: PreTokenGenerationV2TriggerEvent, context: Context) => {
  deployed ??= createHandler(settingsFromEnv(process.env));
  return deployed(event, context);
};
