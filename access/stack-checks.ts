import type { ResolvedConfig } from '../config';
import { AuthModel, opensTo } from './auth-model';
import type { Finding } from './checks';
import { directMappingRules, mappingRules } from './role-mapping';
import { blockList, resourceReference, resourcesOfType, type TerraformBlock, type TerraformJson } from './terraform-json';

/**
 * Checks of one stack's synthesized Terraform JSON (`stack.toTerraform()`): what the
 * identity pool will really do, read from the resources rather than from the constructs'
 * intentions. Each finding names the stack, the resource and the attribute.
 */

export type StackCheckConfig = Pick<ResolvedConfig, 'groups' | 'identityPool'>;

const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';
const AUD = `${COGNITO_IDENTITY}:aud`;
const AMR = `${COGNITO_IDENTITY}:amr`;

/** The resource a `${type.name.attr}` reference points at, as `type.name` (also read by the compliance report). */
export function refTarget(value: unknown): string | undefined {
  const ref = resourceReference(value);
  return ref && `${ref.type}.${ref.name}`;
}

/** Claims a user can change: client write_attributes and attributes an IdP maps in at sign-in. */
function userWritableClaims(json: TerraformJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, c] of resourcesOfType(json, 'aws_cognito_user_pool_client')) {
    for (const a of blockList<string>(c.write_attributes)) out.set(a, `write_attributes of aws_cognito_user_pool_client.${name}`);
  }
  for (const [name, p] of resourcesOfType(json, 'aws_cognito_identity_provider')) {
    for (const a of Object.keys((p.attribute_mapping as TerraformBlock | undefined) ?? {})) {
      if (!out.has(a)) out.set(a, `attribute_mapping of aws_cognito_identity_provider.${name}`);
    }
  }
  return out;
}

/** Each group's `aws_cognito_user_group` resource, by group name. */
function userGroups(json: TerraformJson): Map<string, [string, TerraformBlock]> {
  return new Map(resourcesOfType(json, 'aws_cognito_user_group').map(([id, g]) => [String(g.name), [id, g]]));
}

/** One `role_mapping` block of a roles attachment, with what its rules are checked against. */
interface RoleMappingContext {
  readonly stack: string;
  /** `stack <name>: resource.aws_cognito_identity_pool_roles_attachment.<id>.role_mapping[<i>]`. */
  readonly at: string;
  readonly mapping: TerraformBlock;
  readonly rules: TerraformBlock[];
  readonly config: StackCheckConfig;
  /** Each group's `aws_cognito_user_group` resource, by group name. */
  readonly groups: Map<string, [string, TerraformBlock]>;
  /** Claims a user can change, with where. */
  readonly writable: Map<string, string>;
}

/** Groups get roles only through a roles attachment: an identity pool without one gives them none. */
function checkRolesAttached(stack: string, json: TerraformJson, config: StackCheckConfig): Finding[] {
  const groupNames = config.groups.map((g) => g.name);
  const attached = resourcesOfType(json, 'aws_cognito_identity_pool_roles_attachment').length > 0;
  if (attached || !resourcesOfType(json, 'aws_cognito_identity_pool').length || !groupNames.length) return [];
  return [
    {
      location: `stack ${stack}: aws_cognito_identity_pool`,
      problem: `the identity pool has no aws_cognito_identity_pool_roles_attachment: groups ${groupNames.join(', ')} get no role`,
      fix: 'attach roles with a role mapping (constructs/identity-access.ts)',
    },
  ];
}

/** The mapping type is the configured one (`rules` -> Rules, `token` -> Token). */
function checkMappingType({ at, mapping, config }: RoleMappingContext): Finding[] {
  const expectedType = config.identityPool.roleMapping === 'rules' ? 'Rules' : 'Token';
  if (mapping.type === expectedType) return [];
  return [{ location: `${at}.type`, problem: `"${String(mapping.type)}", but config identityPool.roleMapping is "${config.identityPool.roleMapping}"`, fix: `use type ${expectedType}` }];
}

