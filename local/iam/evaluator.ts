import type { Simulation } from '@cloud-copilot/iam-simulate';
import { LRUCache } from 'lru-cache';
import type { NamedPolicy } from './stack-iam';

/**
 * Decides an AWS request the way IAM does, with `@cloud-copilot/iam-simulate` (a full IAM
 * evaluator: every condition operator, policy variables such as `${aws:PrincipalTag/owner}`,
 * NotAction/NotResource, explicit deny over allow, identity + resource policies). AGPL-3.0:
 * a dev-only dependency of the local mode, never part of what is deployed.
 *
 * The policies are the synthesized stack's (local/iam/stack-iam.ts); this module only turns a
 * request into the simulator's input and reports which statement decided.
 */

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface IamRequest {
  /** The role whose session signed the request (`arn:aws:iam::<account>:role/<name>`). */
  readonly roleArn: string;
  /** Session name of the assumed-role principal. @default 'local-session' */
  readonly sessionName?: string;
  readonly principalTags?: Readonly<Record<string, string>>;
  /** `service:Action`, e.g. `s3:GetObject`. */
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource (same account as the role locally). */
  readonly resourceAccount: string;
  /** `aws:SecureTransport`: true when the request came over TLS. */
  readonly secureTransport: boolean;
  /** Service condition keys of the request (`s3:prefix`, ...). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface DecidingStatement {
  /** The policy (`<role>/<policy>` or `bucket-policy`). */
  readonly policy: string;
  /** The statement's Sid, or its 1-based position when it has none. */
  readonly statement: string;
  readonly effect: 'Allow' | 'Deny';
}

export interface IamDecision {
  readonly decision: Decision;
  /** The statements that decided: the denying ones for an explicit deny, the allowing ones otherwise (none when implicitly denied). */
  readonly statements: readonly DecidingStatement[];
}

/** Policies that apply to one request: the role's identity policies and the resource's policy. */
export interface RequestPolicies {
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy?: NamedPolicy;
}

/** The request could not be evaluated (a policy or input the simulator rejects): never an allow. */
class PolicyEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyEvaluationError';
  }
}

/** `arn:aws:sts::<account>:assumed-role/<role>/<session>`: the principal of a role session. */
export function assumedRoleArn(roleArn: string, sessionName: string): string {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m) throw new PolicyEvaluationError(`roleArn = ${JSON.stringify(roleArn)}: expected arn:aws:iam::<account>:role/<name>`);
  return `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${sessionName}`;
}

interface StatementAnalysis {
  readonly policyId?: string;
  readonly statement?: { index?(): number; sid?(): string | undefined };
  readonly explain?: { identifier?: string };
}

function statementsOf(
  list: readonly StatementAnalysis[] | undefined,
  effect: 'Allow' | 'Deny',
  nameOf: (policyId: string | undefined) => string,
): DecidingStatement[] {
  return (list ?? []).map((s) => ({
    policy: nameOf(s.policyId),
    statement: s.statement?.sid?.() ?? s.explain?.identifier ?? String(s.statement?.index?.() ?? '?'),
    effect,
  }));
}

const SEP = '\u0000';

function recordKey(r: Readonly<Record<string, string | readonly string[]>> | undefined): string {
  if (!r) return '';
  let out = '';
  for (const k of Object.keys(r).sort()) {
    const v = r[k];
    out += `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}\u0001`;
  }
  return out;
}

/**
 * The decision cache's key: every input of the simulation that can change the decision (role,
 * session name, principal tags, action, resource and its account, transport, the request's
 * condition keys, and which policies apply; the policies' documents are fixed for a running stack,
 * so their names stand for them). A request that differs in any of these is evaluated anew.
 */
function cacheKey(r: IamRequest, policies: RequestPolicies): string {
  return [
    r.roleArn,
    r.sessionName ?? '',
    recordKey(r.principalTags),
    r.action,
    r.resource,
    r.resourceAccount,
    String(r.secureTransport),
    recordKey(r.context),
    policies.identityPolicies.map((p) => p.name).join(SEP),
    policies.resourcePolicy?.name ?? '',
  ].join(SEP);
}

let simulatorModule: typeof import('@cloud-copilot/iam-simulate') | undefined;
/**
 * The simulator, loaded at the first evaluation: a local start whose IAM grants are cached
 * (local/graphql/iam-callers.ts) evaluates nothing until a signed request comes, and the library
 * is a large part of the start's module loading.
 */
function simulator(): typeof import('@cloud-copilot/iam-simulate') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (simulatorModule ??= require('@cloud-copilot/iam-simulate') as typeof import('@cloud-copilot/iam-simulate'));
}

/**
 * Evaluates requests; decisions are cached by their whole input (policies are fixed for a
 * running stack, so an input always gets the same answer), which keeps a warm request cheap.
 */
export class PolicyEvaluator {
  private readonly cache = new LRUCache<string, IamDecision>({ max: 20_000 });

  async evaluate(request: IamRequest, policies: RequestPolicies): Promise<IamDecision> {
    const key = cacheKey(request, policies);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const decision = await this.simulate(request, policies);
    this.cache.set(key, decision);
    return decision;
  }

  private async simulate(request: IamRequest, policies: RequestPolicies): Promise<IamDecision> {
    const tags = Object.fromEntries(Object.entries(request.principalTags ?? {}).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
    const policyNames = new Map<string, string>();
    const identityPolicies = policies.identityPolicies.map((p, i) => {
      policyNames.set(`identity-${i}`, p.name);
      return { name: `identity-${i}`, policy: p.document };
    });
    const principal = assumedRoleArn(request.roleArn, request.sessionName ?? 'local-session');
    const simulation = {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.resourcePolicy?.document,
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: {
          ...request.context,
          ...tags,
          'aws:SecureTransport': String(request.secureTransport),
          'aws:PrincipalArn': request.roleArn,
          'aws:PrincipalAccount': request.roleArn.split(':')[4],
        },
      },
    } as unknown as Simulation;
    const result = await simulator().runSimulation(simulation, {});
    if (result.resultType === 'error') {
      throw new PolicyEvaluationError(`IAM evaluation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`);
    }
    if (result.resultType !== 'single') {
      throw new PolicyEvaluationError(`IAM evaluation of ${request.action} on ${request.resource}: expected one resource, got a wildcard result`);
    }
    const analysis = result.result.analysis as unknown as Record<string, { allowStatements?: StatementAnalysis[]; denyStatements?: StatementAnalysis[] } | undefined>;
    const decision = result.overallResult;
    const pick = (kind: 'allowStatements' | 'denyStatements', effect: 'Allow' | 'Deny') => [
      ...statementsOf(analysis.identityAnalysis?.[kind], effect, (id) => policyNames.get(id ?? '') ?? String(id)),
      // The simulator gives the resource policy's statements no policy id: there is only one.
      ...statementsOf(analysis.resourceAnalysis?.[kind], effect, () => policies.resourcePolicy?.name ?? 'resource policy'),
    ];
    return {
      decision,
      statements: decision === 'ExplicitlyDenied' ? pick('denyStatements', 'Deny') : decision === 'Allowed' ? pick('allowStatements', 'Allow') : [],
    };
  }
}

/** One line for logs, errors and the explainer: `Allowed by <policy> statement <sid>`. */
export function describeDecision(d: IamDecision): string {
  if (d.decision === 'ImplicitlyDenied') return 'implicitly denied: no statement allows it';
  const verb = d.decision === 'Allowed' ? 'allowed' : 'explicitly denied';
  return `${verb} by ${d.statements.map((s) => `${s.policy} statement ${s.statement}`).join(', ')}`;
}
