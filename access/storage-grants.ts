import type { StorageAudience, StorageRule } from '../config/types';
import type { IdentityRole } from './role-mapping';

/** Prefixes of the content bucket one identity-pool role may read and write. */
export interface StorageGrants {
  /** Prefixes as configured; `{owner}` stands for the caller's own `sub` principal tag. */
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** Does this audience include the role? 'authenticated' and 'owner' reach every signed-in role. */
function admits(audience: StorageAudience | undefined, role: IdentityRole): boolean {
  if (audience === undefined) return false;
  if (audience === 'authenticated' || audience === 'owner') return true;
  return role.kind === 'group' && audience.groups.includes(role.group);
}

/**
 * The storage prefixes a role's policy grants, derived from `config.storage.rules`. The
 * one derivation: the content-store construct writes the role policies from it and the
 * explainer and the access matrix show it. No role (credentials denied): nothing.
 */
export function storageGrantsFor(rules: readonly StorageRule[], role: IdentityRole | null): StorageGrants {
  if (!role) return { read: [], write: [] };
  return {
    read: rules.filter((r) => admits(r.read, role)).map((r) => r.prefix),
    write: rules.filter((r) => admits(r.write, role)).map((r) => r.prefix),
  };
}
