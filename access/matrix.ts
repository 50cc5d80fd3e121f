import { GraphQLObjectType, GraphQLSchema, getNamedType, isAbstractType, isObjectType } from 'graphql';
import type { ResolvedConfig } from '../config';
import { AccessDecision, admitUserPoolToken, AuthModel, Caller, FieldAuth, rootTypes } from './auth-model';
import { directMappingRules, resolveRole, roleName, type IdentityRole } from './role-mapping';
import { storageGrantsFor } from './storage-grants';
import type { StorageRow } from './evaluated-access';

/**
 * The access matrix: for every field reachable from the root types, what each persona gets.
 * Built only from the auth model and the config, so the local endpoint can be tested against
 * it cell by cell (call `model.decide(type, field, persona.caller)` for each persona with a caller).
 */

/** The parts of the config the matrix reads (older configs, read by `--diff`, have at least these). */
export type MatrixConfig = Pick<ResolvedConfig, 'groups' | 'storage'> & {
  /** Role mapping; `directFederation` is absent in configs older than it. */
  readonly identityPool: Omit<ResolvedConfig['identityPool'], 'directFederation'> & Partial<Pick<ResolvedConfig['identityPool'], 'directFederation'>>;
  readonly api: Pick<ResolvedConfig['api'], 'iamCallers' | 'rowRules'>;
  /** The resource server the server client's scopes come from (absent in configs older than it). */
  readonly resourceServer?: ResolvedConfig['resourceServer'];
  /** The identity providers (absent in configs older than the provider rows; their `oidc` too). */
  readonly identityProviders?: Pick<ResolvedConfig['identityProviders'], 'saml' | 'social'> & Partial<Pick<ResolvedConfig['identityProviders'], 'oidc'>>;
};

export interface Persona {
  /** Stable key: `group:<name>`, `signed-in`, `client:server`, `iam:<caller>`, `anonymous`. */
  readonly id: string;
  /** Column heading. */
  readonly label: string;
  readonly kind: 'group' | 'signed-in' | 'client' | 'iam' | 'anonymous';
  /**
   * What the endpoint hands `decide` for this persona; null: refused before any field (HTTP
   * 401), for `refusal` or, without one, for having no credentials.
   */
  readonly caller: Caller | null;
  /** Why this persona's credentials are refused before any field (the auth model's words). */
  readonly refusal?: string;
}

export interface MatrixCell {
  readonly allowed: boolean;
  /** 'request': decided before any field (no credentials). */
  readonly rule: 'field' | 'type' | 'default' | 'request';
  readonly reason: string;
  /** A row rule the resolver enforces on top of the directive for this persona (allowed cells only). */
  readonly rowRule?: string;
}

export interface MatrixRow {
  readonly type: string;
  readonly field: string;
  /** `schema.graphql` line of the field. */
  readonly line: number;
  /** The directives that apply, e.g. `field: @aws_cognito_user_pools @aws_iam`. */
  readonly directives: string;
  /** Persona id -> cell. */
  readonly cells: Readonly<Record<string, MatrixCell>>;
}

export interface IdentityPoolPersona {
  readonly persona: string;
  readonly groups: readonly string[];
  /** Role name (`admins role`, `default authenticated role`, `no credentials`). */
  readonly role: string;
  readonly ambiguous: boolean;
  readonly steps: readonly string[];
  readonly storage: { readonly read: readonly string[]; readonly write: readonly string[] };
}

/** What one outcome of signing in through an IdP gives: when, the role, the storage it reaches. */
export interface ProviderOutcome {
  /** The condition, e.g. `groups claim has "partner-writers"` or `no listed IdP group`. */
  readonly when: string;
  /** Role name (`editors role`, `default authenticated role`, `no credentials`). */
  readonly role: string;
  readonly storage: { readonly read: readonly string[]; readonly write: readonly string[] };
}

/** One identity provider in the identity-pool section: how its users reach the identity pool and with which role. */
export interface IdentityPoolProviderRow {
  readonly provider: string;
  readonly kind: 'Google' | 'Facebook' | 'SignInWithApple' | 'LoginWithAmazon' | 'SAML' | 'OIDC';
  /** `user pool`: a federated user of the pool, then the pool's role mapping; `direct`: the IdP's token straight to the identity pool. */
  readonly path: 'user pool' | 'direct';
  /** Who gets in, in words. */
  readonly admission: string;
  readonly outcomes: readonly ProviderOutcome[];
}

