import { randomBytes } from 'node:crypto';
import type { Context, Router } from './cognito-local-adapter';
import type { DemoSignIn } from '../../config/types';
import type { LocalGroup, LocalPasswordPolicy } from '../stack-reader';
import { checkPasswordPolicy } from './protocol/password-policy';
import { newTotpSecret } from './protocol/totp';
import type { UserStore } from './protocol/user-store';

/**
 * The demo users' password. Local only: cognito-local keeps passwords in clear text in
 * `.local-data/cognito`, and nothing deployed knows this value. Printed on start.
 */
export const LOCAL_DEMO_PASSWORD = 'LocalPassw0rd!';

export interface DemoUserSpec {
  readonly email: string;
  readonly groups: readonly string[];
  /**
   * How the user is created (`DemoUserConfig.signIn`). Required here: the config resolution
   * fills the documented default (`'password'`, config/defaults.ts), so what a user can do never
   * rests on a default of this module.
   */
  readonly signIn: DemoSignIn;
}

export interface DemoUser extends DemoUserSpec {
  /** The user's `sub` (stable across restarts with the same data directory). */
  readonly sub: string;
  /** The Cognito username (the email, see pool-files.ts). */
  readonly username: string;
  /** The permanent password, once the user has one the local mode knows (not for a temporary-password user). */
  readonly password?: string;
  /** The admin-set temporary password while the user has not replaced it (FORCE_CHANGE_PASSWORD). */
  readonly temporaryPassword?: string;
  /** Base32 TOTP secret of a user with TOTP MFA set up by the local mode. */
  readonly totpSecret?: string;
}

/** Calls cognito-local targets in process: the same code the HTTP API runs, without HTTP. */
export class PoolDirectory {
  constructor(
    private readonly router: Router,
    private readonly ctx: Context,
    private readonly poolId: string,
    private readonly store: UserStore,
    private readonly now: () => Date
  ) {}

  private call<T = Record<string, unknown>>(target: string, req: Record<string, unknown>): Promise<T> {
    return this.router(target)(this.ctx, { UserPoolId: this.poolId, ...req }) as Promise<T>;
  }

  /**
   * Makes the pool's groups exactly the stack's groups. Existing groups are updated in place
   * (CreateGroup would drop their members); groups the stack no longer has are deleted.
   */
  async syncGroups(groups: readonly LocalGroup[]): Promise<void> {
    const { Groups: existing = [] } = await this.call<{ Groups?: { GroupName: string }[] }>('ListGroups', {});
    const have = new Set(existing.map((g) => g.GroupName));
    for (const g of groups) {
      const req = { GroupName: g.name, Description: g.description, Precedence: g.precedence };
      await this.call(have.has(g.name) ? 'UpdateGroup' : 'CreateGroup', req);
    }
    const wanted = new Set(groups.map((g) => g.name));
    for (const name of have) {
      if (!wanted.has(name)) await this.call('DeleteGroup', { GroupName: name });
    }
  }

  /**
   * Creates the demo users that do not exist yet: email as username, verified email, in their
   * configured groups, and by `signIn`: the permanent `password`; a temporary password
   * (FORCE_CHANGE_PASSWORD, as AdminCreateUser leaves a user); or the password plus TOTP MFA
   * set up with a new secret. Users that exist are left as they are (group or password changes
   * made through the API survive a restart), except that an expired temporary password is
   * issued anew, as an administrator would.
   */
  async ensureDemoUsers(users: readonly DemoUserSpec[], password: string, policy: LocalPasswordPolicy): Promise<DemoUser[]> {
    const out: DemoUser[] = [];
    for (const u of users) {
      let existing = await this.store.user(u.email);
      if (!existing) {
        await this.call('AdminCreateUser', {
          Username: u.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: u.email },
            { Name: 'email_verified', Value: 'true' },
          ],
        });
        await this.setUpSignIn(u, password, policy);
        for (const group of u.groups) {
          await this.call('AdminAddUserToGroup', { Username: u.email, GroupName: group });
        }
        existing = await this.store.user(u.email);
      } else if (
        existing.status === 'FORCE_CHANGE_PASSWORD' &&
        this.now().getTime() - existing.passwordSetAt.getTime() > policy.temporaryPasswordValidityDays * 86_400_000
      ) {
        await this.call('AdminSetUserPassword', { Username: u.email, Password: temporaryPassword(policy), Permanent: false });
        existing = await this.store.user(u.email);
      }
      if (!existing) throw new Error(`demo user ${u.email} was not created in pool ${this.poolId}`);
      const temporary = existing.status === 'FORCE_CHANGE_PASSWORD';
      out.push({
        ...u,
        username: existing.username,
        sub: existing.sub,
        ...(temporary ? { temporaryPassword: existing.password } : existing.password === password ? { password } : {}),
        ...(existing.totp?.verified && existing.mfaMethods.includes('SOFTWARE_TOKEN_MFA') ? { totpSecret: existing.totp.secret } : {}),
      });
    }
    return out;
  }

  /** A new user's credentials, by `signIn`; a value outside `DemoSignIn` (an untyped caller) is refused. */
  private async setUpSignIn(u: DemoUserSpec, password: string, policy: LocalPasswordPolicy): Promise<void> {
    const signIn: DemoSignIn = u.signIn;
    switch (signIn) {
      case 'temporaryPassword':
        await this.call('AdminSetUserPassword', { Username: u.email, Password: temporaryPassword(policy), Permanent: false });
        return;
      case 'password':
        await this.call('AdminSetUserPassword', { Username: u.email, Password: password, Permanent: true });
        return;
      case 'totp':
        await this.call('AdminSetUserPassword', { Username: u.email, Password: password, Permanent: true });
        await this.store.updateUser(u.email, {
          totp: { secret: newTotpSecret(), verified: true, friendlyDeviceName: 'local demo' },
          mfaMethods: ['SOFTWARE_TOKEN_MFA'],
          preferredMfa: 'SOFTWARE_TOKEN_MFA',
        });
        return;
      default: {
        const unknown: never = signIn;
        throw new Error(`demo user ${u.email}: signIn ${JSON.stringify(unknown)} is not one of password, temporaryPassword, totp`);
      }
    }
  }
}

/** A random temporary password the pool's policy accepts (lower, upper, digit, symbol, long enough). */
function temporaryPassword(policy: LocalPasswordPolicy): string {
  const core = randomBytes(Math.max(policy.minimumLength, 12)).toString('hex').slice(0, Math.max(policy.minimumLength - 4, 8));
  const pw = `Tmp${core}9!`;
  checkPasswordPolicy(policy, pw);
  return pw;
}
