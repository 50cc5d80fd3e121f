import {
  ConstDirectiveNode,
  GraphQLObjectType,
  GraphQLSchema,
  isObjectType,
  Kind,
  ValueNode,
} from 'graphql';
import { PRELUDE_LINES, SCHEMA_FILE } from './appsync-schema';

/**
 * AppSync's authorization semantics for one schema, in one place (see
 * docs/appsync-cognito-semantics.md, "Which auth modes may read a field").
 * The local endpoint, the access matrix and the synth-time checks all ask this module; it
 * never reads a token: callers arrive already verified and described as a `Caller`.
 */

export type AuthMode = 'AMAZON_COGNITO_USER_POOLS' | 'AWS_IAM' | 'API_KEY' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** A verified caller, as the endpoint describes it after checking its credentials. */
export type Caller =
  | { readonly mode: 'AMAZON_COGNITO_USER_POOLS'; readonly groups: readonly string[] }
  /** `caller`: the IAM caller's name (config.api.iamCallers[].name). */
  | { readonly mode: 'AWS_IAM'; readonly caller: string }
  | { readonly mode: 'API_KEY' | 'OPENID_CONNECT' | 'AWS_LAMBDA' };

/**
 * The claims of a verified user-pool token that say whether it names a user. A user's ID
 * token carries `cognito:username`, a user's access token `username`; an access token from
 * the client-credentials grant carries neither, only `client_id` and resource-server scopes.
 */
export interface UserPoolTokenClaims {
  readonly token_use?: unknown;
  readonly username?: unknown;
  readonly 'cognito:username'?: unknown;
  readonly scope?: unknown;
  readonly 'cognito:groups'?: unknown;
}

/** A verified user-pool token admitted as a caller, or refused before any field (HTTP 401). */
export type TokenAdmission =
  | { readonly admitted: true; readonly caller: Caller }
  | { readonly admitted: false; readonly reason: string };

/**
 * Why a token without a user is refused. The API's auth is per user and group; no schema
 * directive opens a field to a resource-server scope, so such a token would otherwise act
 * as a signed-in user with no group.
 */
export function machineTokenRefusal(scope: unknown): string {
  const scopes = typeof scope === 'string' && scope.trim() ? ` (scope: ${scope.trim()})` : '';
  return `a token without a user${scopes}, such as a client-credentials token, is refused: resource-server scopes open no field of this API`;
}

/**
 * Which caller a verified user-pool token is, or why it is refused: only tokens that name a
 * user of the pool are callers; their groups are `cognito:groups`. The local endpoint admits
 * tokens with this function and the access matrix derives its client-credentials column from it.
 */
export function admitUserPoolToken(claims: UserPoolTokenClaims): TokenAdmission {
  const user = claims.token_use === 'id' ? claims['cognito:username'] : claims.token_use === 'access' ? claims.username : undefined;
  if (typeof user !== 'string' || user === '') return { admitted: false, reason: machineTokenRefusal(claims.scope) };
  const groups = claims['cognito:groups'];
  return { admitted: true, caller: { mode: 'AMAZON_COGNITO_USER_POOLS', groups: Array.isArray(groups) ? groups.map(String) : [] } };
}

export interface AccessDecision {
  readonly allowed: boolean;
  /** Why, naming the directive that decided, e.g. `field directive @aws_cognito_user_pools(cognito_groups: [editors, admins])`. */
  readonly reason: string;
  /** Which level decided: the field's own directives, its type's, or the API's default mode. */
  readonly rule: 'field' | 'type' | 'default';
}

/** The auth modes an API accepts and the top-level fields each IAM caller's policy grants. */
export interface ApiAuthConfig {
  readonly defaultMode: AuthMode;
  readonly additionalModes: readonly AuthMode[];
  /** IAM caller name -> `Type.field` its policy allows `appsync:GraphQL` on (top-level fields). @default {} */
  readonly iamGrants?: Readonly<Record<string, readonly string[]>>;
}

