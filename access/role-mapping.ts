import type { GroupConfig } from '../config/types';

/**
 * The identity pool's choice of IAM role for a signed-in user, as AWS makes it
 * (appsync-cognito-semantics.md, "Identity pool role mapping"). Pure: the explainer, the
 * access matrix and the synth-time checks use it; the identity construct builds its mapping
 * rules from `mappingRules` so the deployed mapping and this model cannot drift.
 */

export interface RoleMappingSettings {
  /** Groups with their precedence (any order; ties are meaningful for token mapping). */
  readonly groups: readonly Pick<GroupConfig, 'name' | 'precedence'>[];
  readonly identityPool: {
    readonly roleMapping: 'rules' | 'token';
    readonly ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny';
  };
}

/** An identity-pool role: a group's own role or the pool's default authenticated role. */
export type IdentityRole = { readonly kind: 'group'; readonly group: string } | { readonly kind: 'authenticated' };

export interface RoleResolution {
  /** The role whose credentials the user gets; null when the pool denies credentials. */
  readonly role: IdentityRole | null;
  /** True when no rule matched / the token named no single role and `ambiguousRoleResolution` decided. */
  readonly ambiguous: boolean;
  /** How the decision was reached, one sentence per step, for the explainer. */
  readonly steps: readonly string[];
}

/** One rule of a Rules mapping: `cognito:groups` Contains `value` (a group's name) -> that group's role. */
export interface MappingRule {
  readonly claim: 'cognito:groups';
  readonly matchType: 'Contains';
  readonly value: string;
}

/** Sorts groups by precedence, keeping config order for ties (what Array.prototype.sort guarantees). */
function byPrecedence<T extends { precedence: number }>(groups: readonly T[]): T[] {
  return [...groups].sort((a, b) => a.precedence - b.precedence);
}

/** The Rules mapping the identity pool gets: one Contains rule per group, in precedence order. */
export function mappingRules(groups: RoleMappingSettings['groups']): MappingRule[] {
  return byPrecedence(groups).map((g) => ({ claim: 'cognito:groups', matchType: 'Contains', value: g.name }));
}

/** A role's display name: the group's name or `authenticated`. */
export function roleName(role: IdentityRole | null): string {
  if (!role) return 'no credentials';
  return role.kind === 'group' ? `${role.group} role` : 'default authenticated role';
}

function ambiguous(settings: RoleMappingSettings, steps: string[]): RoleResolution {
  const deny = settings.identityPool.ambiguousRoleResolution === 'Deny';
  steps.push(
    deny
      ? 'ambiguousRoleResolution = Deny: the identity pool refuses credentials'
      : 'ambiguousRoleResolution = AuthenticatedRole: the default authenticated role',
  );
  return { role: deny ? null : { kind: 'authenticated' }, ambiguous: true, steps };
}

/** Which role a user in `callerGroups` gets under the configured mapping. */
export function resolveRole(settings: RoleMappingSettings, callerGroups: readonly string[]): RoleResolution {
  const steps: string[] = [];
  const member = new Set(callerGroups);
  const unknown = callerGroups.filter((g) => !settings.groups.some((c) => c.name === g));
  if (unknown.length) steps.push(`not configured groups (no role): ${unknown.join(', ')}`);

  if (settings.identityPool.roleMapping === 'rules') {
    for (const [i, rule] of mappingRules(settings.groups).entries()) {
      if (member.has(rule.value)) {
        steps.push(`rule ${i + 1} (${rule.claim} Contains "${rule.value}") matches first: the ${rule.value} role`);
        return { role: { kind: 'group', group: rule.value }, ambiguous: false, steps };
      }
    }
    steps.push(`no rule matches (${groupsText(callerGroups)})`);
    return ambiguous(settings, steps);
  }

  // Token mapping: Cognito puts the role of the caller's lowest-precedence-number group in
  // cognito:preferred_role, and none when several groups share that precedence.
  const mine = byPrecedence(settings.groups.filter((g) => member.has(g.name)));
  if (!mine.length) {
    steps.push(`the token carries no cognito:preferred_role (${groupsText(callerGroups)})`);
    return ambiguous(settings, steps);
  }
  const tied = mine.filter((g) => g.precedence === mine[0].precedence);
  if (tied.length > 1) {
    steps.push(
      `groups ${tied.map((g) => g.name).join(', ')} share precedence ${mine[0].precedence} with different roles: ` +
        'the token carries no cognito:preferred_role',
    );
    return ambiguous(settings, steps);
  }
  steps.push(`cognito:preferred_role = the ${mine[0].name} role (lowest precedence number, ${mine[0].precedence})`);
  return { role: { kind: 'group', group: mine[0].name }, ambiguous: false, steps };
}

function groupsText(callerGroups: readonly string[]): string {
  return callerGroups.length ? `groups: ${callerGroups.join(', ')}` : 'the user is in no group';
}

/** One rule of a direct IdP's mapping: its claim matches `value` -> `group`'s role. */
export interface DirectMappingRule {
  readonly claim: string;
  readonly matchType: 'Equals' | 'Contains';
  readonly value: string;
  readonly group: string;
}

/**
 * A direct (federated-only) IdP's rules: one per listed claim value, in the precedence order of
 * the group each maps to (first match wins), config order for ties.
 */
export function directMappingRules(
  groups: RoleMappingSettings['groups'],
  rules: { readonly claim: string; readonly matchType: 'Equals' | 'Contains'; readonly groupMapping: Readonly<Record<string, string>> } | undefined,
): DirectMappingRule[] {
  if (!rules) return [];
  const rank = new Map(byPrecedence(groups).map((g, i) => [g.name, i]));
  return Object.entries(rules.groupMapping)
    .map(([value, group]) => ({ claim: rules.claim, matchType: rules.matchType, value, group }))
    .sort((a, b) => (rank.get(a.group) ?? Infinity) - (rank.get(b.group) ?? Infinity));
}
