import { PolicyEvaluator, type IamDecision } from './evaluator';
import type { StackIam, StackRole } from './stack-iam';

/** What a signed request asks for, with the caller's session (local/credentials). */
export interface StackRequest {
  readonly roleArn: string;
  readonly principalTags: Readonly<Record<string, string>>;
  readonly sessionName?: string;
  readonly action: string;
  readonly resource: string;
  readonly secureTransport: boolean;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * Authorizes requests against the synthesized stack: the caller role's inline policies as
 * identity policies and, for the content bucket and its objects, the bucket policy as the
 * resource policy. A role the stack does not define is implicitly denied (no policy grants it).
 */
export class StackAuthorizer {
  private readonly rolesByArn: ReadonlyMap<string, StackRole>;

  constructor(readonly iam: StackIam, private readonly evaluator = new PolicyEvaluator()) {
    this.rolesByArn = new Map(iam.roles.map((r) => [r.arn, r]));
  }

  role(arn: string): StackRole | undefined {
    return this.rolesByArn.get(arn);
  }

  async authorize(r: StackRequest): Promise<IamDecision> {
    const role = this.rolesByArn.get(r.roleArn);
    if (!role) return { decision: 'ImplicitlyDenied', statements: [] };
    const bucket = this.iam.bucket;
    const onBucket = bucket !== undefined && (r.resource === bucket.arn || r.resource.startsWith(`${bucket.arn}/`));
    return this.evaluator.evaluate(
      {
        roleArn: r.roleArn,
        sessionName: r.sessionName,
        principalTags: r.principalTags,
        action: r.action,
        resource: r.resource,
        resourceAccount: this.iam.accountId,
        secureTransport: r.secureTransport,
        context: r.context,
      },
      { identityPolicies: role.policies, resourcePolicy: onBucket ? bucket.policy : undefined },
    );
  }
}
