/**
 * IAM policy documents as JSON strings, the form `aws_iam_role.assume_role_policy` and
 * `aws_iam_role_policy.policy` take. Written out (not `aws_iam_policy_document` data sources)
 * so the synthesized JSON shows the exact grant and tests can parse it.
 */

/** One IAM statement; every grant here is an Allow. */
export interface AllowStatement {
  /** Statement id, shown in the console and the access matrix. */
  readonly sid?: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/**
 * Writing X-Ray traces. AWS defines no resource types for these actions, so `*` is the only
 * resource they take; the compliance report's CKV_AWS_355 check lists them as the only
 * actions allowed on `*`.
 */
export const XRAY_WRITE_STATEMENT: AllowStatement = {
  sid: 'WriteTraces',
  actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  resources: ['*'],
};

/** A policy that allows exactly the given statements. */
export function allowPolicy(statements: readonly AllowStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: 'Allow',
      Action: [...s.actions],
      Resource: [...s.resources],
    })),
  });
}

/**
 * On whose behalf the service may assume the role (confused-deputy protection): one resource
 * (`sourceArn`), or, where the exact resource ARN would make a cycle, any resource matching
 * `sourceArnPattern` in `sourceAccount`.
 */
type OnBehalfOf = { readonly sourceArn: string } | { readonly sourceAccount: string; readonly sourceArnPattern: string };

function trustCondition(on: OnBehalfOf): Record<string, Record<string, string>> {
  return 'sourceArn' in on
    ? { ArnEquals: { 'aws:SourceArn': on.sourceArn } }
    : { StringEquals: { 'aws:SourceAccount': on.sourceAccount }, ArnLike: { 'aws:SourceArn': on.sourceArnPattern } };
}

/**
 * A trust policy that lets one AWS service (e.g. `appsync.amazonaws.com`) assume the role; with
 * `onBehalfOf`, only for those resources: another account's API naming this role cannot use it.
 */
export function serviceTrustPolicy(service: string, onBehalfOf?: OnBehalfOf): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(onBehalfOf ? { Condition: trustCondition(onBehalfOf) } : {}),
      },
    ],
  });
}