/** One mode a directive opens a field to; `groups` only for user pools (null: any token of the pool). */
export interface ModeGrant {
  readonly mode: AuthMode;
  readonly groups: ReadonlySet<string> | null;
  /** The directive as written, for reasons and error messages. */
  readonly directive: string;
}

/** How one `Type.field` is protected, precomputed once per schema. */
export interface FieldAuth {
  readonly typeName: string;
  readonly fieldName: string;
  /** Which level's directives apply. */
  readonly rule: 'field' | 'type' | 'default';
  /** Modes the applying directives open the field to (for `default`: the default mode, any caller). */
  readonly grants: readonly ModeGrant[];
  /** Query, Mutation or Subscription field: IAM callers also need a policy grant on it. */
  readonly topLevel: boolean;
  /** `schema.graphql` line of the field definition. */
  readonly line: number;
}

export interface AuthModel {
  /** May this caller read this field? Cheap: one map lookup plus a group test. */
  decide(typeName: string, fieldName: string, caller: Caller): AccessDecision;
  /**
   * `decide` for one field, looked up once: what a cached plan keeps (local/graphql/field-plans.ts).
   * It still decides per caller at every call; nothing about any caller is kept in it.
   */
  deciderOf(typeName: string, fieldName: string): Decider;
  /** The precomputed protection of a field (undefined for a field the schema does not have). */
  fieldAuth(typeName: string, fieldName: string): FieldAuth | undefined;
  /** Every object type field of the schema, in schema order. */
  readonly fields: readonly FieldAuth[];
  readonly api: ApiAuthConfig;
  readonly schema: GraphQLSchema;
}

/** Directive name -> the auth mode it opens a field to. */
const AUTH_DIRECTIVES: Readonly<Record<string, AuthMode>> = {
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_iam: 'AWS_IAM',
  aws_api_key: 'API_KEY',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  // Legacy form, valid only when user pools is the only mode and only on top-level fields;
  // the synth-time checks refuse it. Modelled as user pools with groups, its documented meaning.
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

const MODE_NAMES: Readonly<Record<AuthMode, string>> = {
  AMAZON_COGNITO_USER_POOLS: 'user pool token',
  AWS_IAM: 'IAM (SigV4)',
  API_KEY: 'API key',
  OPENID_CONNECT: 'OIDC token',
  AWS_LAMBDA: 'Lambda authorizer',
};

type Located = { readonly loc?: { readonly startToken: { readonly line: number } } };

/**
 * `schema.graphql` line of an AST node parsed by `buildAppSyncSchema` (the prelude subtracted).
 * A definition's name is used when it has one: the node itself starts at its description.
 */
function schemaLine(node: (Located & { readonly name?: Located }) | undefined | null): number {
  const loc = node?.name?.loc ?? node?.loc;
  return loc ? loc.startToken.line - PRELUDE_LINES : 0;
}

/** `schema.graphql:<line>` for error messages. */
export function schemaLocation(node: (Located & { readonly name?: Located }) | undefined | null): string {
  return `${SCHEMA_FILE}:${schemaLine(node)}`;
}

function stringList(value: ValueNode | undefined): string[] | null {
  if (!value) return null;
  if (value.kind === Kind.LIST) {
    return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
  }
  return value.kind === Kind.STRING ? [value.value] : null;
}

/** The `cognito_groups` argument of a directive, or null when absent. */
export function cognitoGroupsOf(d: ConstDirectiveNode): string[] | null {
  const arg = d.arguments?.find((a) => a.name.value === 'cognito_groups');
  return stringList(arg?.value);
}

/** The auth directives among a node's directives. */
export function authDirectivesOf(directives: readonly ConstDirectiveNode[] | undefined): ConstDirectiveNode[] {
  return (directives ?? []).filter((d) => Object.hasOwn(AUTH_DIRECTIVES, d.name.value));
}

function directiveText(d: ConstDirectiveNode): string {
  const groups = cognitoGroupsOf(d);
  return groups === null ? `@${d.name.value}` : `@${d.name.value}(cognito_groups: [${groups.join(', ')}])`;
}

function grantsOf(directives: readonly ConstDirectiveNode[]): ModeGrant[] {
  return directives.map((d) => {
    const mode = AUTH_DIRECTIVES[d.name.value];
    const groups = mode === 'AMAZON_COGNITO_USER_POOLS' ? cognitoGroupsOf(d) : null;
    return { mode, groups: groups && new Set(groups), directive: directiveText(d) };
  });
}

/** A type's auth directives, including those added by `extend type`. */
export function typeDirectives(type: GraphQLObjectType): ConstDirectiveNode[] {
  return authDirectivesOf([
    ...(type.astNode?.directives ?? []),
    ...type.extensionASTNodes.flatMap((e) => e.directives ?? []),
  ]);
}

/** The schema's root operation types (Query, Mutation, Subscription). */
export function rootTypes(schema: GraphQLSchema): GraphQLObjectType[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (t): t is GraphQLObjectType => !!t,
  );
}

