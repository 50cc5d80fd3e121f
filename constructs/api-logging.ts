import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { allowPolicy, serviceTrustPolicy } from './iam-documents';

export interface ApiLogRoleProps {
  /** IAM role name. */
  readonly roleName: string;
}

/**
 * The role AppSync writes its logs with. Created before the API (the API's `log_config` names
 * it); `writeTo` grants it the API's own log group once the API id is known.
 */
export class ApiLogRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ApiLogRoleProps) {
    super(scope, id);
    // No aws:SourceArn condition: the API's ARN depends on this role (log_config), a cycle.
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'AppSync writes the API logs',
      assumeRolePolicy: serviceTrustPolicy('appsync.amazonaws.com'),
    });
  }

  /**
   * Creates the API's log group (`/aws/appsync/apis/<apiId>`, the name AppSync writes to) with a
   * retention, and lets the role write only there. Terraform creates the group, so the role
   * needs no logs:CreateLogGroup and the logs do not live forever.
   */
  writeTo(apiId: string, retentionInDays: number): CloudwatchLogGroup {
    const group = new CloudwatchLogGroup(this, 'group', { name: `/aws/appsync/apis/${apiId}`, retentionInDays });
    new IamRolePolicy(this, 'policy', {
      name: 'write-api-logs',
      role: this.role.id,
      policy: allowPolicy([
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${group.arn}:*`] },
      ]),
    });
    return group;
  }
}
