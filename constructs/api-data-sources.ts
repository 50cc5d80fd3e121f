import { Construct } from 'constructs';
import { AppsyncDatasource } from '@cdktf/provider-aws/lib/appsync-datasource';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { allowPolicy, serviceTrustPolicy } from './iam-documents';

/**
 * The API's data sources by name. The names are a contract: resolver file names end in one of
 * them (`Query.articles.[articles].ts`) and the local mode emulates each by its type.
 */
export const DATA_SOURCES = {
  /** AMAZON_DYNAMODB: the articles table. */
  articles: 'articles',
  /** HTTP with SigV4: the user pool API (group membership). */
  cognito: 'cognito',
  /** NONE: resolvers that compute their answer (`me`, subscriptions). */
  none: 'none',
} as const;

export const DATA_SOURCE_NAMES: readonly string[] = Object.values(DATA_SOURCES);

/** What the article resolvers do; the table role allows exactly these (Query also on the indexes). */
export const ARTICLE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];

/** What the group-membership resolvers call on the user pool; nothing that changes users themselves. */
const USER_POOL_ACTIONS = [
  'cognito-idp:ListUsersInGroup',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminListGroupsForUser',
];

export interface ApiDataSourcesProps {
  readonly apiId: string;
  /** Scopes the data-source roles' trust to this API. */
  readonly apiArn: string;
  readonly region: string;
  readonly table: DynamodbTable;
  readonly userPoolArn: string;
  /** Prefix of the role names, e.g. `content-dev-api`. */
  readonly roleNamePrefix: string;
}

/** `articles`, `cognito` and `none`, each service-backed one with its own least-privilege role. */
export class ApiDataSources extends Construct {
  readonly articles: AppsyncDatasource;
  readonly cognito: AppsyncDatasource;
  readonly none: AppsyncDatasource;
  /** Every data source by its name (the names resolver files use). */
  readonly byName: Readonly<Record<string, AppsyncDatasource>>;

  constructor(scope: Construct, id: string, props: ApiDataSourcesProps) {
    super(scope, id);
    const { table } = props;

    const tableRole = this.role(props, DATA_SOURCES.articles, [
      { sid: 'ArticleItems', actions: ARTICLE_TABLE_ACTIONS, resources: [table.arn] },
      { sid: 'ArticleIndexes', actions: ['dynamodb:Query'], resources: [`${table.arn}/index/*`] },
    ]);
    this.articles = new AppsyncDatasource(this, DATA_SOURCES.articles, {
      apiId: props.apiId,
      name: DATA_SOURCES.articles,
      description: 'The articles table',
      type: 'AMAZON_DYNAMODB',
      serviceRoleArn: tableRole.arn,
      dynamodbConfig: { tableName: table.name, region: props.region },
    });

    const poolRole = this.role(props, DATA_SOURCES.cognito, [
      { sid: 'GroupMembership', actions: USER_POOL_ACTIONS, resources: [props.userPoolArn] },
    ]);
    this.cognito = new AppsyncDatasource(this, DATA_SOURCES.cognito, {
      apiId: props.apiId,
      name: DATA_SOURCES.cognito,
      description: 'The user pool API, signed with SigV4',
      type: 'HTTP',
      serviceRoleArn: poolRole.arn,
      httpConfig: {
        endpoint: `https://cognito-idp.${props.region}.amazonaws.com`,
        authorizationConfig: {
          authorizationType: 'AWS_IAM',
          awsIamConfig: { signingRegion: props.region, signingServiceName: 'cognito-idp' },
        },
      },
    });

    this.none = new AppsyncDatasource(this, DATA_SOURCES.none, {
      apiId: props.apiId,
      name: DATA_SOURCES.none,
      description: 'Computed answers',
      type: 'NONE',
    });
    this.byName = { [DATA_SOURCES.articles]: this.articles, [DATA_SOURCES.cognito]: this.cognito, [DATA_SOURCES.none]: this.none };
  }

  /** A role only this API can assume, allowed exactly `statements`. */
  private role(props: ApiDataSourcesProps, name: string, statements: Parameters<typeof allowPolicy>[0]): IamRole {
    const role = new IamRole(this, `${name}-role`, {
      name: `${props.roleNamePrefix}-${name}`,
      description: `AppSync data source '${name}'`,
      assumeRolePolicy: serviceTrustPolicy('appsync.amazonaws.com', { sourceArn: props.apiArn }),
    });
    new IamRolePolicy(this, `${name}-policy`, { name: `data-source-${name}`, role: role.id, policy: allowPolicy(statements) });
    return role;
  }
}
