import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Identity ids (`<region>:<uuid>`) per provider user, kept in `<dataDir>/identities.json` so a
 * user gets the same identity id after a restart, as with the deployed pool. Written to a
 * temporary file and renamed, so a crash never leaves half a file.
 */
export class IdentityStore {
  private readonly file: string;
  private readonly byLogin: Map<string, string>;
  private readonly logins = new Map<string, string>();

  constructor(dataDir: string, private readonly region: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'identities.json');
    let saved: Record<string, string> = {};
    if (existsSync(this.file)) {
      try {
        saved = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
      } catch (e) {
        throw new Error(`${this.file}: ${(e as Error).message}: expected the identity pool's saved ids (a JSON object); delete it or start with --reset`);
      }
    }
    this.byLogin = new Map(Object.entries(saved));
    for (const [login, id] of this.byLogin) this.logins.set(id, login);
  }

  /** The identity id of `<provider>/<sub>`, created on first use. */
  idFor(provider: string, sub: string): string {
    const login = `${provider}/${sub}`;
    let id = this.byLogin.get(login);
    if (!id) {
      id = `${this.region}:${randomUUID()}`;
      this.byLogin.set(login, id);
      this.logins.set(id, login);
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(Object.fromEntries(this.byLogin), null, 2)}\n`);
      renameSync(tmp, this.file);
    }
    return id;
  }

  /** The `<provider>/<sub>` an identity belongs to, if it exists. */
  loginOf(identityId: string): string | undefined {
    return this.logins.get(identityId);
  }
}
