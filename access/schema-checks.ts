import { ConstDirectiveNode, getNamedType, GraphQLSchema, isObjectType } from 'graphql';
import type { ResolvedConfig } from '../config';
import { authDirectivesOf, AuthModel, cognitoGroupsOf, opensTo, schemaLocation, typeDirectives } from './auth-model';
import { SCHEMA_FILE } from './appsync-schema';
import type { Finding } from './checks';
import { personasOf, reachableFields } from './matrix';

/**
 * Checks of `schema.graphql` against the config, run before any construct exists. Each
 * returns findings naming `schema.graphql:<line>` or the config key, and the fix.
 */

/**
 * What the checks read of the config. Config-only rules (groups named by federation mappings and
 * row rules, ...) are config/validate.ts's: a ResolvedConfig has passed them.
 */
export type SchemaCheckConfig = Pick<ResolvedConfig, 'groups' | 'api' | 'storage' | 'identityPool'>;

const CONFIG_FILE = 'config/project.ts';

/** An auth directive of the schema with where it sits, for location and groups. */
type PlacedDirective = { where: string; d: ConstDirectiveNode };

/**
 * Every auth directive of the schema; a type's directives include those added by `extend type`,
 * as the auth model reads them.
 */
function allDirectives(schema: GraphQLSchema): PlacedDirective[] {
  const out: PlacedDirective[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const d of typeDirectives(type)) out.push({ where: `type ${type.name}`, d });
    for (const f of Object.values(type.getFields())) {
      for (const d of authDirectivesOf(f.astNode?.directives)) out.push({ where: `${type.name}.${f.name}`, d });
    }
  }
  return out;
}

/** cognito_groups values must be groups of the config. */
function checkDirectiveGroups(directives: readonly PlacedDirective[], config: SchemaCheckConfig): Finding[] {
  const known = config.groups.map((g) => g.name);
  return directives.flatMap(({ where, d }) =>
    (cognitoGroupsOf(d) ?? [])
      .filter((g) => !known.includes(g))
      .map((g) => ({
        location: schemaLocation(d),
        problem: `${where}: @${d.name.value}(cognito_groups) names "${g}", which is not a group in ${CONFIG_FILE} (groups: ${known.join(', ')})`,
        fix: `use one of ${known.join(', ')}, or add "${g}" to groups in ${CONFIG_FILE}`,
      })),
  );
}

/** `@aws_auth` works only with user pools as the only mode and only on top-level fields: never use it. */
function checkNoAwsAuth(directives: readonly PlacedDirective[]): Finding[] {
  return directives
    .filter(({ d }) => d.name.value === 'aws_auth')
    .map(({ where, d }) => ({
      location: schemaLocation(d),
      problem: `${where}: @aws_auth is legacy (only valid when user pools is the only auth mode, only on top-level fields)`,
      fix: 'replace it with @aws_cognito_user_pools(cognito_groups: [...])',
    }));
}

/** Strict mode: every object type field is covered by a field or type directive. */
function checkStrictDirectives(model: AuthModel, config: SchemaCheckConfig): Finding[] {
  if (!config.api.strictAuthDirectives) return [];
  return model.fields
    .filter((f) => f.rule === 'default')
    .map((f) => ({
      location: `${SCHEMA_FILE}:${f.line}`,
      problem: `${f.typeName}.${f.fieldName} has no auth directive and neither has type ${f.typeName}: any ${model.api.defaultMode} caller could read it`,
      fix:
        `add an auth directive (e.g. @aws_cognito_user_pools(cognito_groups: [...])) to the field` +
        (f.topLevel ? '' : ` or to type ${f.typeName}`) +
        `, or set api.strictAuthDirectives: false in ${CONFIG_FILE}`,
    }));
}

/**
 * A subscription delivers the mutation's selection to every subscriber, so each payload field
 * must admit every persona the subscription field admits.
 */