export interface AccessMatrix {
  readonly api: { readonly defaultMode: string; readonly additionalModes: readonly string[] };
  readonly personas: readonly Persona[];
  /** Rows grouped by type: root types first, then types in the order they are reached. */
  readonly rows: readonly MatrixRow[];
  readonly identityPool: {
    readonly roleMapping: 'rules' | 'token';
    readonly ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny';
    readonly personas: readonly IdentityPoolPersona[];
    /** Each identity provider (user-pool federation and direct), in config order. */
    readonly providers: readonly IdentityPoolProviderRow[];
  };
  /**
   * Storage evaluated from the synthesized stack's policies (access/evaluated-access.ts):
   * every user-pool persona x prefix x read/write/list. Absent when no stack was evaluated
   * (`--diff` against a git ref, fixture configs).
   */
  readonly storage?: { readonly stack: string; readonly rows: readonly StorageRow[] };
}

/** What evaluating the synthesized stack adds to the matrix (access/evaluated-access.ts). */
export interface MatrixEvaluation {
  readonly stack: string;
  readonly storage: readonly StorageRow[];
  /** IAM caller -> field -> the evaluated `appsync:GraphQL` decision in words. */
  readonly iamDecisions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const NO_CREDENTIALS: MatrixCell = {
  allowed: false,
  rule: 'request',
  reason: 'no credentials: HTTP 401 UnauthorizedException before any field is resolved',
};

/**
 * The server client's client-credentials access token, as far as admission reads it: no
 * user, the resource server's scopes.
 */
function clientCredentialsClaims(config: Pick<MatrixConfig, 'resourceServer'>): Record<string, unknown> {
  const rs = config.resourceServer ?? { identifier: 'content', scopes: { read: '', write: '' } };
  return { token_use: 'access', scope: Object.keys(rs.scopes).map((s) => `${rs.identifier}/${s}`).join(' ') };
}

/** The server client's column: whatever the auth model makes of its token. */
function serverClientPersona(config: MatrixConfig): Persona {
  const admission = admitUserPoolToken(clientCredentialsClaims(config));
  const base = { id: 'client:server', label: 'server client (client credentials)', kind: 'client' } as const;
  return admission.admitted ? { ...base, caller: admission.caller } : { ...base, caller: null, refusal: admission.reason };
}

/**
 * The matrix columns: each group alone, signed in without a group, the server client's
 * client-credentials token, each IAM caller, no credentials.
 */
export function personasOf(config: MatrixConfig): Persona[] {
  return [
    ...config.groups.map(
      (g): Persona => ({ id: `group:${g.name}`, label: g.name, kind: 'group', caller: { mode: 'AMAZON_COGNITO_USER_POOLS', groups: [g.name] } }),
    ),
    { id: 'signed-in', label: 'signed in, no group', kind: 'signed-in', caller: { mode: 'AMAZON_COGNITO_USER_POOLS', groups: [] } },
    serverClientPersona(config),
    ...config.api.iamCallers.map(
      (c): Persona => ({ id: `iam:${c.name}`, label: `IAM ${c.name}`, kind: 'iam', caller: { mode: 'AWS_IAM', caller: c.name } }),
    ),
    { id: 'anonymous', label: 'no credentials', kind: 'anonymous', caller: null },
  ];
}

/** Object types reachable from `from` (default: the root types) through field types (interfaces and unions expanded), `from` included. */
function reachableTypes(schema: GraphQLSchema, from: readonly GraphQLObjectType[] = rootTypes(schema)): string[] {
  const seen = new Set<string>();
  const queue = [...from];
  while (queue.length) {
    const type = queue.shift()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named)) queue.push(named);
      else if (isAbstractType(named)) queue.push(...schema.getPossibleTypes(named));
    }
  }
  return [...seen];
}

/** The fields of the object types reachable from `from` (default: the root types), grouped by type in the order reached. */
export function reachableFields(model: AuthModel, from?: readonly GraphQLObjectType[]): FieldAuth[] {
  const byType = new Map<string, FieldAuth[]>();
  for (const f of model.fields) {
    if (!byType.has(f.typeName)) byType.set(f.typeName, []);
    byType.get(f.typeName)!.push(f);
  }
  return reachableTypes(model.schema, from).flatMap((t) => byType.get(t) ?? []);
}

function directivesText(auth: FieldAuth): string {
  return auth.rule === 'default' ? 'none: default mode' : `${auth.rule}: ${auth.grants.map((g) => g.directive).join(' ')}`;
}

/**
 * The row rule a caller in `groups` meets on a field: a rule listing groups narrows those
 * groups; a rule with no groups narrows every caller the directive admits.
 */
export function rowRuleFor(config: Pick<MatrixConfig, 'api'>, key: string, groups: readonly string[]): string | undefined {
  const rule = config.api.rowRules.find((r) => r.field === key);
  if (!rule) return undefined;
  return rule.groups.length === 0 || rule.groups.some((g) => groups.includes(g)) ? rule.rule : undefined;
}