/** Ambiguous-role resolution is the configured one. */
function checkAmbiguousResolution({ at, mapping, config }: RoleMappingContext): Finding[] {
  if (mapping.ambiguous_role_resolution === config.identityPool.ambiguousRoleResolution) return [];
  return [
    {
      location: `${at}.ambiguous_role_resolution`,
      problem: `"${String(mapping.ambiguous_role_resolution)}", but config identityPool.ambiguousRoleResolution is "${config.identityPool.ambiguousRoleResolution}"`,
      fix: 'derive it from the config',
    },
  ];
}

/** A rule on `cognito:groups` matches with Contains: a user in several groups would match no Equals rule. */
function checkGroupRuleMatchType(ctx: RoleMappingContext, r: TerraformBlock, j: number): Finding[] {
  if (r.match_type === 'Contains') return [];
  return [
    {
      location: `${ctx.at}.mapping_rule[${j}].match_type`,
      problem: `"${String(r.match_type)}" on cognito:groups: a user in several groups would not match`,
      fix: 'use Contains',
    },
  ];
}

/** A group's rule grants the group's own role (the one on its `aws_cognito_user_group`). */
function checkGroupRuleRole(ctx: RoleMappingContext, r: TerraformBlock, j: number): Finding[] {
  const group = ctx.groups.get(String(r.value));
  if (!group || group[1].role_arn === undefined || refTarget(group[1].role_arn) === refTarget(r.role_arn)) return [];
  return [
    {
      location: `${ctx.at}.mapping_rule[${j}].role_arn`,
      problem: `the rule for group ${String(r.value)} grants ${String(r.role_arn)}, but the group's own role_arn (aws_cognito_user_group.${group[0]}) is ${String(group[1].role_arn)}`,
      fix: 'map each group to its own role',
    },
  ];
}

/** A rule reads `cognito:groups` only: any other claim may be one the user can write. */
function checkRuleClaim(ctx: RoleMappingContext, r: TerraformBlock, j: number): Finding[] {
  const how = ctx.writable.get(String(r.claim));
  return [
    {
      location: `${ctx.at}.mapping_rule[${j}].claim`,
      problem: `the rule reads claim "${String(r.claim)}"` + (how ? `, which the user can write (${how})` : '') + '; roles must follow group membership only',
      fix: 'map on cognito:groups (Contains) and put users in groups instead',
    },
  ];
}

/** Each rule, in order: a group rule's match type and role, or the claim it must not read. */
function checkEachRule(ctx: RoleMappingContext): Finding[] {
  return ctx.rules.flatMap((r, j) =>
    r.claim === 'cognito:groups' ? [...checkGroupRuleMatchType(ctx, r, j), ...checkGroupRuleRole(ctx, r, j)] : checkRuleClaim(ctx, r, j),
  );
}

/** Group values of the rules that match the way the checks require (`cognito:groups` Contains). */
function coveredGroups(rules: readonly TerraformBlock[]): string[] {
  return rules.filter((r) => r.claim === 'cognito:groups' && r.match_type === 'Contains').map((r) => String(r.value));
}

/** Rules mapping: every configured group has a rule, or its members get no group role. */
function checkEveryGroupHasRule({ at, rules, config }: RoleMappingContext): Finding[] {
  const covered = coveredGroups(rules);
  return config.groups
    .map((g) => g.name)
    .filter((n) => !covered.includes(n))
    .map((g) => ({ location: `${at}.mapping_rule`, problem: `group ${g} has no rule (cognito:groups Contains "${g}"), so it has no role`, fix: 'add one rule per configured group' }));
}

/** Rules mapping: the rules are in group precedence order (the first matching rule wins). */
function checkRulePrecedence({ at, rules, config }: RoleMappingContext): Finding[] {
  const expected = mappingRules(config.groups).map((r) => r.value);
  const actual = coveredGroups(rules).filter((v) => expected.includes(v));
  if (actual.length !== expected.length || actual.join() === expected.join()) return [];
  return [
    {
      location: `${at}.mapping_rule`,
      problem: `rules are in the order ${actual.join(', ')}, not group precedence ${expected.join(', ')} (the first matching rule wins)`,
      fix: 'order the rules by group precedence',
    },
  ];
}

