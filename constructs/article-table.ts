import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { resourceName } from './naming';

/**
 * Key and index names of the articles table. A contract: the resolvers (resolvers/lib/articles.ts)
 * query these names and the local mode creates its emulated table from the synthesized one.
 */
export const ARTICLE_TABLE = {
  /** Partition key (S): the article id. */
  hashKey: 'id',
  /** Lists articles of one status, newest first. */
  statusIndex: { name: 'byStatus', hashKey: 'status', rangeKey: 'createdAt' },
} as const;

/** The table's key attributes (all strings), as it declares them. */
export const ARTICLE_TABLE_ATTRIBUTES = [ARTICLE_TABLE.hashKey, ARTICLE_TABLE.statusIndex.hashKey, ARTICLE_TABLE.statusIndex.rangeKey].map(
  (name) => ({ name, type: 'S' as const }),
);

export interface ArticleTableProps {
  /** `<project>-<environment>`: the table is `<namePrefix>-articles`. */
  readonly namePrefix: string;
  /** Deletion protection in AWS and `prevent_destroy` in Terraform (the environment's `deletionProtection`). */
  readonly deletionProtection: boolean;
}

/**
 * The articles table: on demand, point-in-time recovery, encrypted with the AWS-managed KMS key,
 * and (per `deletionProtection`) protected both in AWS and by `prevent_destroy`.
 */
export class ArticleTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: ArticleTableProps) {
    super(scope, id);
    const index = ARTICLE_TABLE.statusIndex;
    this.table = new DynamodbTable(this, 'table', {
      name: resourceName(props.namePrefix, 'articles'),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: ARTICLE_TABLE.hashKey,
      attribute: ARTICLE_TABLE_ATTRIBUTES,
      globalSecondaryIndex: [{ name: index.name, hashKey: index.hashKey, rangeKey: index.rangeKey, projectionType: 'ALL' }],
      pointInTimeRecovery: { enabled: true },
      // Enabled without a key ARN = the AWS-managed key (aws/dynamodb), visible in CloudTrail.
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection,
      lifecycle: { preventDestroy: props.deletionProtection },
    });
  }
}
