import { Construct } from 'constructs';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketCorsConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-cors-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { StorageRule } from '../config';
import type { IdentityRole } from '../access/role-mapping';
import { storageGrantsFor, type StorageGrants } from '../access/storage-grants';
import { OWNER_TAG } from './identity-access';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import type { AccountRef } from './arn-parts';
import { LOG_RETENTION_DAYS, resourceName } from './naming';

/**
 * A prefix as an IAM resource pattern: `{owner}` becomes the caller's principal tag,
 * escaped (`$${...}`) so Terraform leaves the IAM policy variable alone.
 */
function iamPrefix(prefix: string): string {
  // A replacer function: in a replacement string `$$` would collapse to `$`.
  return prefix.replace('{owner}', () => `$\${aws:PrincipalTag/${OWNER_TAG}}`);
}

/** The IAM policy document for one role's grants on a bucket, or undefined when it has none. */
function storagePolicy(bucketArn: string, grants: StorageGrants): string | undefined {
  const statements: object[] = [];
  if (grants.read.length > 0) {
    statements.push(
      { Sid: 'ReadObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: grants.read.map((p) => `${bucketArn}/${iamPrefix(p)}*`) },
      {
        Sid: 'ListReadablePrefixes',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': grants.read.map((p) => `${iamPrefix(p)}*`) } },
      },
    );
  }
  if (grants.write.length > 0) {
    statements.push({
      Sid: 'WriteObjects',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: grants.write.map((p) => `${bucketArn}/${iamPrefix(p)}*`),
    });
  }
  return statements.length > 0 ? JSON.stringify({ Version: '2012-10-17', Statement: statements }) : undefined;
}

/** Origins of the web client's callback URLs: the pages that may call the bucket from a browser. */
export function webOrigins(callbackUrls: readonly string[]): string[] {
  return [...new Set(callbackUrls.map((u) => new URL(u).origin))];
}

export interface ContentStoreProps {
  /** `<project>-<environment>`: the buckets' name prefixes. */
  readonly namePrefix: string;
  /** Who may read and write below which prefix (`config.storage.rules`). */
  readonly rules: readonly StorageRule[];
  /** Browser origins CORS admits (`webOrigins` of the web client's callback URLs); at least one. */
  readonly corsOrigins: readonly string[];
  /** The identity pool's default authenticated role. */
  readonly authenticatedRole: IamRole;
  /** Each group's identity-pool role, by group name. */
  readonly groupRoles: Readonly<Record<string, IamRole>>;
  /** The stack's account: S3 log delivery is accepted only on behalf of this account's bucket. */
  readonly account: AccountRef;
}

/** Days the access logs are kept (the same year as the log groups). */
const ACCESS_LOG_DAYS = LOG_RETENTION_DAYS;
/** Where in the log bucket S3 writes the content bucket's access logs. */
const ACCESS_LOG_PREFIX = 'content-assets/';

/** A bucket policy statement refusing every request that does not use TLS. */
function denyInsecureTransport(bucketArn: string): object {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * The content assets bucket (private, SSE-KMS, versioned, TLS only, access-logged) with its
 * log bucket, and each identity-pool role's S3 permissions, derived from `config.storage.rules`.
 */
export class ContentStore extends Construct {
  readonly bucket: S3Bucket;
  /** Receives the content bucket's server access logs. */
  readonly logBucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ContentStoreProps) {
    super(scope, id);
    if (props.corsOrigins.length === 0) {
      throw new Error('ContentStore: corsOrigins = []: expected at least one browser origin (the web client\'s callback URL origins)');
    }
    const { namePrefix } = props;

    this.bucket = new S3Bucket(this, 'bucket', { bucketPrefix: `${resourceName(namePrefix, 'assets')}-` });
    const bucket = this.bucket.id;
    new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    // SSE-KMS with the account's AWS managed key for S3 (aws/s3): its key policy already lets
    // principals of this account use it through S3, so the storage grants need no KMS
    // statements; the bucket key keeps the KMS request count (and cost) low.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'tidy-up',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          // Overwritten or deleted objects stay restorable for 90 days, then go.
          noncurrentVersionExpiration: [{ noncurrentDays: 90 }],
        },
      ],
      dependsOn: [versioning],
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [denyInsecureTransport(this.bucket.arn)] }),
    });
    this.logBucket = this.createLogBucket(namePrefix, props.account);
    new S3BucketLoggingA(this, 'access-logging', { bucket, targetBucket: this.logBucket.id, targetPrefix: ACCESS_LOG_PREFIX });
    new S3BucketCorsConfiguration(this, 'cors', {
      bucket,
      corsRule: [
        {
          allowedOrigins: [...props.corsOrigins],
          allowedMethods: ['GET', 'HEAD', 'PUT', 'DELETE'],
          allowedHeaders: ['*'],
          exposeHeaders: ['ETag'],
          maxAgeSeconds: 3000,
        },
      ],
    });

    // The grants come from the access model's derivation, so the matrix shows what is deployed.
    const roles: [string, IdentityRole, IamRole][] = [
      ['authenticated', { kind: 'authenticated' }, props.authenticatedRole],
      ...Object.entries(props.groupRoles).map(([group, role]): [string, IdentityRole, IamRole] => [group, { kind: 'group', group }, role]),
    ];
    // One inline S3 policy per role that has storage grants.
    for (const [key, identityRole, role] of roles) {
      const policy = storagePolicy(this.bucket.arn, storageGrantsFor(props.rules, identityRole));
      if (policy) new IamRolePolicy(this, `policy-${key}`, { name: 'content-assets', role: role.id, policy });
    }
  }

  /**
   * The bucket S3 writes the content bucket's access logs to: private, owner-enforced, SSE-S3
   * (S3 cannot deliver access logs to an SSE-KMS bucket), TLS only, versioned, logs expire
   * after a year. Only the S3 logging service may write, only under the log prefix and only
   * for the content bucket of this account.
   */
  private createLogBucket(namePrefix: string, account: AccountRef): S3Bucket {
    const logBucket = new S3Bucket(this, 'log-bucket', { bucketPrefix: `${resourceName(namePrefix, 'access-logs')}-` });
    const bucket = logBucket.id;
    new S3BucketOwnershipControls(this, 'log-ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketPublicAccessBlock(this, 'log-public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'log-encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const versioning = new S3BucketVersioningA(this, 'log-versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketLifecycleConfiguration(this, 'log-lifecycle', {
      bucket,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: ACCESS_LOG_DAYS }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [versioning],
    });
    new S3BucketPolicy(this, 'log-policy', {
      bucket,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          denyInsecureTransport(logBucket.arn),
          {
            Sid: 'S3LogDeliveryForTheContentBucket',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `${logBucket.arn}/${ACCESS_LOG_PREFIX}*`,
            Condition: {
              ArnLike: { 'aws:SourceArn': this.bucket.arn },
              StringEquals: { 'aws:SourceAccount': account.account },
            },
          },
        ],
      }),
    });
    return logBucket;
  }
}