/** Token mapping: every group carries its role_arn (the token's `cognito:preferred_role` comes from it). */
function checkEveryGroupHasRoleArn({ stack, groups, config }: RoleMappingContext): Finding[] {
  return config.groups.flatMap(({ name: g }) => {
    const group = groups.get(g);
    if (group && group[1].role_arn !== undefined) return [];
    return [
      {
        location: group ? `stack ${stack}: resource.aws_cognito_user_group.${group[0]}.role_arn` : `stack ${stack}: aws_cognito_user_group "${g}"`,
        problem: `group ${g} has no role_arn, so Token role mapping gives its members no role`,
        fix: "set the group's role_arn to its identity-pool role",
      },
    ];
  });
}

/** The rules each role mapping is held to, in the order their findings are reported. */
const ROLE_MAPPING_RULES: readonly ((ctx: RoleMappingContext) => Finding[])[] = [
  checkMappingType,
  checkAmbiguousResolution,
  checkEachRule,
  (ctx) => (ctx.mapping.type === 'Rules' ? [...checkEveryGroupHasRule(ctx), ...checkRulePrecedence(ctx)] : checkEveryGroupHasRoleArn(ctx)),
];

/**
 * A direct IdP's mapping (its token goes to the identity pool without the user pool): Rules,
 * its configured unmatched resolution, and exactly its configured rules, each granting the role
 * of the group the config maps the claim value to (the group's own role_arn).
 */
function checkDirectMapping(ctx: RoleMappingContext, direct: StackCheckConfig['identityPool']['directFederation'][number]): Finding[] {
  const { at, mapping, rules, groups } = ctx;
  const findings: Finding[] = [];
  if (mapping.type !== 'Rules') findings.push({ location: `${at}.type`, problem: `"${String(mapping.type)}" for ${direct.idp}, a direct IdP: only Rules mapping reads its token`, fix: 'use type Rules' });
  if (mapping.ambiguous_role_resolution !== direct.unmatched) {
    findings.push({
      location: `${at}.ambiguous_role_resolution`,
      problem: `"${String(mapping.ambiguous_role_resolution)}", but config identityPool.directFederation ${direct.idp} unmatched is "${direct.unmatched}"`,
      fix: `use ${direct.unmatched}`,
    });
  }
  const expected = directMappingRules(ctx.config.groups, direct.rules);
  rules.forEach((r, j) => {
    const want = expected[j];
    const group = want && groups.get(want.group);
    const same = want && r.claim === want.claim && r.match_type === want.matchType && r.value === want.value && group && r.role_arn === group[1].role_arn;
    if (!same) {
      findings.push({
        location: `${at}.mapping_rule[${j}]`,
        problem: `${String(r.claim)} ${String(r.match_type)} "${String(r.value)}" -> ${String(r.role_arn)} is not rule ${j + 1} of config identityPool.directFederation ${direct.idp}` +
          (want ? ` (${want.claim} ${want.matchType} "${want.value}" -> the ${want.group} group's role)` : ''),
        fix: 'map only the configured claim values, each to its group\'s own role, in group precedence order',
      });
    }
  });
  if (rules.length < expected.length) findings.push({ location: `${at}.mapping_rule`, problem: `${rules.length} rules, config identityPool.directFederation ${direct.idp} has ${expected.length}`, fix: 'add the missing rules' });
  return findings;
}

