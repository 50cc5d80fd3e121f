import { Construct } from 'constructs';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { StackConfig } from '../config';

export interface GraphqlApiProps {
  /** The environment's resolved config. */
  readonly config: StackConfig;
  /** The user pool that signs the API's tokens (default auth mode). */
  readonly userPoolId: string;
  /** The project's app client ids; the API's `app_id_client_regex` admits only these. */
  readonly appClientIds: readonly string[];
  /** Each group's identity-pool role, by group name (IAM callers of kind `group` are granted on these). */
  readonly groupRoles: Readonly<Record<string, IamRole>>;
  /** @default 'schema.graphql' */
  readonly schemaFile?: string;
  /** @default 'resolvers' */
  readonly resolversDir?: string;
}

/** The AppSync API: schema, auth, data sources, resolvers, logging, limits, WAF. (Being built.) */
export class GraphqlApi extends Construct {
  /** The GraphQL endpoint URL. */
  readonly graphqlUrl: string = '';
  /** The API id. */
  readonly apiId: string = '';
  constructor(scope: Construct, id: string, props: GraphqlApiProps) {
    super(scope, id);
    void props;
  }
}
