import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { repoRoot } from '../config/paths';
import { writeFileAtomic } from './build-cache';
import { collectSynthInputs } from './synth-inputs';

/**
 * The synth's up-to-date check, like make's or Gradle's: `node dist/main.js` (main.ts) first asks
 * whether the output folder is provably what a synth would write now, and if so prints one line and
 * returns without loading the app (a no-change `npm run synth` then costs npm, node and this check,
 * not the app run). Correctness first: a stale stack deployed is far worse than a slow synth, so
 * anything this cannot prove unchanged means a real synth (an extra input costs a miss only).
 *
 * After a successful real synth (exit code 0), the record `.cache/synth/<sha256 of the absolute
 * outdir>.json` is written (atomically); the outdir's record is removed before a real synth starts,
 * so a failed or interrupted synth never leaves one; writing one removes the records of outdirs
 * that are gone (temporary ones). Up to date means all of:
 * - the record's format, this module's own compiled file (its SHA-256), Node's version and binary,
 *   the process's arguments (`execArgv`, `argv`) and working folder are the same;
 * - the environment is the same: a SHA-256 of every variable but `ENV_IGNORED` (names that vary
 *   between identical runs and cannot change a synth). cdktf reads CDKTF_OUTDIR,
 *   CDKTF_CONTEXT_JSON, SYNTH_HCL_OUTPUT..., the app OFFLINE_PLAN, SYNTH_BUNDLE, SYNTH_BUILD_CACHE:
 *   hashing everything covers them and whatever a dependency reads;
 * - the inputs are unchanged: the `[mtimeMs, ctimeMs, size]` of every file of the repository (and
 *   the same set of files and folders: a new file is seen), but the git-ignored output and state
 *   folders (`ROOT_IGNORED`, `NAME_IGNORED`) and the outdir; every module file loaded by the synth
 *   (`require.cache`: node_modules modules when the app runs as its modules); the files noted
 *   through constructs/synth-inputs.ts (the synth bundle's inputs, node_modules files of Lambda
 *   and resolver bundles); node_modules/.package-lock.json (npm rewrites it on every install).
 *   Equality, as in constructs/synth-bundle.ts, not an ordering against the clock; an input
 *   changed within `SETTLE_MS` of the synth's start, or during it, leaves no record at all, so the
 *   next synth runs for real;
 * - the outputs are unchanged: every file under the outdir with its size and SHA-256, none missing,
 *   none extra (1.2 MB of stacks and assets: a few ms), but Terraform's own working files in it
 *   (`OUTDIR_IGNORED`: `terraform init` in a stack folder), which a synth never reads, writes or
 *   removes.
 * Never skipped: with `SYNTH_FORCE=1`; when main.js is not the program run (`node -e`, another
 * program requiring it) or a script is preloaded (`--require`/`--import`/`--loader`, also through
 * NODE_OPTIONS), or a module of dist/ was loaded before main.js (a test prelude that patched the
 * config): such a run may change the synth in ways no stamp sees, so it also writes no record.
 * Anything unreadable in the record, or a record of another shape, means a real synth.
 */

/** The record's format: a record of another format is not up to date. */
const FORMAT = 1;
/** Where the records live, relative to the repository root (git-ignored with .cache/). */
const RECORD_DIR = '.cache/synth';
/** An input changed less than this before the synth started (or after) leaves no record: see constructs/synth-bundle.ts's SETTLE_MS. */
const SETTLE_MS = 2000;

/**
 * Environment variables left out of the hash: they differ between two otherwise identical runs and
 * nothing in a synth reads them. `_` (the shell's last argument), `OLDPWD` (the previous folder),
 * `SHLVL` (shell nesting), `SYNTH_FORCE` (read here only: a forced synth's record serves the next
 * unforced one), `HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET` (hyperfine sets it to a random length on
 * every run, to vary the stack's address: a benchmark of a no-change synth would never skip).
 * npm's own variables (npm_*, INIT_CWD, COLOR...) are kept: two runs of one npm script see the same
 * values (`COLOR` differs between a terminal and a pipe: a miss, not a wrong skip).
 */
export const ENV_IGNORED: readonly string[] = ['_', 'OLDPWD', 'SHLVL', 'SYNTH_FORCE', 'HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET'];

/**
 * Top-level entries of the repository that are not inputs, from .gitignore: its output and state
 * folders (.git itself too). dist/ is an input (it is what runs); .gen/ (cdktf get's bindings) is
 * kept as one too. node_modules counts through require.cache, the noted inputs and
 * .package-lock.json instead of a walk of its 50,000 files; only the root's is left out (a
 * node_modules folder deeper down would change what an import resolves to).
 */
