import { mappingRules, resolveRole, type RoleResolution } from '../../access/role-mapping';
import type { LocalGroup } from '../stack-reader';
import type { StackIdentityPool } from '../iam/stack-iam';

/**
 * The identity pool's role for a signed-in user: `access/role-mapping.ts` decides (the one
 * implementation the access matrix, explainer and synth checks use), this module only maps its
 * answer to the role ARNs the synthesized stack attaches. It refuses at start a stack whose
 * mapping that model does not describe, rather than deciding differently from it.
 */

export interface RoleChoice {
  /** The role ARN, or null when the pool refuses credentials (ambiguous + Deny). */
  readonly roleArn: string | null;
  readonly resolution: RoleResolution;
}

export type RoleChooser = (groups: readonly string[]) => RoleChoice;

export function roleChooser(pool: StackIdentityPool, groups: readonly LocalGroup[], source: string): RoleChooser {
  const mapping = pool.roleMapping;
  const settings = {
    groups: groups.map((g) => ({ name: g.name, precedence: g.precedence })),
    identityPool: {
      roleMapping: mapping?.type === 'Rules' ? ('rules' as const) : ('token' as const),
      ambiguousRoleResolution: mapping?.ambiguousRoleResolution ?? ('AuthenticatedRole' as const),
    },
  };
  const groupRole = new Map<string, string>();
  if (mapping?.type === 'Rules') {
    // The stack's rules must be the ones role-mapping.ts models (one Contains rule per group, by precedence).
    const modelled = mappingRules(settings.groups);
    const same =
      modelled.length === mapping.rules.length &&
      modelled.every((m, i) => mapping.rules[i].claim === m.claim && mapping.rules[i].matchType === m.matchType && mapping.rules[i].value === m.value);
    if (!same) {
      throw new Error(
        `${source}: aws_cognito_identity_pool_roles_attachment.role_mapping[0].mapping_rule = ${JSON.stringify(mapping.rules.map((r) => [r.claim, r.matchType, r.value]))}: ` +
          `expected the rules access/role-mapping.ts models (${JSON.stringify(modelled.map((r) => [r.claim, r.matchType, r.value]))})`,
      );
    }
    for (const r of mapping.rules) groupRole.set(r.value, r.roleArn);
  } else {
    for (const [g, arn] of Object.entries(pool.groupRoleArns)) groupRole.set(g, arn);
  }
  const choose = (callerGroups: readonly string[]): RoleChoice => {
    const resolution = resolveRole(settings, callerGroups);
    const role = resolution.role;
    if (!role) return { roleArn: null, resolution };
    const arn = role.kind === 'authenticated' ? pool.authenticatedRoleArn : groupRole.get(role.group);
    return { roleArn: arn ?? null, resolution };
  };
  // The choice depends on the caller's groups alone (and the stack, fixed here): each list of
  // groups is resolved once, not on every GetCredentialsForIdentity (aws-amplify calls it before
  // each expiry, every user of a group with the same list). Bounded: forgotten when full.
  const chosen = new Map<string, RoleChoice>();
  return (callerGroups) => {
    const key = callerGroups.join('\u0000');
    let choice = chosen.get(key);
    if (!choice) {
      if (chosen.size >= CHOICES_KEPT) chosen.clear();
      choice = choose(callerGroups);
      chosen.set(key, choice);
    }
    return choice;
  };
}

/** Distinct group lists whose role choice is kept (a pool has a handful; 1,000 bounds a strange one). */
const CHOICES_KEPT = 1000;
