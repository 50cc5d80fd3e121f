import { Construct } from 'constructs';
import type { StackConfig } from '../config';
import type { GroupMappingSettings } from '../lambdas/pre-token-generation/handler';
import { LambdaTrigger } from './lambda-trigger';
import type { LogKey } from './log-key';
import { groupRoleName, namePrefix } from './naming';

export interface GroupMappingTriggerProps {
  /** `<project>-<environment>`: the function is `<namePrefix>-pre-token-generation`. */
  readonly namePrefix: string;
  /** What the trigger maps (`groupMappingSettings(config, attribute)`): each IdP's allow-list, group order and role names. */
  readonly settings: GroupMappingSettings;
  /** The stack's key for log groups. */
  readonly logKey: LogKey;
}

/** The settings the trigger runs with, from the config: every SAML IdP's allow-list, and every OIDC IdP's that has a groups claim. */
export function groupMappingSettings(config: StackConfig, attribute: string): GroupMappingSettings {
  const oidc = config.identityProviders.oidc.filter((o) => o.groupsClaim !== undefined);
  return {
    mappings: Object.fromEntries([...config.identityProviders.saml, ...oidc].map((p) => [p.name, p.groupMapping])),
    attribute,
    groupOrder: config.groups.map((g) => g.name),
    roleNames: Object.fromEntries(config.groups.map((g) => [g.name, groupRoleName(namePrefix(config), g.name)])),
  };
}

/** The function's environment variables: the settings as `settingsFromEnv` (handler.ts) reads them back. */
export function groupMappingEnvironment(settings: GroupMappingSettings): Record<string, string> {
  return {
    GROUP_MAPPINGS: JSON.stringify(settings.mappings),
    IDP_GROUPS_ATTRIBUTE: settings.attribute,
    GROUP_ORDER: JSON.stringify(settings.groupOrder),
    GROUP_ROLE_NAMES: JSON.stringify(settings.roleNames),
  };
}

/**
 * The pre-token-generation Lambda (V2 event) that maps allow-listed IdP groups into the
 * token's groups, with its own log group and a role that may only write to that log group.
 */
export class GroupMappingTrigger extends LambdaTrigger {
  constructor(scope: Construct, id: string, props: GroupMappingTriggerProps) {
    super(scope, id, {
      namePrefix: props.namePrefix,
      lambda: 'pre-token-generation',
      description: 'Maps allow-listed IdP groups into Cognito token groups',
      environment: groupMappingEnvironment(props.settings),
      logKey: props.logKey,
    });
  }
}