export const ROOT_IGNORED: readonly string[] = ['.git', 'node_modules', 'cdktf.out', '.terraform', 'local-outputs.json', '.local-data', 'coverage', '.tmp', '.cache'];
/** Git-ignored names at any depth that no synth reads: Terraform state and tsc's incremental build info (dist/.tsbuildinfo). */
export const NAME_IGNORED: readonly RegExp[] = [/\.tfstate$/, /\.tfstate\./, /\.tsbuildinfo$/];
/** Terraform's working files in a stack folder of the outdir (`terraform init/plan` there): a synth never reads, writes or removes them. */
const OUTDIR_IGNORED: readonly RegExp[] = [/^\.terraform$/, /^\.terraform\.lock\.hcl$/, /^\.terraform\.tfstate\.lock\.info$/, /\.tfstate$/, /\.tfstate\./];

/** Flags that run other code before main.js. */
const PRELOAD_FLAG = /^(-r|--require|--import|--loader|--experimental-loader|-e|--eval|-p|--print)(=|$)/;

/** A file's `[mtimeMs, ctimeMs, size]`. */
type Stamp = readonly [number, number, number];
/** A repository entry: a folder, or a file's stamp. */
type TreeEntry = 'dir' | Stamp;
/** An input outside the repository walk: its stamp, or null when it was absent (and must stay so). */
type InputEntry = Stamp | null;
/** An output: a folder, a file's `[size, sha256]`, or a symlink's target. */
type OutputEntry = 'dir' | readonly [number, string] | { readonly link: string };

interface RunFacts {
  /** First, so that pruning reads only a record's head (`recordOutdir`). */
  readonly outdir: string;
  readonly format: number;
  readonly launcher: string;
  readonly node: string;
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: string;
}

interface SynthRecord extends RunFacts {
  readonly tree: Readonly<Record<string, TreeEntry>>;
  readonly inputs: Readonly<Record<string, InputEntry>>;
  readonly outputs: Readonly<Record<string, OutputEntry>>;
}

/** Thrown by a walk when an entry cannot be read: the check says stale, the record is not written. */
class Unknown extends Error {}

/**
 * True when the outdir is up to date with its inputs (see above): prints the skip line; the
 * caller then runs nothing. Otherwise removes the outdir's record, arranges for it to be written
 * when the process exits with 0 (if this run may write one), and returns false: the caller synthesizes.
 * Never throws: a check that fails means a real synth.
 */
export function skipUpToDateSynth(launcher: NodeJS.Module): boolean {
  let root: string;
  let facts: RunFacts;
  try {
    root = repoRoot();
    facts = runFacts();
  } catch {
    return false;
  }
  const recordFile = join(root, RECORD_DIR, `${createHash('sha256').update(facts.outdir).digest('hex')}.json`);
  const recordable = mayRecord(root, facts, launcher);
  if (recordable && !isForced() && isUpToDate(root, facts, recordFile)) {
    process.stderr.write(`synth: ${shown(facts.outdir)} is up to date with its inputs; nothing to do (SYNTH_FORCE=1 synthesizes anyway)\n`);
    return true;
  }
  try {
    rmSync(recordFile, { force: true });
  } catch {
    // A record that cannot be removed cannot be trusted either: no record is written after this run.
    return false;
  }
  if (recordable) {
    const noted = collectSynthInputs();
    process.once('exit', (code) => {
      if (code === 0) writeRecord(root, facts, recordFile, noted);
    });
  }
  return false;
}

/** Whether a module of dist/ other than the launcher (main.js) and what it loaded is in the module cache. */
export function distModulesLoadedBefore(launcher: NodeJS.Module): boolean {
  const own = new Set<string>();
  const visit = (m: NodeJS.Module): void => {
    if (own.has(m.filename)) return;
    own.add(m.filename);
    m.children.forEach(visit);
  };
  visit(launcher);
  const dist = dirname(launcher.filename) + sep;
  return Object.keys(require.cache).some((f) => f.startsWith(dist) && !own.has(f));
}

function isForced(): boolean {
  const v = process.env.SYNTH_FORCE;
  return v !== undefined && v !== '' && v !== '0';
}

/** Whether this run's result may be recorded (and a record trusted): main.js run as the program, nothing preloaded, nothing patched, an outdir apart from the repository root. */
function mayRecord(root: string, facts: RunFacts, launcher: NodeJS.Module): boolean {
  if (require.main !== launcher) return false;
  if (process.execArgv.some((a) => PRELOAD_FLAG.test(a))) return false;
  if ((process.env.NODE_OPTIONS ?? '').split(/\s+/).some((a) => PRELOAD_FLAG.test(a))) return false;
  if (distModulesLoadedBefore(launcher)) return false;
  // An outdir that is the repository or holds it would be its own input (one inside it is left out of the walk).
  return !within(facts.outdir, root);
}

