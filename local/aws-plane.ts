import * as path from 'node:path';
import { CredentialStore } from './credentials/credential-store';
import { SigV4Verifier } from './credentials/sigv4';
import { StackAuthorizer } from './iam/stack-authorizer';
import { readStackIam, type StackIam } from './iam/stack-iam';
import { startIdentityPool, type IdentityPoolEmulator } from './identity-pool';
import { IDENTITY_POOL_DIR } from './identity-pool/openid-token';
import { ensureLocalTls } from './graphql/tls';
import type { IamCallerOutput } from './outputs';
import { ObjectStore } from './s3/object-store';
import { startS3Server, type S3Endpoint } from './s3/server';
import { bucketVirtualHost } from './s3/virtual-host';
import { seedContent } from './s3/seed-content';
import type { LocalStack } from './stack-reader';
import type { UserPoolEmulator } from './user-pool';

/**
 * The local AWS-credentials plane: the stack's IAM documents, the credential store, the
 * identity pool that mints credentials and the SigV4 verifier and policy authorizer the
 * local services use. Started by local-mode.ts after the user pool.
 */
export interface AwsPlane {
  readonly iam: StackIam;
  readonly credentials: CredentialStore;
  readonly sigv4: SigV4Verifier;
  readonly authorizer: StackAuthorizer;
  readonly identityPool?: IdentityPoolEmulator;
  readonly s3?: S3Endpoint;
  /** Credentials of the stack's IAM callers of the API (minted at start). */
  readonly iamCallers: readonly IamCallerOutput[];
  /** Admits more browser origins on the identity pool and S3 (the local page's). */
  allowOrigins(origins: Iterable<string>): void;
  close(): Promise<void>;
}

export interface AwsPlaneOptions {
  readonly stack: LocalStack;
  readonly userPool: Pick<UserPoolEmulator, 'endpoint' | 'poolId' | 'region' | 'jwksUri' | 'users' | 'revocation'> & { readonly managedLoginIssuer?: string };
  readonly dataDir: string;
  readonly host: string;
  readonly ports: { readonly identityPool: number; readonly s3: number };
  /** The local TLS folder (local/graphql/tls.ts): S3 is served over https with it. */
  readonly tlsDir: string;
  /** Browser origins that may call the identity pool and S3 (the app origins). @default [] */
  readonly allowedOrigins?: readonly string[];
}

/**
 * The names the local certificate must carry for this plane beyond 127.0.0.1/localhost: the
 * content bucket's virtual host. local-mode.ts asks for them at its first ensureLocalTls, so
 * every local server starts with the one certificate (a later call asking for more would make a
 * new CA under servers already serving the old one).
 */
export function awsPlaneTlsNames(stack: Pick<LocalStack, 'source'>, iam: StackIam = readStackIam(stack.source)): string[] {
  const host = iam.bucket && bucketVirtualHost(iam.bucket.name);
  return host ? [host] : [];
}

/** Folders the plane keeps below the data dir (for --reset). */
export const AWS_PLANE_SUBDIRS = [IDENTITY_POOL_DIR, 's3'];

export async function startAwsPlane(o: AwsPlaneOptions): Promise<AwsPlane> {
  const iam = readStackIam(o.stack.source);
  const credentials = new CredentialStore();
  const sigv4 = new SigV4Verifier(credentials);
  const identityPool = iam.identityPool
    ? await startIdentityPool({
        pool: iam.identityPool,
        region: o.stack.region,
        groups: o.stack.userPool.groups,
        userPool: o.userPool,
        credentials,
        dataDir: path.join(o.dataDir, IDENTITY_POOL_DIR),
        stackSource: o.stack.source,
        allowedOrigins: o.allowedOrigins,
        host: o.host,
        port: o.ports.identityPool,
        sigv4,
        // server_side_token_check: the token's sign-in must not be revoked or signed out, and the
        // user must still exist and be enabled in the pool (read in process from the pool's
        // revocation record and store, what AdminGetUser reads, without an HTTP round trip).
        serverSideCheck: async (claims) => {
          if (o.userPool.revocation.isRevoked(claims)) throw new Error('Token has been revoked.');
          const username = String(claims['cognito:username'] ?? '');
          const user = await o.userPool.users.user(username);
          if (!user) throw new Error(`the user ${username} is not in the pool`);
          if (!user.enabled) throw new Error(`the user ${username} is disabled`);
        },
      })
    : undefined;
  const authorizer = new StackAuthorizer(iam);
  let s3: S3Endpoint | undefined;
  try {
    if (iam.bucket) {
      const store = new ObjectStore(path.join(o.dataDir, 's3'), iam.bucket.name);
      if (store.created) seedContent(store);
      s3 = await startS3Server({
        bucket: iam.bucket.name,
        bucketArn: iam.bucket.arn,
        region: o.stack.region,
        store,
        sigv4,
        authorizer,
        tls: await ensureLocalTls(o.tlsDir, console.warn, awsPlaneTlsNames(o.stack, iam)),
        host: o.host,
        port: o.ports.s3,
        corsOrigins: o.allowedOrigins ?? [],
      });
    }
  } catch (e) {
    await identityPool?.close();
    throw e;
  }
  // IAM callers are backend roles: their sessions last the role's maximum (12 h at most).
  const iamCallers = iam.iamCallers.map((c) => {
    const role = authorizer.role(c.roleArn);
    const session = credentials.mint({ roleArn: c.roleArn, sessionName: c.name, durationSeconds: Math.max(900, Math.min(role?.maxSessionDuration ?? 3600, 43_200)) });
    return {
      name: c.name,
      roleArn: c.roleArn,
      credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
    };
  });
  return {
    iam,
    credentials,
    sigv4,
    authorizer,
    identityPool,
    s3,
    iamCallers,
    allowOrigins: (origins) => {
      const list = [...origins];
      identityPool?.allowOrigins(list);
      s3?.allowOrigins(list);
    },
    close: async () => {
      await s3?.close();
      await identityPool?.close();
    },
  };
}
