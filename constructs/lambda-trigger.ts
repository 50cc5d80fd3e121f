import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { bundleLambda, LAMBDA_RUNTIME } from '../lambdas/bundle';
import { lambdaArchive } from './code-asset';
import { AllowStatement, allowPolicy, serviceTrustPolicy, XRAY_WRITE_STATEMENT } from './iam-documents';
import type { LogKey } from './log-key';
import { LOG_RETENTION_DAYS, resourceName } from './naming';

export interface LambdaTriggerProps {
  /** `<project>-<environment>` (`namePrefix`): the function, role and log group are named `<namePrefix>-<lambda>`. */
  readonly namePrefix: string;
  /** The folder under `lambdas/` (bundled from its `handler.ts`), also the function name suffix, e.g. `pre-sign-up`. */
  readonly lambda: string;
  /** The function's description in the Lambda console. */
  readonly description: string;
  /** The function's environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** The stack's log key; the function's log group is encrypted with it. */
  readonly logKey: LogKey;
}

/**
 * A user-pool Lambda trigger: the esbuild bundle of `lambdas/<lambda>/handler.ts`, its own log
 * group, and its own role that may only write to that log group until `grant` adds more.
 */
export class LambdaTrigger extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: LambdaTriggerProps) {
    super(scope, id);
    const functionName = resourceName(props.namePrefix, props.lambda);

    // Created by Terraform rather than by Lambda on first run, so retention and encryption
    // apply and the role needs no logs:CreateLogGroup.
    const logGroupName = `/aws/lambda/${functionName}`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: logGroupName,
      retentionInDays: LOG_RETENTION_DAYS,
      kmsKeyId: props.logKey.allowLogGroup(logGroupName),
    });

    this.role = new IamRole(this, 'role', {
      name: functionName,
      assumeRolePolicy: serviceTrustPolicy('lambda.amazonaws.com'),
    });
    this.grant('logs-policy', 'write-own-logs', [
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
    ]);
    // X-Ray has no resource-level permissions for writing traces: its own policy, so the
    // function (Active tracing is refused without it) can wait for it alone.
    const tracingPolicy = this.grant('tracing-policy', 'write-traces', [XRAY_WRITE_STATEMENT]);

    const code = lambdaArchive(this, 'code', { 'index.js': bundleLambda(props.lambda) });
    this.function = new LambdaFunction(this, 'function', {
      functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: code.filename,
      sourceCodeHash: code.sourceCodeHash,
      memorySize: 128,
      timeout: 5,
      environment: { variables: { ...props.environment } },
      // The name, not a reference: the log group's key policy names the user pool's account,
      // and the pool depends on this function (a reference would be a cycle). The role cannot
      // create log groups, so nothing is logged anywhere else meanwhile.
      loggingConfig: { logFormat: 'JSON', logGroup: logGroupName },
      tracingConfig: { mode: 'Active' },
      dependsOn: [tracingPolicy],
    });
  }

  /**
   * Adds an inline policy to the function's role. A separate resource, not part of the role:
   * a grant on the user pool (which references the function) then makes no cycle.
   */
  grant(id: string, name: string, statements: readonly AllowStatement[]): IamRolePolicy {
    return new IamRolePolicy(this, id, { name, role: this.role.id, policy: allowPolicy(statements) });
  }

  /** Lets exactly this user pool invoke the function. */
  allowInvocationBy(userPoolArn: string): LambdaPermission {
    return new LambdaPermission(this, 'cognito-invoke', {
      statementId: 'AllowCognitoInvoke',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'cognito-idp.amazonaws.com',
      sourceArn: userPoolArn,
    });
  }
}