/** Whether `path` is `dir` or inside it. */
function within(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The outdir as printed: relative to the working folder when inside it. */
function shown(outdir: string): string {
  const rel = relative(process.cwd(), outdir);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : outdir;
}

/** What this run is, taken before the app runs (it may change process.env or the working folder). */
function runFacts(): RunFacts {
  return {
    // Where cdktf's App writes (its `outdir` default), resolved as it resolves it: against the working folder.
    outdir: resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out'),
    format: FORMAT,
    launcher: createHash('sha256').update(readFileSync(__filename)).digest('hex'),
    node: process.version,
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv.slice(1),
    cwd: process.cwd(),
    env: envHash(process.env),
  };
}

/** SHA-256 of the environment (sorted `name=value` lines) but `ENV_IGNORED`. */
function envHash(env: NodeJS.ProcessEnv): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(env).sort()) {
    if (!ENV_IGNORED.includes(name)) hash.update(`${name.length}:${name}=${String(env[name]).length}:${String(env[name])}\n`);
  }
  return hash.digest('hex');
}

function isUpToDate(root: string, facts: RunFacts, recordFile: string): boolean {
  try {
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as SynthRecord;
    if (!sameFacts(record, facts)) return false;
    // Cheapest first: a stat per input, a stat per repository file, then the outputs' bytes (1.2 MB).
    if (!Object.entries(record.inputs).every(([path, then]) => sameInput(then, inputStamp(path)))) return false;
    if (!sameEntries(record.tree, walkTree(root, facts.outdir), sameTreeEntry)) return false;
    return sameEntries(record.outputs, walkOutputs(facts.outdir), sameOutput);
  } catch {
    // No record, an unreadable one, another shape, or an entry that cannot be read: a real synth.
    return false;
  }
}

function sameFacts(record: SynthRecord, facts: RunFacts): boolean {
  return (
    record.format === facts.format &&
    record.launcher === facts.launcher &&
    record.node === facts.node &&
    record.execPath === facts.execPath &&
    JSON.stringify(record.execArgv) === JSON.stringify(facts.execArgv) &&
    JSON.stringify(record.argv) === JSON.stringify(facts.argv) &&
    record.cwd === facts.cwd &&
    record.env === facts.env &&
    record.outdir === facts.outdir
  );
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return Array.isArray(a) && a.length === 3 && a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

function sameInput(then: InputEntry, now: InputEntry): boolean {
  return then === null ? now === null : now !== null && sameStamp(then, now);
}

function sameTreeEntry(then: TreeEntry, now: TreeEntry): boolean {
  return then === 'dir' ? now === 'dir' : now !== 'dir' && sameStamp(then, now);
}

/** Same keys, and `same` for each. */
function sameEntries<T>(then: Readonly<Record<string, T>>, now: ReadonlyMap<string, T>, same: (a: T, b: T) => boolean): boolean {
  const keys = Object.keys(then);
  return keys.length === now.size && keys.every((k) => now.has(k) && same(then[k], now.get(k)!));
}

/** The stamp of a file now; null when it is absent; throws `Unknown` when it cannot be stat'ed (EACCES, ELOOP). */
function inputStamp(path: string): InputEntry {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    throw new Unknown(path);
  }
  return st === undefined ? null : [st.mtimeMs, st.ctimeMs, st.size];
}

function stampOf(path: string): Stamp {
  const stamp = inputStamp(path);
  if (stamp === null) throw new Unknown(path); // gone between the listing and the stat
  return stamp;
}

function ignoredName(name: string): boolean {
  return NAME_IGNORED.some((re) => re.test(name));
}

/**
 * Every file and folder of the repository, relative to it, but `ROOT_IGNORED`, `NAME_IGNORED` and
 * the outdir; files with their stamps. Symlinks are followed (what a read of them reads); a folder
 * reached again through a symlink (a cycle) is not walked again.
 */
function walkTree(root: string, outdir: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  // Only a symlink can lead back into a folder being walked: their targets are remembered.
  const linkedFolders = new Set<string>([realpathSync(root)]);
  const visit = (dir: string, rel: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if ((rel === '' && ROOT_IGNORED.includes(d.name)) || ignoredName(d.name)) continue;
      const abs = join(dir, d.name);
      if (abs === outdir) continue;
      const key = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) {
        entries.set(key, 'dir');
        visit(abs, key);
      } else if (d.isSymbolicLink() && isFolder(abs)) {
        entries.set(key, 'dir');
        const real = realpathSync(abs);
        if (!linkedFolders.has(real)) {
          linkedFolders.add(real);
          visit(abs, key);
        }
      } else {
        entries.set(key, stampOf(abs));
      }
    }
  };
  visit(root, '');
  return entries;
}

