import { randomBytes } from 'node:crypto';

/**
 * Temporary AWS credentials minted by the local mode (what STS returns to the identity pool
 * and to IAM callers): an `ASIA...` access key id, a secret, a session token and an expiry,
 * bound to the role ARN and principal tags of the session. Local services look a request's
 * key up here, recompute its signature with the secret (local/credentials/sigv4.ts) and
 * authorize it as the bound role. Kept in memory: a restart invalidates them, as clients
 * expect of temporary credentials (they fetch new ones).
 */

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface CredentialSession extends LocalCredentials {
  readonly roleArn: string;
  /** `aws:PrincipalTag/<key>` values of the session. */
  readonly principalTags: Readonly<Record<string, string>>;
  /** The assumed-role session name (`CognitoIdentityCredentials` for identity-pool sessions). */
  readonly sessionName: string;
  /** The identity-pool identity, when the session came from one. */
  readonly identityId?: string;
}

export interface MintOptions {
  readonly roleArn: string;
  readonly principalTags?: Readonly<Record<string, string>>;
  readonly sessionName: string;
  readonly identityId?: string;
  /** Lifetime in seconds. @default 3600 (the identity pool's, and the roles' max_session_duration) */
  readonly durationSeconds?: number;
}

/** Why a key cannot be used (mapped to each service's own error shape by the caller). */
export type CredentialProblem = 'UnknownKey' | 'MissingToken' | 'BadToken' | 'Expired';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const KEY_BYTES = 16;
const SECRET_BYTES = 30;
const TOKEN_BYTES = 96;
const PER_SESSION = KEY_BYTES + SECRET_BYTES + TOKEN_BYTES;

/**
 * Random bytes for sessions, drawn from the OS 256 sessions at a time: one randomBytes call per
 * mint costs more than the rest of GetCredentialsForIdentity. Each session's bytes are used once.
 */
class RandomPool {
  private pool = Buffer.alloc(0);
  private at = 0;

  take(n: number): Buffer {
    if (this.at + n > this.pool.length) {
      this.pool = randomBytes(n * 256);
      this.at = 0;
    }
    const out = this.pool.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

function accessKeyId(bytes: Buffer): string {
  let id = 'ASIA';
  for (const b of bytes) id += KEY_ALPHABET[b % 32];
  return id;
}

export class CredentialStore {
  private readonly sessions = new Map<string, CredentialSession>();
  private readonly random = new RandomPool();
  private minted = 0;

  constructor(private readonly now: () => number = Date.now) {}

  mint(o: MintOptions): CredentialSession {
    const duration = o.durationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw new Error(`durationSeconds = ${duration}: expected an integer from 900 to 43200 (STS's range)`);
    }
    const bytes = this.random.take(PER_SESSION);
    const session: CredentialSession = {
      accessKeyId: accessKeyId(bytes.subarray(0, KEY_BYTES)),
      secretAccessKey: bytes.subarray(KEY_BYTES, KEY_BYTES + SECRET_BYTES).toString('base64'),
      sessionToken: bytes.subarray(KEY_BYTES + SECRET_BYTES).toString('base64'),
      // AWS reports expiry in whole seconds.
      expiration: new Date(Math.floor(this.now() / 1000) * 1000 + duration * 1000),
      roleArn: o.roleArn,
      principalTags: { ...(o.principalTags ?? {}) },
      sessionName: o.sessionName,
      identityId: o.identityId,
    };
    this.sessions.set(session.accessKeyId, session);
    // Clients fetch new credentials often (aws-amplify before each expiry): drop expired sessions
    // now and then so that a long-running local mode does not keep every session ever minted.
    if (++this.minted % 1000 === 0) {
      for (const [key, s] of this.sessions) if (s.expiration.getTime() <= this.now()) this.sessions.delete(key);
    }
    return session;
  }

  /** The session of a key if the token matches and it has not expired; otherwise why not. */
  lookup(accessKeyId: string, sessionToken: string | undefined): CredentialSession | CredentialProblem {
    const session = this.sessions.get(accessKeyId);
    if (!session) return 'UnknownKey';
    if (sessionToken === undefined || sessionToken === '') return 'MissingToken';
    if (sessionToken !== session.sessionToken) return 'BadToken';
    if (session.expiration.getTime() <= this.now()) {
      this.sessions.delete(accessKeyId);
      return 'Expired';
    }
    return session;
  }
}
