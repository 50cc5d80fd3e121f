import { AuthModel, Caller } from './auth-model';
import { MatrixConfig, reachableFields, rowRuleFor } from './matrix';
import { resolveRole, roleName, RoleResolution } from './role-mapping';
import { storageGrantsFor, StorageGrants } from './storage-grants';
import type { StorageRow } from './evaluated-access';

/**
 * The explainer: for one user's groups, the identity-pool role the configured mapping gives,
 * the storage that role reaches, and the GraphQL fields the user can call and read. Built
 * from the same role mapping, storage grants and auth model as the matrix and the endpoint.
 */

export interface ExplainSubject {
  /** The user's Cognito groups (as `cognito:groups` would carry them). */
  readonly groups: readonly string[];
  /** Where the groups came from, e.g. `--groups`, `demo user editor@example.com`. */
  readonly source: string;
  /** Caveats about the source (an unverified token, a federated mapping), printed first. */
  readonly notes: readonly string[];
}

export interface FieldAccess {
  readonly field: string;
  readonly reason: string;
  /** A row rule the resolver applies on top (documentation from config.api.rowRules). */
  readonly rowRule?: string;
}

export interface Explanation {
  readonly subject: ExplainSubject;
  readonly unknownGroups: readonly string[];
  readonly mapping: { readonly roleMapping: 'rules' | 'token'; readonly ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny' };
  readonly role: RoleResolution & { readonly name: string };
  readonly storage: StorageGrants;
  /**
   * Storage decided by evaluating the synthesized stack's policies (access/evaluated-access.ts):
   * each prefix's read/write/list with the statement that decided. Absent without a stack.
   */
  readonly evaluatedStorage?: { readonly stack: string; readonly rows: readonly StorageRow[] };
  /** Query, Mutation and Subscription fields the user may call with a user-pool token. */
  readonly call: readonly FieldAccess[];
  /** Fields of the returned types the user may read. */
  readonly read: readonly FieldAccess[];
  /** Fields of the returned types that come back null with `Unauthorized`. */
  readonly deniedReads: readonly FieldAccess[];
  /** IAM callers whose grants ride on the user's identity-pool role (principal: { group }). */
  readonly iamViaRole: readonly { readonly caller: string; readonly fields: readonly string[] }[];
}

export function explain(model: AuthModel, config: MatrixConfig, subject: ExplainSubject): Explanation {
  const known = new Set(config.groups.map((g) => g.name));
  const role = resolveRole(config, subject.groups);
  const caller: Caller = { mode: 'AMAZON_COGNITO_USER_POOLS', groups: subject.groups };
  const call: FieldAccess[] = [];
  const read: FieldAccess[] = [];
  const deniedReads: FieldAccess[] = [];
  for (const f of reachableFields(model)) {
    const key = `${f.typeName}.${f.fieldName}`;
    const d = model.decide(f.typeName, f.fieldName, caller);
    const rowRule = d.allowed ? rowRuleFor(config, key, subject.groups) : undefined;
    const access: FieldAccess = { field: key, reason: d.reason, ...(rowRule ? { rowRule } : {}) };
    if (f.topLevel) {
      if (d.allowed) call.push(access);
    } else {
      (d.allowed ? read : deniedReads).push(access);
    }
  }
  const granted = role.role?.kind === 'group' ? role.role.group : undefined;
  return {
    subject,
    unknownGroups: subject.groups.filter((g) => !known.has(g)),
    mapping: config.identityPool,
    role: { ...role, name: roleName(role.role) },
    storage: storageGrantsFor(config.storage.rules, role.role),
    call,
    read,
    deniedReads,
    iamViaRole: config.api.iamCallers
      .filter((c) => 'group' in c.principal && c.principal.group === granted)
      .map((c) => ({ caller: c.name, fields: c.fields })),
  };
}

function fieldLines(list: readonly FieldAccess[], withReason: boolean): string[] {
  if (!list.length) return ['  (none)'];
  return list.map((f) => `  ${f.field}${f.rowRule ? `  [row rule: ${f.rowRule}]` : ''}${withReason ? `  (${f.reason})` : ''}`);
}

export function renderExplanation(e: Explanation): string {
  const prefixes = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');
  const out = [
    `Caller: ${e.subject.source}`,
    ...e.subject.notes.map((n) => `Note: ${n}`),
    `Groups: ${e.subject.groups.length ? e.subject.groups.join(', ') : '(none)'}`,
  ];
  if (e.unknownGroups.length) out.push(`Not configured groups (grant nothing): ${e.unknownGroups.join(', ')}`);
  out.push(
    '',
    `Identity pool (role mapping ${e.mapping.roleMapping}, ambiguous -> ${e.mapping.ambiguousRoleResolution}):`,
    ...e.role.steps.map((s) => `  - ${s}`),
    `  => ${e.role.name}${e.role.ambiguous ? ' (ambiguous)' : ''}`,
    '',
    'Storage ({owner} = your own identity):',
    `  read:  ${prefixes(e.storage.read)}`,
    `  write: ${prefixes(e.storage.write)}`,
  );
  if (e.evaluatedStorage) out.push(...evaluatedStorageLines(e.evaluatedStorage));
  for (const iam of e.iamViaRole) {
    out.push(`  With this role's SigV4 credentials (IAM caller ${iam.caller}): ${iam.fields.join(', ')}`);
  }
  out.push(
    '',
    'GraphQL operations you can call (user-pool token):',
    ...fieldLines(e.call, false),
    '',
    'Fields you can read in what they return:',
    ...fieldLines(e.read, false),
    '',
    'Fields that come back null with Unauthorized:',
    ...fieldLines(e.deniedReads, true),
  );
  return out.join('\n') + '\n';
}

/** Each prefix's read/write/list as the IAM evaluator decided it on the synthesized policies. */
function evaluatedStorageLines(storage: NonNullable<Explanation['evaluatedStorage']>): string[] {
  const role = storage.rows[0]?.role;
  const out = [`Storage decisions, evaluated from stack ${storage.stack}'s policies (role ${role ?? 'none: no credentials'}):`];
  for (const r of storage.rows) {
    const label = r.whose === 'other' ? `${r.prefix} (another user's)` : r.whose === 'own' ? `${r.prefix} (own)` : r.prefix;
    out.push(`  ${label}`);
    for (const action of ['read', 'write', 'list'] as const) {
      const c = r.cells[action];
      out.push(`    ${action.padEnd(5)} ${c.allowed ? '✓' : '✗'} ${c.decidedBy}${c.allowed !== c.expected ? `  (config storage.rules says ${c.expected ? 'allowed' : 'denied'})` : ''}`);
    }
  }
  return out;
}
