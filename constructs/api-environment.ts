import { Construct } from 'constructs';
import { DataResource } from 'cdktf';
import type { ResolvedConfig } from '../config';

/**
 * The values of the API's environment variables: the pool the `cognito` data source acts on,
 * the configured groups (group changes are refused for any other) and the row-rule group lists
 * of `config.api.groupVariables`. The local mode and the resolver tests use the same values.
 */
export function apiEnvironmentVariables(config: ResolvedConfig, userPoolId: string): Record<string, string> {
  return {
    USER_POOL_ID: userPoolId,
    CONFIGURED_GROUPS: config.groups.map((g) => g.name).join(','),
    ...Object.fromEntries(Object.entries(config.api.groupVariables).map(([name, groups]) => [name, groups.join(',')])),
  };
}

export interface ApiEnvironmentProps {
  readonly apiId: string;
  readonly region: string;
  /** Name -> value; values may be Terraform references (the user pool id). */
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * The API's environment variables (`ctx.env` in resolvers).
 *
 * hashicorp/aws 5.100.0, the newest provider this project can plan with, has no
 * `environment_variables` on `aws_appsync_graphql_api`, so a `terraform_data` resource sets them
 * through AppSync's PutGraphqlApiEnvironmentVariables API with the AWS CLI when it is created,
 * and is replaced (the call runs again) whenever the API id or a value changes. Apply therefore
 * needs the AWS CLI (v2.15.30+ / v1.32.68+) with the deployer's credentials; plan does not.
 *
 * The local mode reads the variables from this resource's `input.variables`.
 */
export class ApiEnvironment extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: ApiEnvironmentProps) {
    super(scope, id);
    const input = { api_id: props.apiId, region: props.region, variables: { ...props.variables } };
    this.resource = new DataResource(this, 'variables', {
      input,
      triggersReplace: input,
      provisioners: [
        {
          type: 'local-exec',
          // Values reach the shell only as environment variables: nothing from the config is parsed as shell.
          command:
            'aws appsync put-graphql-api-environment-variables --region "$REGION" --api-id "$API_ID" --environment-variables "$VARIABLES" >/dev/null',
          environment: {
            REGION: '${self.input.region}',
            API_ID: '${self.input.api_id}',
            VARIABLES: '${jsonencode(self.input.variables)}',
          },
        },
      ],
    });
  }
}
