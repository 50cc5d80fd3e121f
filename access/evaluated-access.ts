import type { Finding } from './checks';
import type { MatrixConfig } from './matrix';
import { storageGrantsFor } from './storage-grants';
import { resolveRole } from './role-mapping';
import { describeDecision, type IamDecision } from '../local/iam/evaluator';
import { StackAuthorizer } from '../local/iam/stack-authorizer';
import type { StackIam } from '../local/iam/stack-iam';
import { roleChooser } from '../local/identity-pool/role-choice';

/**
 * Access decided by evaluating the synthesized stack's IAM policies (the role policies, the
 * bucket policy and each IAM caller's `appsync:GraphQL` policy) with the local IAM evaluator
 * (local/iam: `@cloud-copilot/iam-simulate`), then compared with what the config means.
 *
 * Layering: this module is dev-time only. The evaluator is AGPL-3.0 and a devDependency, and
 * loading it costs ~0.4 s, so synth (main.ts) never imports this file; `npm run access`
 * (`--check` included), `npm run explain` and the tests do. A policy that disagrees with the
 * config's intent fails `npm run access -- --check`, naming the statement that decided.
 */

/** The principal tag values of the matrix's probe users (what the identity pool would tag). */
const PROBE_SUB = '11111111-1111-4111-8111-111111111111';
const OTHER_SUB = '22222222-2222-4222-8222-222222222222';

export type StorageAction = 'read' | 'write' | 'list';
const STORAGE_ACTIONS: readonly StorageAction[] = ['read', 'write', 'list'];

export interface StorageCell {
  readonly allowed: boolean;
  /** What the config's storage rules mean for this persona, prefix and action. */
  readonly expected: boolean;
  /** The evaluated decision in words: `allowed by <policy> statement <sid>`, `implicitly denied ...`. */
  readonly decidedBy: string;
}

export interface StorageRow {
  readonly persona: string;
  /** The IAM role the identity pool gives this persona (its name), or null (no credentials). */
  readonly role: string | null;
  /** The config prefix; `{owner}` rows come twice: own identity and another user's. */
  readonly prefix: string;
  readonly whose?: 'own' | 'other';
  readonly cells: Readonly<Record<StorageAction, StorageCell>>;
}

export interface EvaluatedAccess {
  readonly storage: readonly StorageRow[];
  /** IAM caller -> top-level `Type.field`s its synthesized policy allows `appsync:GraphQL` on. */
  readonly iamGrants: Readonly<Record<string, readonly string[]>>;
  /** IAM caller -> field -> the evaluated decision in words. */
  readonly iamDecisions: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Disagreements between the evaluated policies and the config's intent. */
  readonly findings: readonly Finding[];
}

/** A user-pool persona of the matrix: its id and groups. */
export interface StoragePersona {
  readonly id: string;
  readonly groups: readonly string[];
}

const S3_ACTION: Readonly<Record<StorageAction, string>> = { read: 's3:GetObject', write: 's3:PutObject', list: 's3:ListBucket' };

function statementsOf(d: IamDecision): string {
  return d.statements.map((s) => `${s.policy} statement ${s.statement}`).join(', ');
}

/** The user-pool tag values the stack's principal tags would carry for the probe user. */
function probeTags(iam: StackIam, sub: string): Record<string, string> {
  const pool = iam.identityPool;
  const claims: Record<string, string> = { sub, aud: pool?.providers[0]?.clientId ?? 'local-client' };
  return Object.fromEntries(Object.entries(pool?.principalTags ?? {}).map(([tag, claim]) => [tag, claims[claim] ?? `${claim}-of-probe-user`]));
}

