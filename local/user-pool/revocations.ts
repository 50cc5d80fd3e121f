import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { UserFacingError } from '../../config/errors';

/**
 * The pool's one revocation record, as Cognito keeps it: every token of a sign-in carries the
 * sign-in's `origin_jti` (its refresh token too), and revoking the refresh token (`RevokeToken`,
 * the managed login's `/oauth2/revoke`) or signing the user out everywhere (`GlobalSignOut`,
 * `AdminUserGlobalSignOut`) records that `origin_jti`. Every server-side token check asks
 * `isRevoked` (the pool's access-token operations, `/oauth2/userInfo`, the identity pool's
 * server-side token check); AppSync does not (docs/appsync-cognito-semantics.md).
 *
 * Kept next to cognito-local's pool file (which holds the refresh tokens), as a small JSON file
 * written whole on each change, so a restart keeps revoked sign-ins revoked. An entry lives as
 * long as the refresh token it stands for could (its `exp`): after that no token of the sign-in is
 * valid anyway.
 */
export class TokenRevocations {
  /** origin_jti -> seconds since the epoch after which the entry is not needed. */
  private readonly revoked = new Map<string, number>();
  private readonly file: string;

  constructor(dataDir: string, private readonly now: () => Date) {
    this.file = path.join(dataDir, 'revoked-tokens.json');
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text !== undefined) {
      let saved: unknown;
      try {
        saved = JSON.parse(text);
      } catch (e) {
        saved = (e as Error).message;
      }
      if (typeof saved !== 'object' || saved === null || Array.isArray(saved) || Object.values(saved).some((v) => typeof v !== 'number')) {
        const problem = `${typeof saved === 'string' ? saved : 'not an object of numbers'}: expected the user pool's revoked sign-ins (origin_jti -> expiry seconds)`;
        throw new UserFacingError({ location: this.file, problem, fix: 'delete it or start with --reset' }, `${this.file}: ${problem}; delete it or start with --reset`);
      }
      for (const [jti, until] of Object.entries(saved as Record<string, number>)) this.revoked.set(jti, until);
    }
  }

  /** Records sign-ins as revoked (their origin_jti, and until when the entry matters). */
  revoke(entries: Iterable<{ originJti: string; until: number }>): void {
    const nowSeconds = this.now().getTime() / 1000;
    for (const { originJti, until } of entries) this.revoked.set(originJti, until);
    for (const [jti, until] of this.revoked) if (until < nowSeconds) this.revoked.delete(jti);
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.revoked)));
    renameSync(tmp, this.file);
  }

  /** Whether a (verified) token's sign-in was revoked or signed out. */
  isRevoked(claims: Readonly<Record<string, unknown>>): boolean {
    const jti = claims.origin_jti;
    return typeof jti === 'string' && this.revoked.has(jti);
  }
}

/** The claims of a JWT this pool signed, unverified (for tokens read back from the pool's own records). */
export function unverifiedClaims(jwt: string): Record<string, unknown> {
  try {
    const claims: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
