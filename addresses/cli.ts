import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../config/paths';
import { synthBuilt } from '../review/synth-tree';
import {
  ADDRESSES_FILE,
  addressListOf,
  addressListText,
  compareAddresses,
  movedFix,
  type AddressList,
  type LostAddress,
  type StackJson,
} from './address-list';
import { MOVED_FILE } from './apply-moved';
import { reportError } from '../config/errors';

const USAGE = `usage: npm run addresses [-- --check] [-- --accept-removed]
  (no option)        write ${ADDRESSES_FILE} from the synthesized stacks; refuses when an address
                     disappeared without a moved entry (a rename would destroy the resource)
  --check            exit 1 when ${ADDRESSES_FILE} is not what the stacks give
  --accept-removed   write even though addresses disappeared: the resources are meant to be destroyed`;

/** The problems of `now` against the committed list, as lines naming the fix. */
export function addressProblems(committed: AddressList, now: Record<string, StackJson>): string[] {
  const c = compareAddresses(committed, now);
  const lines: string[] = [];
  const fix = (l: LostAddress) =>
    l.candidates.length
      ? ` — if it was renamed to ${l.candidates[0]}, add to ${MOVED_FILE}: ${movedFix(l, l.candidates[0]).entry}`
      : ` — a removal: Terraform would destroy it; if that is meant, run \`npm run addresses -- --accept-removed\``;
  for (const l of c.renamed) lines.push(`${l.env}: ${l.address} disappeared while a ${l.address.split('.')[0]} appeared (destroy and recreate)${fix(l)}`);
  for (const l of c.removed) lines.push(`${l.env}: ${l.address} disappeared${fix(l)}`);
  return lines;
}

export function runAddressesCli(argv: readonly string[], io: { root: string; out: (t: string) => void; err: (t: string) => void }): number {
  const flags = new Set(argv);
  const unknown = argv.filter((a) => a !== '--check' && a !== '--accept-removed');
  if (unknown.length) {
    io.err(`${unknown.join(' ')}: unknown arguments\n${USAGE}`);
    return 2;
  }
  const file = join(io.root, ADDRESSES_FILE);
  const committed: AddressList = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const outdir = mkdtempSync(join(tmpdir(), 'addresses-'));
  try {
    const stacks = synthBuilt(io.root, join(outdir, 'cdktf.out'));
    const text = addressListText(addressListOf(stacks));
    const problems = addressProblems(committed, stacks);
    if (flags.has('--check')) {
      const stale = !existsSync(file) || readFileSync(file, 'utf8') !== text;
      for (const p of problems) io.err(p);
      if (stale && !problems.length) io.err(`${ADDRESSES_FILE}: stale (addresses were added or moved). Fix: run \`npm run addresses\` and commit the result.`);
      return stale || problems.length ? 1 : 0;
    }
    if (problems.length && !flags.has('--accept-removed')) {
      for (const p of problems) io.err(p);
      io.err(`${ADDRESSES_FILE}: not written`);
      return 1;
    }
    writeFileSync(file, text);
    io.out(`wrote ${ADDRESSES_FILE}`);
    return 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = runAddressesCli(process.argv.slice(2), { root: repoRoot(), out: (t) => console.log(t), err: (t) => console.error(t) });
  } catch (e) {
    reportError(e);
  }
}
