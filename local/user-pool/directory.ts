import type { Router } from 'cognito-local/lib/server/Router';
import type { Context } from 'cognito-local/lib/services/context';
import type { LocalGroup } from '../stack-reader';

/**
 * The demo users' password. Local only: cognito-local keeps passwords in clear text in
 * `.local-data/cognito`, and nothing deployed knows this value. Printed on start.
 */
export const LOCAL_DEMO_PASSWORD = 'LocalPassw0rd!';

export interface DemoUserSpec {
  readonly email: string;
  readonly groups: readonly string[];
}

export interface DemoUser extends DemoUserSpec {
  /** The user's `sub` (stable across restarts with the same data directory). */
  readonly sub: string;
  /** The Cognito username (the email, see pool-files.ts). */
  readonly username: string;
}

/** Calls cognito-local targets in process: the same code the HTTP API runs, without HTTP. */
export class PoolDirectory {
  constructor(private readonly router: Router, private readonly ctx: Context, private readonly poolId: string) {}

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
   * Creates the demo users that do not exist yet: email as username, verified email, a
   * permanent password (no NEW_PASSWORD_REQUIRED), in their configured groups. Users that
   * exist are left as they are, so group changes made through the API survive a restart.
   */
  async ensureDemoUsers(users: readonly DemoUserSpec[], password: string): Promise<DemoUser[]> {
    const out: DemoUser[] = [];
    for (const u of users) {
      let sub = await this.subOf(u.email);
      if (sub === undefined) {
        await this.call('AdminCreateUser', {
          Username: u.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: u.email },
            { Name: 'email_verified', Value: 'true' },
          ],
        });
        await this.call('AdminSetUserPassword', { Username: u.email, Password: password, Permanent: true });
        for (const group of u.groups) {
          await this.call('AdminAddUserToGroup', { Username: u.email, GroupName: group });
        }
        sub = await this.subOf(u.email);
      }
      out.push({ ...u, username: u.email, sub: sub as string });
    }
    return out;
  }

  private async subOf(username: string): Promise<string | undefined> {
    try {
      const user = await this.call<{ UserAttributes?: { Name: string; Value: string }[] }>('AdminGetUser', { Username: username });
      return user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (e) {
      if ((e as { code?: string }).code === 'UserNotFoundException') return undefined;
      throw e;
    }
  }
}
