import { TerraformResource, TerraformStack } from 'cdktf';
import { UserFacingError } from '../config/errors';
import type { MovedEntry } from './moved';

/** A moved entry that cannot apply; synth stops with its message before writing anything. */
export class MovedEntryError extends UserFacingError {
  /** @param where the entry (`addresses/moved.ts: MOVED[<i>] ...`); @param problem what is wrong with it and what was expected. */
  constructor(where: string, problem: string) {
    super({ location: where, problem });
  }
}

/** Where the entries live, for error messages. */
export const MOVED_FILE = 'addresses/moved.ts';

const ADDRESS = /^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/;

/** `<type>.<logical id>` of a resource of the stack. */
function addressOf(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/** Every resource of `stack` by its Terraform address. */
function resourcesByAddress(stack: TerraformStack): Map<string, TerraformResource> {
  const out = new Map<string, TerraformResource>();
  for (const c of stack.node.findAll()) if (c instanceof TerraformResource) out.set(addressOf(c), c);
  return out;
}

/**
 * Adds a Terraform `moved` block (`from` -> `to`) to `stack` for each entry that applies to it,
 * through cdktf's `moveFromId` on the target resource, so the resource keeps its state under
 * its new address. Refuses, naming the entry, an address that is not `<type>.<name>`, a move
 * across resource types, a `from` that still exists and a `to` the stack does not have when the
 * entry names this environment. Returns the moves applied.
 */
export function applyMoved(stack: TerraformStack, entries: readonly MovedEntry[]): MovedEntry[] {
  const env = stack.node.id;
  const resources = resourcesByAddress(stack);
  const applied: MovedEntry[] = [];
  entries.forEach((entry, i) => {
    const where = `${MOVED_FILE}: MOVED[${i}] (from ${JSON.stringify(entry.from)} to ${JSON.stringify(entry.to)})`;
    for (const key of ['from', 'to'] as const) {
      if (!ADDRESS.test(entry[key])) throw new MovedEntryError(where, `${key} ${JSON.stringify(entry[key])} is not a resource address; expected <type>.<logical id>, e.g. aws_cognito_user_pool.directory_user-pool_5F9EB515`);
    }
    const [fromType] = entry.from.split('.');
    const [toType] = entry.to.split('.');
    if (fromType !== toType) throw new MovedEntryError(where, `moves ${fromType} to ${toType}; a moved block keeps the resource type (expected the same type on both sides)`);
    if (entry.environments && !entry.environments.includes(env)) return;
    const target = resources.get(entry.to);
    if (!target) {
      if (!entry.environments) return; // the resource exists only in some environments
      throw new MovedEntryError(where, `stack ${env} has no resource ${entry.to} (expected one of its addresses; see docs/resource-addresses.json)`);
    }
    if (resources.has(entry.from)) throw new MovedEntryError(where, `stack ${env} still has ${entry.from}; a move needs the old address gone (remove the entry, or rename the construct)`);
    target.moveFromId(entry.from);
    applied.push(entry);
  });
  return applied;
}

/** `applyMoved` on every stack of the app; an entry that applies to no stack is refused (a typo in `to`). */
export function applyMovedToStacks(stacks: readonly TerraformStack[], entries: readonly MovedEntry[]): void {
  const used = new Set<MovedEntry>();
  for (const stack of stacks) for (const e of applyMoved(stack, entries)) used.add(e);
  entries.forEach((entry, i) => {
    if (!used.has(entry)) {
      throw new MovedEntryError(`${MOVED_FILE}: MOVED[${i}]`, `no stack (${stacks.map((s) => s.node.id).join(', ')}) has ${entry.to} (expected an address of docs/resource-addresses.json)`);
    }
  });
}
