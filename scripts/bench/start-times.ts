import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../config/paths';
import { reportError } from '../../config/errors';
import type { LocalOutputs } from '../../local/outputs';
import { startUntil, stop, stopAll } from './children';
import { median } from './figure';

/**
 * Local mode's start to ready, as a developer has it: `node dist/local/start.js` once on an empty
 * data directory (keys, tables, users, demo articles made), then `runs` more starts on the same
 * directory (what every later `npm start` does). Each waits for the "Ready in" line: every local
 * IdP answers by then (local/local-mode.ts awaits them). The RSS of the last start, idle, too.
 *
 * `npm run bench` calls `laterStarts` (scripts/bench/run.ts). Alone, for an A/B of two built
 * checkouts in one run (their starts alternate, so both see the same machine load):
 *   node dist/scripts/bench/start-times.js [--runs 5] [<checkout> ...]   (default: this one)
 */

export interface StartTimes {
  /** Seconds to ready with an empty data directory. */
  readonly emptyDataDir: number;
  /** Seconds to ready of each later start, in run order. */
  readonly later: readonly number[];
  readonly laterMedian: number;
  /** The IdPs the outputs list (each answered before ready). */
  readonly idps: readonly string[];
  /** RSS of the last start's process (MB), idle after ready. */
  readonly idleRssMb: number;
}

function rssMb(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
}

/** One checkout's start-time session: a data directory of its own, kept across its starts. */
class Session {
  readonly times: number[] = [];
  idps: string[] = [];
  idleRssMb = 0;
  private readonly args: string[];
  private readonly outputs: string;
  constructor(readonly root: string, work: string) {
    this.outputs = path.join(work, 'outputs.json');
    this.args = ['--port', '0', '--user-pool-port', '0', '--dynamodb-port', '0', '--data-dir', path.join(work, 'data'), '--outputs', this.outputs];
  }
  async start(): Promise<void> {
    const run = await startUntil(process.execPath, ['dist/local/start.js', ...this.args], /^Ready in/, this.root);
    this.times.push(run.seconds);
    const outputs = JSON.parse(readFileSync(this.outputs, 'utf8')) as LocalOutputs;
    this.idps = [...new Set((outputs.local.federatedUsers ?? []).map((u) => u.idp))].sort();
    // A moment idle after ready, as a developer's process sits.
    await new Promise((r) => setTimeout(r, 1000));
    this.idleRssMb = rssMb(run.child.pid!);
    await stop(run.child);
  }
  result(): StartTimes {
    const [emptyDataDir, ...later] = this.times;
    return { emptyDataDir, later, laterMedian: median(later), idps: this.idps, idleRssMb: this.idleRssMb };
  }
}

/** The start times of each checkout in `roots`, their starts alternating (A B A B ...). */
export async function laterStarts(roots: readonly string[], runs: number): Promise<StartTimes[]> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-start-'));
  try {
    const sessions = roots.map((root, i) => new Session(root, path.join(work, String(i))));
    for (let i = 0; i <= runs; i++) for (const s of sessions) await s.start();
    return sessions.map((s) => s.result());
  } finally {
    stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '5' } }, allowPositionals: true });
  const roots = positionals.length ? positionals.map((p) => path.resolve(p)) : [repoRoot()];
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average at start: ${load()}`);
  const results = await laterStarts(roots, Number(values.runs));
  console.log(`load average at end: ${load()}`);
  roots.forEach((root, i) => {
    const r = results[i];
    const f = (x: number) => x.toFixed(2);
    console.log(`${root}\n  empty data dir ${f(r.emptyDataDir)} s; later starts median ${f(r.laterMedian)} s (${f(Math.min(...r.later))}–${f(Math.max(...r.later))}; ${r.later.map(f).join(', ')}); IdPs ${r.idps.join(', ') || 'none'}; idle RSS ${r.idleRssMb} MB`);
  });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    reportError(e, 'start-time bench failed: ');
    stopAll();
    process.exit(1);
  });
}