/** Every group has a role in the identity-pool mapping; rules read only `cognito:groups`, in precedence order. */
function checkRoleMappings(stack: string, json: TerraformJson, config: StackCheckConfig): Finding[] {
  const writable = userWritableClaims(json);
  const groups = userGroups(json);
  const perMapping = resourcesOfType(json, 'aws_cognito_identity_pool_roles_attachment').flatMap(([id, att]) =>
    blockList(att.role_mapping).flatMap((mapping, i) => {
      const at = `stack ${stack}: resource.aws_cognito_identity_pool_roles_attachment.${id}.role_mapping[${i}]`;
      const ctx: RoleMappingContext = { stack, at, mapping, rules: blockList(mapping.mapping_rule), config, groups, writable };
      const direct = (config.identityPool.directFederation ?? []).find((d) => d.loginProvider === mapping.identity_provider);
      return direct ? checkDirectMapping(ctx, direct) : ROLE_MAPPING_RULES.flatMap((rule) => rule(ctx));
    }),
  );
  return [...checkRolesAttached(stack, json, config), ...perMapping];
}

interface TrustStatement {
  readonly federated: string[];
  /** operator -> key -> values */
  readonly conditions: Record<string, Record<string, string[]>>;
}

/** Statements of a JSON policy document. */
function jsonStatements(doc: TerraformBlock): TrustStatement[] {
  return blockList(doc.Statement)
    .filter((s) => s.Effect === 'Allow')
    .map((s) => {
      const principal = (s.Principal ?? {}) as TerraformBlock;
      const conditions: Record<string, Record<string, string[]>> = {};
      for (const [op, kv] of Object.entries((s.Condition ?? {}) as Record<string, TerraformBlock>)) {
        conditions[op] = Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, blockList<string>(v).map(String)]));
      }
      return { federated: blockList<string>(principal.Federated), conditions };
    });
}

/** Statements of an `aws_iam_policy_document` data source. */
function dataStatements(doc: TerraformBlock): TrustStatement[] {
  return blockList(doc.statement)
    .filter((s) => (s.effect ?? 'Allow') === 'Allow')
    .map((s) => {
      const conditions: Record<string, Record<string, string[]>> = {};
      for (const c of blockList(s.condition)) {
        conditions[String(c.test)] = { ...(conditions[String(c.test)] ?? {}), [String(c.variable)]: blockList<string>(c.values) };
      }
      const federated = blockList(s.principals)
        .filter((p) => p.type === 'Federated')
        .flatMap((p) => blockList<string>(p.identifiers));
      return { federated, conditions };
    });
}

/** The trust statements of a role's assume_role_policy: inline JSON or a policy-document data source. */
function trustStatements(json: TerraformJson, policy: unknown): TrustStatement[] | 'unreadable' {
  if (typeof policy === 'string' && policy.startsWith('${data.aws_iam_policy_document.')) {
    const name = /data\.aws_iam_policy_document\.([^.}]+)/.exec(String(policy))?.[1] ?? '';
    const doc = json.data?.aws_iam_policy_document?.[name];
    return doc ? dataStatements(doc) : 'unreadable';
  }
  if (typeof policy !== 'string') return 'unreadable';
  try {
    return jsonStatements(JSON.parse(policy) as TerraformBlock);
  } catch {
    return 'unreadable';
  }
}

/** A role trusted by cognito-identity.amazonaws.com needs the `aud` and `amr` conditions. */
function checkIdentityPoolTrust(stack: string, json: TerraformJson): Finding[] {
  const findings: Finding[] = [];
  for (const [id, role] of resourcesOfType(json, 'aws_iam_role')) {
    const location = `stack ${stack}: resource.aws_iam_role.${id}.assume_role_policy`;
    const statements = trustStatements(json, role.assume_role_policy);
    if (statements === 'unreadable') {
      if (String(role.assume_role_policy).includes(COGNITO_IDENTITY)) {
        findings.push({ location, problem: `trusts ${COGNITO_IDENTITY} in a form the check cannot read`, fix: 'write the policy as a JSON string or an aws_iam_policy_document data source' });
      }
      continue;
    }
    for (const s of statements.filter((x) => x.federated.includes(COGNITO_IDENTITY))) {
      if (!(s.conditions.StringEquals?.[AUD] ?? []).length) {
        findings.push({
          location,
          problem: `trusts ${COGNITO_IDENTITY} without the StringEquals ${AUD} condition: any identity pool could hand out this role`,
          fix: `add "Condition": {"StringEquals": {"${AUD}": <identity pool id>}}`,
        });
      }
      if (!(s.conditions['ForAnyValue:StringLike']?.[AMR] ?? []).length) {
        findings.push({
          location,
          problem: `trusts ${COGNITO_IDENTITY} without the ForAnyValue:StringLike ${AMR} condition`,
          fix: `add "ForAnyValue:StringLike": {"${AMR}": "authenticated"}`,
        });
      }
    }
  }
  return findings;
}