function checkSubscriptionPayloads(model: AuthModel, config: SchemaCheckConfig): Finding[] {
  const sub = model.schema.getSubscriptionType();
  if (!sub) return [];
  const personas = personasOf(config).filter((p) => p.caller);
  const findings: Finding[] = [];
  for (const field of Object.values(sub.getFields())) {
    const subscribers = personas.filter((p) => model.decide(sub.name, field.name, p.caller!).allowed);
    const payloadType = getNamedType(field.type);
    for (const payload of isObjectType(payloadType) ? reachableFields(model, [payloadType]) : []) {
      const shut = subscribers.filter((p) => !model.decide(payload.typeName, payload.fieldName, p.caller!).allowed);
      if (!shut.length) continue;
      findings.push({
        location: `${SCHEMA_FILE}:${payload.line}`,
        problem:
          `Subscription.${field.name} delivers ${payload.typeName}.${payload.fieldName} to ${shut.map((p) => p.label).join(', ')}, ` +
          `who may subscribe but not read that field (subscription payloads are not filtered per field)`,
        fix: `move ${payload.typeName}.${payload.fieldName} out of the payload type, or narrow Subscription.${field.name} to the field's groups`,
      });
    }
  }
  return findings;
}

/** IAM grants and `@aws_iam` on top-level fields agree both ways. */
function checkIamGrants(model: AuthModel, config: SchemaCheckConfig): Finding[] {
  const findings: Finding[] = [];
  const callers = config.api.iamCallers;
  callers.forEach((c, i) =>
    c.fields.forEach((key, j) => {
      const [typeName, fieldName] = key.split('.');
      const auth = model.fieldAuth(typeName ?? '', fieldName ?? '');
      const location = `${CONFIG_FILE}: api.iamCallers[${i}].fields[${j}] = "${key}"`;
      if (!auth || !auth.topLevel) {
        findings.push({ location, problem: `IAM caller ${c.name} is granted ${key}, which is not a Query, Mutation or Subscription field of schema.graphql`, fix: 'name a top-level field as Type.field' });
      } else if (!opensTo(auth, 'AWS_IAM')) {
        findings.push({
          location,
          problem: `IAM caller ${c.name} is granted ${key}, but the schema does not open it to IAM (schema.graphql:${auth.line} has no @aws_iam)`,
          fix: `add @aws_iam to ${key} in schema.graphql, or remove the grant`,
        });
      }
    }),
  );
  for (const f of model.fields.filter((x) => x.topLevel && opensTo(x, 'AWS_IAM'))) {
    const key = `${f.typeName}.${f.fieldName}`;
    if (callers.some((c) => c.fields.includes(key))) continue;
    findings.push({
      location: `${SCHEMA_FILE}:${f.line}`,
      problem: `${key} allows @aws_iam but no IAM caller in ${CONFIG_FILE} api.iamCallers is granted it`,
      fix: `remove @aws_iam from ${key}, or add "${key}" to an IAM caller's fields`,
    });
  }
  return findings;
}

/** Row rules name real fields (they document what resolvers enforce). */
function checkRowRules(model: AuthModel, config: SchemaCheckConfig): Finding[] {
  return config.api.rowRules.flatMap((r, i) => {
    const [typeName, fieldName] = r.field.split('.');
    if (model.fieldAuth(typeName ?? '', fieldName ?? '')) return [];
    return [{ location: `${CONFIG_FILE}: api.rowRules[${i}].field = "${r.field}"`, problem: 'not a field of schema.graphql', fix: 'name an existing field as Type.field' }];
  });
}

/** Every schema and config check. */
export function schemaChecks(model: AuthModel, config: SchemaCheckConfig): Finding[] {
  const directives = allDirectives(model.schema);
  return [
    ...checkDirectiveGroups(directives, config),
    ...checkNoAwsAuth(directives),
    ...checkStrictDirectives(model, config),
    ...checkSubscriptionPayloads(model, config),
    ...checkIamGrants(model, config),
    ...checkRowRules(model, config),
  ];
}
