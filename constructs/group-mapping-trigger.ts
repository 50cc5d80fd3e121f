import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { StackConfig } from '../config';
import { bundlePreTokenGeneration, LAMBDA_RUNTIME } from '../lambdas/pre-token-generation/bundle';
import type { GroupMappingSettings } from '../lambdas/pre-token-generation/handler';
import { lambdaArchive } from './code-asset';
import { allowPolicy, serviceTrustPolicy } from './iam-documents';
import { groupRoleName, resourceName } from './naming';

export interface GroupMappingTriggerProps {
  readonly config: StackConfig;
  /** The user attribute that carries the IdP groups, e.g. `custom:idp_groups`. */
  readonly attribute: string;
}

/** The settings the trigger runs with, from the config: every SAML IdP's allow-list. */
export function groupMappingSettings(config: StackConfig, attribute: string): GroupMappingSettings {
  return {
    mappings: Object.fromEntries(config.identityProviders.saml.map((s) => [s.name, s.groupMapping])),
    attribute,
    groupOrder: config.groups.map((g) => g.name),
    roleNames: Object.fromEntries(config.groups.map((g) => [g.name, groupRoleName(config, g.name)])),
  };
}

/** The function's environment variables: the settings as `settingsFromEnv` (handler.ts) reads them back. */
export function groupMappingEnvironment(settings: GroupMappingSettings): Record<string, string> {
  return {
    GROUP_MAPPINGS: JSON.stringify(settings.mappings),
    IDP_GROUPS_ATTRIBUTE: settings.attribute,
    GROUP_ORDER: JSON.stringify(settings.groupOrder),
    GROUP_ROLE_NAMES: JSON.stringify(settings.roleNames),
  };
}

/**
 * The pre-token-generation Lambda (V2 event) that maps allow-listed IdP groups into the
 * token's groups, with its own log group and a role that may only write to that log group.
 */
export class GroupMappingTrigger extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: GroupMappingTriggerProps) {
    super(scope, id);
    const { config } = props;
    const functionName = resourceName(config, 'pre-token-generation');

    // Created by Terraform rather than by Lambda on first run, so retention applies and the
    // role needs no logs:CreateLogGroup.
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: 30,
    });

    this.role = new IamRole(this, 'role', {
      name: functionName,
      assumeRolePolicy: serviceTrustPolicy('lambda.amazonaws.com'),
    });
    new IamRolePolicy(this, 'logs-policy', {
      name: 'write-own-logs',
      role: this.role.id,
      policy: allowPolicy([{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] }]),
    });

    const code = lambdaArchive(this, 'code', 'pre-token-generation', { 'index.js': bundlePreTokenGeneration() });
    this.function = new LambdaFunction(this, 'function', {
      functionName,
      description: 'Maps allow-listed IdP groups into Cognito token groups',
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: code.filename,
      sourceCodeHash: code.sourceCodeHash,
      memorySize: 128,
      timeout: 5,
      environment: { variables: groupMappingEnvironment(groupMappingSettings(config, props.attribute)) },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });
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
