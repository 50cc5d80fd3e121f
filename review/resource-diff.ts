import {
  addressListOf,
  addressesOf,
  compareAddresses,
  protectedAddresses,
  type LostAddress,
  type StackJson,
} from '../addresses/address-list';

/** What changed in the synthesized resources of one environment between two synths. */

export interface AttributeChange {
  readonly key: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ChangedResource {
  readonly address: string;
  /** Set when the resource moved here by a `moved` block. */
  readonly movedFrom?: string;
  readonly attributes: readonly AttributeChange[];
}

export interface EnvironmentDiff {
  readonly env: string;
  /** The whole stack is new or gone. */
  readonly stack?: 'added' | 'removed';
  readonly added: readonly string[];
  /** Gone while one of the same type appeared, with no `moved` block: destroy and recreate. */
  readonly renamed: readonly LostAddress[];
  /** Gone, nothing of its type appeared: destroyed. */
  readonly removed: readonly LostAddress[];
  readonly moved: ReadonlyArray<{ from: string; to: string }>;
  readonly changed: readonly ChangedResource[];
  /** Import blocks that are new in the working tree. */
  readonly imports: ReadonlyArray<{ to: string; id: string }>;
}

/** JSON with object keys sorted, so that equal values compare equal whatever the key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}

function bodyOf(stack: StackJson, address: string): Record<string, unknown> {
  const dot = address.indexOf('.');
  const body = stack.resource?.[address.slice(0, dot)]?.[address.slice(dot + 1)] ?? {};
  // "//" is cdktf's construct metadata (path, stack trace): not part of the resource.
  const { ['//']: _metadata, ...rest } = body;
  return rest;
}

/** Top-level attributes whose values differ (nested blocks compare whole). */
function attributeChanges(before: Record<string, unknown>, after: Record<string, unknown>): AttributeChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => stableJson(before[k]) !== stableJson(after[k])).map((key) => ({ key, before: before[key], after: after[key] }));
}

/** Compares the stacks of two synths, environment by environment. */
export function diffStacks(before: Record<string, StackJson>, after: Record<string, StackJson>): EnvironmentDiff[] {
  const comparison = compareAddresses(addressListOf(before), after, protectedAddresses(before));
  const envs = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return envs.map((env) => {
    const b = before[env];
    const a = after[env];
    if (!a) {
      const prot = protectedAddresses(before);
      const removed = addressesOf(b).map((address) => ({ env, address, candidates: [], protected: prot.has(`${env}:${address}`) }));
      return { env, stack: 'removed' as const, added: [], renamed: [], removed, moved: [], changed: [], imports: [] };
    }
    const mine = <T extends { env: string }>(xs: T[]) => xs.filter((x) => x.env === env);
    const moved = mine(comparison.moved).map(({ from, to }) => ({ from, to }));
    const changed: ChangedResource[] = [];
    if (b) {
      const old = new Set(addressesOf(b));
      for (const address of addressesOf(a)) {
        if (!old.has(address)) continue;
        const attributes = attributeChanges(bodyOf(b, address), bodyOf(a, address));
        if (attributes.length) changed.push({ address, attributes });
      }
      for (const m of moved) {
        const attributes = attributeChanges(bodyOf(b, m.from), bodyOf(a, m.to));
        if (attributes.length) changed.push({ address: m.to, movedFrom: m.from, attributes });
      }
    }
    const oldImports = new Set((b?.import ?? []).map((i) => stableJson(i)));
    return {
      env,
      stack: b ? undefined : ('added' as const),
      added: mine(comparison.added).map((x) => x.address),
      renamed: mine(comparison.renamed),
      removed: mine(comparison.removed),
      moved,
      changed,
      imports: (a.import ?? []).filter((i) => !oldImports.has(stableJson(i))).map((i) => ({ to: i.to, id: i.id })),
    };
  });
}

export function isEmpty(d: EnvironmentDiff): boolean {
  return !d.stack && !d.added.length && !d.renamed.length && !d.removed.length && !d.moved.length && !d.changed.length && !d.imports.length;
}
