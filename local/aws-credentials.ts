/**
 * The AWS credentials of the local mode, written out once. The local emulators (DynamoDB, the
 * user pool) ignore signatures, but the AWS SDK and SigV4 signing refuse to run without
 * credentials: every local client signs with these dummy ones, never with real keys.
 */

/** Credentials as the AWS SDK v3 and @smithy/signature-v4 take them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What every local client signs with. */
export const LOCAL_AWS_CREDENTIALS: AwsCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
