import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';

/**
 * Pre-token-generation trigger (V2 event): puts federated users into Cognito groups from
 * their IdP's groups, but only values the config allow-lists, and only for users who really
 * signed in through that IdP. The IdP groups arrive in a custom attribute that the app
 * client can write, so for anyone else (a local user who set it) it is ignored.
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

/** Cognito groups granted by the allow-list to this user's IdP groups (empty for non-federated users). */
export function mappedGroups(userAttributes: Readonly<Record<string, string>>, settings: GroupMappingSettings): string[] {
  const idpGroups = parseIdpGroups(userAttributes[settings.attribute]);
  const granted = new Set<string>();
  for (const provider of federatedProviders(userAttributes.identities)) {
    const mapping = settings.mappings[provider];
    if (!mapping) continue;
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
    const added = mappedGroups(event.request.userAttributes, settings).filter((g) => !currentGroups.includes(g));
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