/** Whether a symlink leads to a folder. */
function isFolder(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    throw new Unknown(abs); // a dangling or looping link
  }
}

/** Every entry under the outdir but `OUTDIR_IGNORED`, relative to it; files by size and SHA-256. Symlinks are not followed: their target is the entry. */
function walkOutputs(outdir: string): Map<string, OutputEntry> {
  const entries = new Map<string, OutputEntry>();
  const visit = (dir: string, rel: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (OUTDIR_IGNORED.some((re) => re.test(d.name))) continue;
      const abs = join(dir, d.name);
      const key = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) {
        entries.set(key, 'dir');
        visit(abs, key);
      } else if (d.isSymbolicLink()) {
        entries.set(key, { link: readlinkSync(abs) });
      } else if (d.isFile()) {
        const bytes = readFileSync(abs);
        entries.set(key, [bytes.length, createHash('sha256').update(bytes).digest('hex')]);
      } else {
        throw new Unknown(abs); // a socket or fifo in the outdir: no synth writes one
      }
    }
  };
  visit(outdir, '');
  return entries;
}

function sameOutput(a: OutputEntry, b: OutputEntry): boolean {
  if (a === 'dir' || b === 'dir') return a === b;
  if ('link' in a || 'link' in b) return 'link' in a && 'link' in b && a.link === b.link;
  return Array.isArray(a) && a[0] === b[0] && a[1] === b[1];
}

/**
 * After a successful synth: stamps the inputs, hashes the outputs and writes the record. Writes
 * nothing when an input changed within `SETTLE_MS` of the start or during the run (the run may have
 * read it before the change), or anything cannot be read; never throws (no record costs a synth only).
 */
function writeRecord(root: string, facts: RunFacts, recordFile: string, noted: ReadonlySet<string>): void {
  try {
    const settled = performance.timeOrigin - SETTLE_MS;
    const recent = (s: Stamp) => Math.max(s[0], s[1]) >= settled;
    const tree = walkTree(root, facts.outdir);
    if ([...tree.values()].some((e) => e !== 'dir' && recent(e))) return;
    const inputs: Record<string, InputEntry> = {};
    const candidates = [...Object.keys(require.cache), ...noted, join(root, 'node_modules', '.package-lock.json')];
    const inRoot = root + sep;
    for (const path of candidates.sort()) {
      // Stamped with the repository already (path.relative would cost more than the stat saved).
      if (path.startsWith(inRoot) && tree.has(path.slice(inRoot.length).split(sep).join('/'))) continue;
      const stamp = inputStamp(path);
      if (stamp !== null && recent(stamp)) return;
      inputs[path] = stamp;
    }
    const record: SynthRecord = { ...facts, tree: Object.fromEntries(tree), inputs, outputs: Object.fromEntries(walkOutputs(facts.outdir)) };
    writeFileAtomic(recordFile, JSON.stringify(record));
  } catch {
    // Nothing recorded: the next synth runs for real.
    return;
  }
  pruneRecords(dirname(recordFile), basename(recordFile));
}

/** A record's file name (`<sha256 of the outdir>.json`), and a partial one left by a writer that died (`writeFileAtomic`). */
const RECORD_NAME = /^[0-9a-f]{64}\.json$/;
const PARTIAL_NAME = /^\.[0-9a-f]{64}\.json\.\d+$/;
/** A partial record older than this belongs to a writer that died (a live one writes within a second). */
const PARTIAL_AGE_MS = 60 * 60 * 1000;

/**
 * Removes the records of outdirs that no longer exist (every synth into a temporary folder, as the
 * tests run, leaves one of about 200 kB), records of another shape, and old partial files. Only a
 * record's head is read (its outdir comes first). A removed record costs one real synth at most;
 * never throws.
 */
function pruneRecords(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (RECORD_NAME.test(name) && name !== keep) {
        const outdir = recordOutdir(path);
        if (outdir === undefined || !existsSync(outdir)) rmSync(path, { force: true });
      } else if (PARTIAL_NAME.test(name) && Date.now() - statSync(path).mtimeMs > PARTIAL_AGE_MS) {
        rmSync(path, { force: true });
      }
    } catch {
      // Left for the next prune.
    }
  }
}

/** The outdir a record is about, from its first 4 kB; undefined when that is not a record's head. */
function recordOutdir(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const length = readSync(fd, head, 0, head.length, 0);
    const match = /^\{"outdir":("(?:[^"\\]|\\.)*")/.exec(head.toString('utf8', 0, length));
    return match ? (JSON.parse(match[1]) as string) : undefined;
  } finally {
    closeSync(fd);
  }
}