function isBuiltIn(name: string): boolean {
  return name.startsWith('__');
}

/**
 * Each schema's field protections per default mode. They depend on nothing else, so the two
 * models built per schema (the config's IAM grants, then the evaluated ones) share them.
 */
const fieldAuthCache = new WeakMap<GraphQLSchema, Map<AuthMode, readonly FieldAuth[]>>();

function cachedFieldAuths(schema: GraphQLSchema, defaultMode: AuthMode): readonly FieldAuth[] {
  let byMode = fieldAuthCache.get(schema);
  if (!byMode) fieldAuthCache.set(schema, (byMode = new Map()));
  let fields = byMode.get(defaultMode);
  if (!fields) byMode.set(defaultMode, (fields = fieldAuthsOf(schema, defaultMode)));
  return fields;
}

/** Precomputes the protection of every object type field. */
function fieldAuthsOf(schema: GraphQLSchema, defaultMode: AuthMode): FieldAuth[] {
  const roots = new Set(rootTypes(schema).map((t) => t.name));
  const out: FieldAuth[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isBuiltIn(type.name)) continue;
    const onType = typeDirectives(type);
    for (const field of Object.values(type.getFields())) {
      const onField = authDirectivesOf(field.astNode?.directives);
      const rule = onField.length ? 'field' : onType.length ? 'type' : 'default';
      const grants =
        rule === 'field'
          ? grantsOf(onField)
          : rule === 'type'
            ? grantsOf(onType)
            : [{ mode: defaultMode, groups: null, directive: `default mode ${defaultMode}` }];
      out.push({
        typeName: type.name,
        fieldName: field.name,
        rule,
        grants,
        topLevel: roots.has(type.name),
        line: schemaLine(field.astNode),
      });
    }
  }
  return out;
}

/** Do the directives that apply to the field open it to `mode`? (Whether the API accepts the mode, and IAM grants, are `decide`'s business.) */
export function opensTo(auth: FieldAuth, mode: AuthMode): boolean {
  return auth.grants.some((g) => g.mode === mode);
}

function levelText(auth: FieldAuth): string {
  if (auth.rule === 'default') return `no auth directive on field or type: default mode ${auth.grants[0].mode} only`;
  return `${auth.rule} directive ${auth.grants.map((g) => g.directive).join(' ')}`;
}

const META_FIELD: AccessDecision = { allowed: true, reason: 'GraphQL meta field', rule: 'default' };

/** One field's decision for any caller. */
export type Decider = (caller: Caller) => AccessDecision;

/**
 * What a field's decider depends on besides the API: its rule, its grants and, for a top-level
 * field (IAM callers need a policy grant on `Type.field`), its key. Fields with equal keys share
 * one decider, so a schema of thousands of fields gated alike compiles a handful.
 */
function deciderKey(auth: FieldAuth): string {
  const grants = auth.grants.map((g) => [g.mode, g.groups && [...g.groups], g.directive]);
  return JSON.stringify([auth.rule, auth.topLevel ? `${auth.typeName}.${auth.fieldName}` : null, grants]);
}

/**
 * Compiles one field's protection into a decider whose every answer (bar an unknown IAM
 * caller's) is built here, once: deciding is then a mode switch and a group lookup.
 */