/** Each user-pool persona's identity-pool role and the storage it reaches. */
function identityPoolPersonas(config: MatrixConfig, personas: readonly Persona[], evaluated?: MatrixEvaluation): IdentityPoolPersona[] {
  return personas.flatMap((p) => {
    if (p.caller?.mode !== 'AMAZON_COGNITO_USER_POOLS') return [];
    const { groups } = p.caller;
    const r = resolveRole(config, groups);
    const storage = evaluated ? evaluatedGrants(evaluated.storage, p.id) : storageGrantsFor(config.storage.rules, r.role);
    return [{ persona: p.id, groups, role: roleName(r.role), ambiguous: r.ambiguous, steps: r.steps, storage }];
  });
}

/** The storage a role reaches: that of the persona holding the same role (evaluated or derived), else derived from the rules. */
function storageOfRole(config: MatrixConfig, personas: readonly IdentityPoolPersona[], role: IdentityRole | null): ProviderOutcome['storage'] {
  return personas.find((p) => p.role === roleName(role))?.storage ?? storageGrantsFor(config.storage.rules, role);
}

/** A user-pool outcome: the role the pool's mapping gives a user in `groups`. */
function poolOutcome(config: MatrixConfig, personas: readonly IdentityPoolPersona[], when: string, groups: readonly string[]): ProviderOutcome {
  const role = resolveRole(config, groups).role;
  return { when, role: roleName(role), storage: storageOfRole(config, personas, role) };
}

function admissionText(rule: ResolvedConfig['identityProviders']['social'][number]['admission']): string {
  if (!rule) return 'any account (open pool, no admission rule)';
  if (rule.mode === 'invitedOnly') return 'pre-sign-up rule: invited only (linked to an admin-created user)';
  const list = [...rule.allowedEmailDomains.map((d) => `@${d}`), ...rule.allowedEmails];
  return `pre-sign-up rule: ${list.join(', ')}`;
}

/** A direct IdP's identities carry no `owner` principal tag: `{owner}` prefixes are out of reach. */
function withoutOwnerPrefixes(storage: ProviderOutcome['storage']): ProviderOutcome['storage'] {
  const mine = (xs: readonly string[]) => xs.filter((x) => !x.includes('{owner}'));
  return { read: mine(storage.read), write: mine(storage.write) };
}

/**
 * The identity-pool rows of every IdP: social IdPs and enterprise IdPs (SAML, OIDC) through
 * the user pool (allow-listed IdP groups become groups, then roles), and direct IdPs through
 * their own rules.
 */
function identityPoolProviders(config: MatrixConfig, personas: readonly IdentityPoolPersona[]): IdentityPoolProviderRow[] {
  const idps = config.identityProviders;
  if (!idps) return [];
  const noGroup = 'first sign-in: no group (until an administrator adds one)';
  const rows: IdentityPoolProviderRow[] = idps.social.map((p) => ({
    provider: p.name,
    kind: p.name,
    path: 'user pool',
    admission: admissionText(p.admission),
    outcomes: [poolOutcome(config, personas, noGroup, [])],
  }));
  const enterprise = (name: string, kind: 'SAML' | 'OIDC', claim: string | undefined, mapping: Readonly<Record<string, string>>): IdentityPoolProviderRow => ({
    provider: name,
    kind,
    path: 'user pool',
    admission: 'enterprise IdP: admitted (membership is its decision)',
    outcomes: [
      ...(claim ? Object.entries(mapping).map(([idpGroup, group]) => poolOutcome(config, personas, `${claim} has "${idpGroup}" -> ${group}`, [group])) : []),
      poolOutcome(config, personas, claim ? `no listed IdP group in ${claim}` : 'the IdP brings no groups', []),
    ],
  });
  rows.push(...idps.saml.map((s) => enterprise(s.name, 'SAML', s.groupsAttribute, s.groupMapping)));
  rows.push(...(idps.oidc ?? []).map((o) => enterprise(o.name, 'OIDC', o.groupsClaim, o.groupMapping)));
  for (const d of config.identityPool.directFederation ?? []) {
    const rules = directMappingRules(config.groups, d.rules);
    const unmatched: IdentityRole | null = d.unmatched === 'Deny' ? null : { kind: 'authenticated' };
    rows.push({
      provider: `${d.idp} (direct)`,
      kind: d.kind,
      path: 'direct',
      admission: `no user pool, no pre-sign-up rule: any token of ${d.loginProvider} for client ${d.clientId}; the rules decide`,
      outcomes: [
        ...rules.map((r) => {
          const role: IdentityRole = { kind: 'group', group: r.group };
          return { when: `${r.claim} ${r.matchType} "${r.value}"`, role: roleName(role), storage: withoutOwnerPrefixes(storageOfRole(config, personas, role)) };
        }),
        { when: rules.length ? `no rule matches (unmatched: ${d.unmatched})` : `no rules (unmatched: ${d.unmatched})`, role: roleName(unmatched), storage: withoutOwnerPrefixes(storageOfRole(config, personas, unmatched)) },
      ],
    });
  }
  return rows;
}