/** The pre-token trigger's group mapping (GROUP_MAPPINGS) targets only groups the stack creates. */
function checkTriggerGroupMappings(stack: string, json: TerraformJson): Finding[] {
  const groups = userGroups(json);
  const findings: Finding[] = [];
  for (const [id, fn] of resourcesOfType(json, 'aws_lambda_function')) {
    const raw = blockList(fn.environment)[0]?.variables as TerraformBlock | undefined;
    if (typeof raw?.GROUP_MAPPINGS !== 'string') continue;
    const location = `stack ${stack}: resource.aws_lambda_function.${id}.environment.variables.GROUP_MAPPINGS`;
    let mappings: Record<string, Record<string, string>>;
    try {
      mappings = JSON.parse(raw.GROUP_MAPPINGS);
    } catch {
      findings.push({ location, problem: 'is not JSON', fix: 'write it with JSON.stringify' });
      continue;
    }
    for (const [idp, mapping] of Object.entries(mappings)) {
      for (const [idpGroup, group] of Object.entries(mapping)) {
        if (!groups.has(group)) {
          findings.push({
            location,
            problem: `IdP ${idp} maps "${idpGroup}" to group "${group}", which the stack does not create (aws_cognito_user_group)`,
            fix: 'map to a configured group',
          });
        }
      }
    }
  }
  return findings;
}

/** The API's auth modes are the ones the auth model assumes (apiAuthFromConfig). */
function checkApiAuthModes(stack: string, json: TerraformJson, model: AuthModel): Finding[] {
  const expected = [model.api.defaultMode, ...[...model.api.additionalModes].sort()].join(', ');
  return resourcesOfType(json, 'aws_appsync_graphql_api').flatMap(([id, api]) => {
    const extra = blockList(api.additional_authentication_provider).map((p) => String(p.authentication_type)).sort();
    const actual = [String(api.authentication_type), ...extra].join(', ');
    if (actual === expected) return [];
    return [
      {
        location: `stack ${stack}: resource.aws_appsync_graphql_api.${id}`,
        problem: `auth modes are ${actual}, but the access model (access/project-access.ts apiAuthFromConfig) expects ${expected}`,
        fix: 'configure the API from apiAuthFromConfig(config): IAM only when config.api.iamCallers is not empty',
      },
    ];
  });
}

/**
 * The API admits only clients whose tokens name a user, as the auth model does
 * (`admitUserPoolToken`): `app_id_client_regex` is set and names no client that has the
 * client-credentials grant. Such a client's tokens carry only resource-server scopes, which
 * open no field; admitted, they would act as a signed-in user with no group.
 */
function checkApiClients(stack: string, json: TerraformJson): Finding[] {
  const machineClients = resourcesOfType(json, 'aws_cognito_user_pool_client').filter(([, c]) =>
    blockList<string>(c.allowed_oauth_flows).includes('client_credentials'),
  );
  return resourcesOfType(json, 'aws_appsync_graphql_api').flatMap(([id, api]) => {
    const location = `stack ${stack}: resource.aws_appsync_graphql_api.${id}.user_pool_config.app_id_client_regex`;
    const regex = blockList(api.user_pool_config)[0]?.app_id_client_regex;
    if (typeof regex !== 'string' || regex === '') {
      return machineClients.length
        ? [{ location, problem: 'is not set: the API admits every client of the pool, client-credentials clients included', fix: 'admit only the clients users sign in with (GraphqlApi appClientIds)' }]
        : [];
    }
    return machineClients
      .filter(([name]) => regex.includes(`\${aws_cognito_user_pool_client.${name}.id}`))
      .map(([name]) => ({
        location,
        problem: `admits aws_cognito_user_pool_client.${name}, whose client-credentials tokens name no user (the auth model refuses them: resource-server scopes open no field)`,
        fix: 'leave client-credentials clients out of GraphqlApi appClientIds',
      }));
  });
}