function compileField(auth: FieldAuth, api: ApiAuthConfig): Decider {
  const level = levelText(auth);
  const decision = (allowed: boolean, why: string): AccessDecision => ({ allowed, reason: `${level}: ${why}`, rule: auth.rule });
  const key = `${auth.typeName}.${auth.fieldName}`;
  const perMode = new Map<AuthMode, Decider>();
  for (const mode of Object.keys(MODE_NAMES) as AuthMode[]) {
    const grants = auth.grants.filter((g) => g.mode === mode);
    if (mode !== api.defaultMode && !api.additionalModes.includes(mode)) {
      const d = decision(false, `the API does not accept ${MODE_NAMES[mode]}`);
      perMode.set(mode, () => d);
    } else if (!grants.length) {
      const d = decision(false, `not open to ${MODE_NAMES[mode]}`);
      perMode.set(mode, () => d);
    } else if (mode === 'AMAZON_COGNITO_USER_POOLS') {
      if (grants.some((g) => g.groups === null)) {
        const d = decision(true, 'any signed-in user of the pool');
        perMode.set(mode, () => d);
        continue;
      }
      const listed = [...new Set(grants.flatMap((g) => [...g.groups!]))];
      const members = new Map(listed.map((g) => [g, decision(true, `member of ${g}`)]));
      const denied = decision(false, `caller in none of the groups [${listed.join(', ')}]`);
      perMode.set(mode, (c) => {
        // ANY listed group admits (OR); the first of the caller's groups that is listed names it.
        for (const g of (c as Extract<Caller, { groups: readonly string[] }>).groups) {
          const d = members.get(g);
          if (d) return d;
        }
        return denied;
      });
    } else if (mode === 'AWS_IAM' && auth.topLevel) {
      const granted = new Map(
        Object.entries(api.iamGrants ?? {})
          .filter(([, fields]) => fields.includes(key))
          .map(([name]) => [name, decision(true, `IAM caller ${name} is granted ${key}`)]),
      );
      perMode.set(mode, (c) => {
        const name = (c as Extract<Caller, { caller: string }>).caller;
        return granted.get(name) ?? decision(false, `IAM caller ${name} has no appsync:GraphQL grant on ${key}`);
      });
    } else {
      const d = decision(true, `open to ${MODE_NAMES[mode]}`);
      perMode.set(mode, () => d);
    }
  }
  return (caller) => perMode.get(caller.mode)!(caller);
}

/**
 * The auth model of a schema under an API's modes. Every field's protection is computed here
 * once; `decide` is then a map lookup and a group test, cheap enough to run per resolved field.
 */
export function createAuthModel(schema: GraphQLSchema, api: ApiAuthConfig): AuthModel {
  const fields = cachedFieldAuths(schema, api.defaultMode);
  const byKey = new Map(fields.map((f) => [`${f.typeName}.${f.fieldName}`, f]));
  // Type -> field -> decider: no string building per call.
  const deciders = new Map<string, Map<string, Decider>>();
  const compiled = new Map<string, Decider>();
  for (const f of fields) {
    if (!deciders.has(f.typeName)) deciders.set(f.typeName, new Map());
    const key = deciderKey(f);
    let decider = compiled.get(key);
    if (!decider) compiled.set(key, (decider = compileField(f, api)));
    deciders.get(f.typeName)!.set(f.fieldName, decider);
  }
  /** Meta fields (__typename, __schema, __type) are not auth-checked per field by AppSync. */
  const metaField: Decider = () => META_FIELD;
  function deciderOf(typeName: string, fieldName: string): Decider {
    const decider = deciders.get(typeName)?.get(fieldName);
    if (decider) return decider;
    if (isBuiltIn(fieldName) || isBuiltIn(typeName)) return metaField;
    throw new Error(`${SCHEMA_FILE}: no field ${typeName}.${fieldName} in the schema`);
  }
  return {
    api,
    schema,
    fields,
    fieldAuth: (typeName, fieldName) => byKey.get(`${typeName}.${fieldName}`),
    decide: (typeName, fieldName, caller) => deciderOf(typeName, fieldName)(caller),
    deciderOf,
  };
}