/** The prefixes the evaluated policies let a persona read and write (another user's `{owner}` prefix never listed). */
function evaluatedGrants(rows: readonly StorageRow[], persona: string): { read: string[]; write: string[] } {
  const mine = rows.filter((r) => r.persona === persona && r.whose !== 'other');
  return { read: mine.filter((r) => r.cells.read.allowed).map((r) => r.prefix), write: mine.filter((r) => r.cells.write.allowed).map((r) => r.prefix) };
}

function identityPoolSection(config: MatrixConfig, personas: readonly Persona[], evaluated?: MatrixEvaluation): AccessMatrix['identityPool'] {
  const ip = identityPoolPersonas(config, personas, evaluated);
  return {
    roleMapping: config.identityPool.roleMapping,
    ambiguousRoleResolution: config.identityPool.ambiguousRoleResolution,
    personas: ip,
    providers: identityPoolProviders(config, ip),
  };
}

/** One row's cells; `decisions`: the model's, one per persona with a caller, in persona order. */
function cellsOf(personas: readonly Persona[], decisions: readonly AccessDecision[], config: MatrixConfig, key: string, evaluated?: MatrixEvaluation): Record<string, MatrixCell> {
  const cells: Record<string, MatrixCell> = {};
  let i = 0;
  for (const p of personas) {
    if (!p.caller) {
      cells[p.id] = p.refusal
        ? { allowed: false, rule: 'request', reason: `${p.refusal}: HTTP 401 UnauthorizedException before any field is resolved` }
        : NO_CREDENTIALS;
      continue;
    }
    const d = decisions[i++];
    const rowRule = d.allowed ? rowRuleFor(config, key, p.caller.mode === 'AMAZON_COGNITO_USER_POOLS' ? p.caller.groups : []) : undefined;
    const policy = p.caller.mode === 'AWS_IAM' ? evaluated?.iamDecisions[p.caller.caller]?.[key] : undefined;
    const cell = policy ? { ...d, reason: `${d.reason}; appsync:GraphQL ${policy}` } : { ...d };
    cells[p.id] = rowRule ? { ...cell, rowRule } : cell;
  }
  return cells;
}

/** A value per sequence of objects, compared by identity (a trie of Maps). */
class IdentityTrie<V> {
  private readonly root = new Map<object, unknown>();

  get(keys: readonly object[], make: () => V): V {
    let level = this.root;
    let node: { next: Map<object, unknown>; value?: V } | undefined;
    for (const k of keys) {
      node = level.get(k) as typeof node;
      if (!node) level.set(k, (node = { next: new Map() }));
      level = node.next;
    }
    if (!node) return make();
    return (node.value ??= make());
  }
}

/**
 * Builds the matrix of a model under a config. With `evaluated`, the model's IAM grants are the
 * ones evaluated from the synthesized policies and the storage part is the evaluated one.
 */
export function buildMatrix(model: AuthModel, config: MatrixConfig, evaluated?: MatrixEvaluation): AccessMatrix {
  const personas = personasOf(config);
  const callers = personas.flatMap((p) => (p.caller ? [p.caller] : []));
  const ruled = new Set(config.api.rowRules.map((r) => r.field));
  const withPolicy = new Set(Object.values(evaluated?.iamDecisions ?? {}).flatMap((byField) => Object.keys(byField)));
  // Rows whose decisions are the same objects (fields gated alike share a decider) and that no
  // row rule or policy names get the same cells, built once: read-only, serialized per row.
  const shared = new IdentityTrie<Readonly<Record<string, MatrixCell>>>();
  const rows: MatrixRow[] = [];
  for (const auth of reachableFields(model)) {
    const key = `${auth.typeName}.${auth.fieldName}`;
    const decisions = callers.map((c) => model.decide(auth.typeName, auth.fieldName, c));
    const build = () => cellsOf(personas, decisions, config, key, evaluated);
    const cells = ruled.has(key) || withPolicy.has(key) ? build() : shared.get(decisions, build);
    rows.push({ type: auth.typeName, field: auth.fieldName, line: auth.line, directives: directivesText(auth), cells });
  }
  return {
    api: { defaultMode: model.api.defaultMode, additionalModes: model.api.additionalModes },
    personas,
    rows,
    identityPool: identityPoolSection(config, personas, evaluated),
    ...(evaluated ? { storage: { stack: evaluated.stack, rows: evaluated.storage } } : {}),
  };
}