const GRAPHQL_FIELD_ARN = /\/types\/([^/]+)\/fields\/([^/]+)$/;

/** Every appsync:GraphQL grant in a role policy names a top-level field the schema opens to IAM. */
function checkIamFieldGrants(stack: string, json: TerraformJson, model: AuthModel): Finding[] {
  const findings: Finding[] = [];
  for (const [id, p] of resourcesOfType(json, 'aws_iam_role_policy')) {
    let doc: TerraformBlock;
    try {
      doc = JSON.parse(String(p.policy)) as TerraformBlock;
    } catch {
      continue;
    }
    for (const s of blockList(doc.Statement).filter((x) => x.Effect === 'Allow' && blockList<string>(x.Action).some((a) => /^appsync:(GraphQL|\*)$|^\*$/.test(a)))) {
      for (const resource of blockList<string>(s.Resource)) {
        const location = `stack ${stack}: resource.aws_iam_role_policy.${id}.policy`;
        const m = GRAPHQL_FIELD_ARN.exec(resource);
        if (!m || m[1].includes('*') || m[2].includes('*')) {
          findings.push({ location, problem: `grants appsync:GraphQL on ${resource}, not on named fields`, fix: 'grant /types/<Type>/fields/<field> per field (config.api.iamCallers)' });
          continue;
        }
        const auth = model.fieldAuth(m[1], m[2]);
        if (!auth || !auth.topLevel || !opensTo(auth, 'AWS_IAM')) {
          findings.push({
            location,
            problem: `grants appsync:GraphQL on ${m[1]}.${m[2]}, which the schema does not open to IAM as a top-level field`,
            fix: `add @aws_iam to ${m[1]}.${m[2]} or remove the grant from config.api.iamCallers`,
          });
        }
      }
    }
  }
  return findings;
}

/**
 * The config has no guest access, and the access matrix promises "no credentials" a 401 and
 * no role: the identity pool must not hand out unauthenticated identities or roles.
 */
function checkNoGuestAccess(stack: string, json: TerraformJson): Finding[] {
  const findings: Finding[] = [];
  for (const [id, pool] of resourcesOfType(json, 'aws_cognito_identity_pool')) {
    if (pool.allow_unauthenticated_identities !== false) {
      findings.push({
        location: `stack ${stack}: resource.aws_cognito_identity_pool.${id}.allow_unauthenticated_identities`,
        problem: `is ${JSON.stringify(pool.allow_unauthenticated_identities)}: guests would get identities (the provider's default is false only when set)`,
        fix: 'set allow_unauthenticated_identities = false',
      });
    }
  }
  for (const [id, att] of resourcesOfType(json, 'aws_cognito_identity_pool_roles_attachment')) {
    if ((att.roles as TerraformBlock | undefined)?.unauthenticated !== undefined) {
      findings.push({
        location: `stack ${stack}: resource.aws_cognito_identity_pool_roles_attachment.${id}.roles.unauthenticated`,
        problem: 'gives guests a role',
        fix: 'remove the unauthenticated role',
      });
    }
  }
  return findings;
}

/** Every check of a synthesized stack. */
export function stackChecks(stack: string, json: TerraformJson, config: StackCheckConfig, model: AuthModel): Finding[] {
  return [
    ...checkRoleMappings(stack, json, config),
    ...checkIdentityPoolTrust(stack, json),
    ...checkTriggerGroupMappings(stack, json),
    ...checkNoGuestAccess(stack, json),
    ...checkApiAuthModes(stack, json, model),
    ...checkApiClients(stack, json),
    ...checkIamFieldGrants(stack, json, model),
  ];
}
