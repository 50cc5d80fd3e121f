import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../config/errors';

/**
 * Resource addresses of synthesized stacks, the committed list of them
 * (`docs/resource-addresses.json`) and the comparison that tells a rename (same type appears
 * while an address disappears) from an addition or a removal.
 */

/** The committed list, relative to the repository root. */
export const ADDRESSES_FILE = 'docs/resource-addresses.json';

/** The parts of a synthesized `cdk.tf.json` this module reads. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly moved?: ReadonlyArray<{ from: string; to: string }>;
  readonly import?: ReadonlyArray<{ to: string; id: string }>;
}

/** Environment name -> sorted resource addresses. */
export type AddressList = Record<string, string[]>;

/** Every managed resource address of a stack, sorted. */
export function addressesOf(stack: StackJson): string[] {
  const out: string[] = [];
  for (const [type, byId] of Object.entries(stack.resource ?? {})) for (const id of Object.keys(byId)) out.push(`${type}.${id}`);
  return out.sort();
}

/** Reads every `<outdir>/stacks/<env>/cdk.tf.json`. */
export function readStacks(outdir: string): Record<string, StackJson> {
  const stacksDir = join(outdir, 'stacks');
  if (!existsSync(stacksDir)) throw new UserFacingError({ location: stacksDir, problem: 'no synthesized stacks', fix: 'run `npm run synth` first' });
  const out: Record<string, StackJson> = {};
  for (const env of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, env, 'cdk.tf.json');
    if (existsSync(file)) out[env] = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
  }
  return out;
}

export function addressListOf(stacks: Record<string, StackJson>): AddressList {
  return Object.fromEntries(Object.entries(stacks).map(([env, s]) => [env, addressesOf(s)]));
}

/** The committed list as the file's text (stable: sorted, one address per line). */
export function addressListText(list: AddressList): string {
  const sorted = Object.fromEntries(Object.keys(list).sort().map((env) => [env, [...list[env]].sort()]));
  return JSON.stringify(sorted, null, 2) + '\n';
}

/** An address that disappeared without a `moved` block. */
export interface LostAddress {
  readonly env: string;
  readonly address: string;
  /** New addresses of the same type in that environment: the likely rename targets, best first. */
  readonly candidates: readonly string[];
  /** The resource had `lifecycle.prevent_destroy` (the user pool, the table). */
  readonly protected: boolean;
}

export interface AddressComparison {
  /** Gone from the stack, no `moved` block from it, and a resource of the same type appeared: Terraform would destroy and recreate. */
  readonly renamed: LostAddress[];
  /** Gone from the stack, no `moved` block and nothing of its type appeared: a removal. */
  readonly removed: LostAddress[];
  /** Moved by a `moved` block of the new stack. */
  readonly moved: Array<{ env: string; from: string; to: string }>;
  readonly added: Array<{ env: string; address: string }>;
}

const typeOf = (address: string) => address.slice(0, address.indexOf('.'));
/** The logical id without cdktf's 8-hex hash suffix. */
const stem = (address: string) => address.slice(address.indexOf('.') + 1).replace(/_[0-9A-F]{8}$/, '');

/** Similarity of two logical ids: shared `_`/`-`-separated words, then common prefix length. */
function similarity(a: string, b: string): number {
  const words = (s: string) => new Set(stem(s).split(/[_-]/));
  const wa = words(a);
  const shared = [...words(b)].filter((w) => wa.has(w)).length;
  let prefix = 0;
  while (prefix < a.length && a[prefix] === b[prefix]) prefix++;
  return shared * 1000 + prefix;
}

/**
 * Compares the addresses before (a committed list or an older synth) with the stacks now.
 * `protectedBefore` names the addresses that had `prevent_destroy` (when known).
 */
export function compareAddresses(
  before: AddressList,
  now: Record<string, StackJson>,
  protectedBefore: ReadonlySet<string> = new Set(),
): AddressComparison {
  const result: AddressComparison = { renamed: [], removed: [], moved: [], added: [] };
  for (const env of Object.keys(now).sort()) {
    const old = new Set(before[env] ?? []);
    const current = addressesOf(now[env]);
    const currentSet = new Set(current);
    const movedFrom = new Map((now[env].moved ?? []).map((m) => [m.from, m.to]));
    for (const m of now[env].moved ?? []) if (old.has(m.from)) result.moved.push({ env, from: m.from, to: m.to });
    const movedTo = new Set((now[env].moved ?? []).map((m) => m.to));
    const added = current.filter((a) => !old.has(a) && !movedTo.has(a));
    for (const address of added) result.added.push({ env, address });
    for (const address of [...old].sort()) {
      if (currentSet.has(address) || movedFrom.has(address)) continue;
      const candidates = added.filter((a) => typeOf(a) === typeOf(address)).sort((x, y) => similarity(address, y) - similarity(address, x));
      const lost = { env, address, candidates, protected: protectedBefore.has(`${env}:${address}`) };
      (candidates.length ? result.renamed : result.removed).push(lost);
    }
  }
  return result;
}

/** Addresses with `lifecycle.prevent_destroy`, as `<env>:<address>`. */
export function protectedAddresses(stacks: Record<string, StackJson>): Set<string> {
  const out = new Set<string>();
  for (const [env, s] of Object.entries(stacks)) {
    for (const [type, byId] of Object.entries(s.resource ?? {})) {
      for (const [id, body] of Object.entries(byId)) {
        if ((body.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy) out.add(`${env}:${type}.${id}`);
      }
    }
  }
  return out;
}

/** The Terraform `moved` block and the `addresses/moved.ts` entry that keep a renamed resource. */
export function movedFix(lost: LostAddress, to: string): { hcl: string; entry: string } {
  return {
    hcl: `moved {\n  from = ${lost.address}\n  to   = ${to}\n}`,
    entry: `{ from: '${lost.address}', to: '${to}', reason: '<why it moved>' },`,
  };
}
