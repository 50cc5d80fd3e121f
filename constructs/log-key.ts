import { Construct } from 'constructs';
import { Lazy } from 'cdktf';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AccountRef } from './arn-parts';
import { logGroupArn } from './arn-parts';

/** What CloudWatch Logs needs on the key to encrypt and read a log group (AWS's documented set). */
const LOGS_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'] as const;

export interface LogKeyProps {
  /** Key description, e.g. `content-prod log groups`. */
  readonly description: string;
  readonly region: string;
}

/**
 * The stack's one customer-managed KMS key for its CloudWatch log groups, rotated yearly.
 * The key policy lets CloudWatch Logs use it only for the log groups registered with
 * `allowLogGroup` (condition `kms:EncryptionContext:aws:logs:arn`), and leaves key
 * administration to IAM in the account (the default key policy statement).
 *
 * The policy is rendered at synth time (Lazy), so log groups created later in the tree are
 * still listed, and the account comes from `useAccount` (an ARN of the stack), not from a data
 * source that would need AWS during plan.
 */
export class LogKey extends Construct {
  readonly key: KmsKey;
  private readonly logGroupNames: string[] = [];
  private accountRef?: AccountRef;

  constructor(scope: Construct, id: string, private readonly props: LogKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: Lazy.stringValue({ produce: () => this.policy() }),
    });
  }

  /** Where the account id and partition come from (set once, before synth). */
  useAccount(ref: AccountRef): void {
    this.accountRef = ref;
  }

  /** Lets CloudWatch Logs use the key for the log group of this name; returns the key ARN for `kms_key_id`. */
  allowLogGroup(name: string): string {
    this.logGroupNames.push(name);
    return this.key.arn;
  }

  private policy(): string {
    const ref = this.accountRef;
    if (!ref) throw new Error(`${this.node.path}: useAccount() was never called, so the key policy has no account`);
    if (this.logGroupNames.length === 0) throw new Error(`${this.node.path}: no log group uses the key`);
    return JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          // The default key policy statement: IAM policies in this account decide who administers the key.
          Sid: 'AccountAdministersKeyThroughIam',
          Effect: 'Allow',
          Principal: { AWS: `arn:${ref.partition}:iam::${ref.account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'CloudWatchLogsForTheseLogGroupsOnly',
          Effect: 'Allow',
          Principal: { Service: `logs.${this.props.region}.amazonaws.com` },
          Action: [...LOGS_KEY_ACTIONS],
          Resource: '*',
          Condition: {
            ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': this.logGroupNames.map((n) => logGroupArn(ref, this.props.region, n)) },
          },
        },
      ],
    });
  }
}