export async function evaluateAccess(
  config: MatrixConfig,
  iam: StackIam,
  personas: readonly StoragePersona[],
  topLevelFields: readonly string[],
  stackName: string,
): Promise<EvaluatedAccess> {
  const authorizer = new StackAuthorizer(iam);
  const findings: Finding[] = [];
  const storage: StorageRow[] = [];
  const bucket = iam.bucket;
  const pool = iam.identityPool;
  if (bucket && pool) {
    const choose = roleChooser(pool, config.groups.map((g) => ({ name: g.name, description: '', precedence: g.precedence })), `stack ${stackName}`);
    const roleNames = new Map(iam.roles.map((r) => [r.arn, r.name]));
    for (const p of personas) {
      const roleArn = choose(p.groups).roleArn;
      const grants = storageGrantsFor(config.storage.rules, resolveRole(config, p.groups).role);
      for (const rule of config.storage.rules) {
        const owned = rule.prefix.includes('{owner}');
        for (const whose of owned ? (['own', 'other'] as const) : [undefined]) {
          const keyPrefix = rule.prefix.replace('{owner}', whose === 'other' ? OTHER_SUB : PROBE_SUB);
          const intended = (list: readonly string[]) => whose !== 'other' && list.includes(rule.prefix);
          const cells = {} as Record<StorageAction, StorageCell>;
          for (const action of STORAGE_ACTIONS) {
            const expected = intended(action === 'write' ? grants.write : grants.read);
            if (!roleArn) {
              cells[action] = { allowed: false, expected, decidedBy: 'no credentials: the identity pool gives this persona no role' };
            } else {
              const d = await authorizer.authorize({
                roleArn,
                principalTags: probeTags(iam, PROBE_SUB),
                action: S3_ACTION[action],
                resource: action === 'list' ? bucket.arn : `${bucket.arn}/${keyPrefix}probe.md`,
                secureTransport: true,
                context: action === 'list' ? { 's3:prefix': keyPrefix } : undefined,
              });
              cells[action] = { allowed: d.decision === 'Allowed', expected, decidedBy: describeDecision(d) };
              if (cells[action].allowed !== expected) {
                const role = roleNames.get(roleArn) ?? roleArn;
                const where = d.statements.length ? statementsOf(d) : `the policies of role ${role} (${iam.roles.find((r) => r.arn === roleArn)?.policies.map((x) => x.name).join(', ') || 'none'})`;
                findings.push({
                  location: `stack ${stackName}: ${where}`,
                  problem: `${S3_ACTION[action]} on ${whose ? `${rule.prefix} (${whose === 'own' ? "the caller's own" : "another user's"})` : rule.prefix} for persona ${p.id} (role ${role}) is ${describeDecision(d)}, but config storage.rules says it is ${expected ? 'allowed' : 'denied'}`,
                  fix: 'make the synthesized policy match config/project.ts storage.rules (constructs/content-store.ts writes it)',
                });
              }
            }
          }
          storage.push({ persona: p.id, role: roleArn ? (roleNames.get(roleArn) ?? roleArn) : null, prefix: rule.prefix, ...(whose ? { whose } : {}), cells });
        }
      }
    }
  }

  const iamGrants: Record<string, string[]> = {};
  const iamDecisions: Record<string, Record<string, string>> = {};
  for (const caller of config.api.iamCallers) {
    const stackCaller = iam.iamCallers.find((c) => c.name === caller.name);
    iamGrants[caller.name] = [];
    iamDecisions[caller.name] = {};
    for (const field of topLevelFields) {
      const expected = caller.fields.includes(field);
      if (!stackCaller || !iam.api) {
        iamDecisions[caller.name][field] = 'the stack has no role policy for this caller';
        if (expected) {
          findings.push({
            location: `stack ${stackName}: aws_iam_role_policy graphql-${caller.name}`,
            problem: `missing, but config api.iamCallers names ${caller.name} with ${caller.fields.join(', ')}`,
            fix: 'synthesize the caller policy (constructs/api-iam-callers.ts)',
          });
        }
        continue;
      }
      const [type, name] = field.split('.');
      const d = await authorizer.authorize({
        roleArn: stackCaller.roleArn,
        principalTags: {},
        action: 'appsync:GraphQL',
        resource: `${iam.api.arn}/types/${type}/fields/${name}`,
        secureTransport: true,
      });
      const allowed = d.decision === 'Allowed';
      if (allowed) iamGrants[caller.name].push(field);
      iamDecisions[caller.name][field] = describeDecision(d);
      if (allowed !== expected) {
        findings.push({
          location: `stack ${stackName}: ${d.statements.length ? statementsOf(d) : `the policies of the ${caller.name} role`}`,
          problem: `appsync:GraphQL on ${field} for IAM caller ${caller.name} is ${describeDecision(d)}, but config api.iamCallers[${caller.name}].fields ${expected ? 'lists' : 'does not list'} it`,
          fix: 'make the synthesized caller policy grant exactly the configured fields',
        });
      }
    }
  }
  return { storage, iamGrants, iamDecisions, findings };
}
