import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../config/paths';
import { reportError } from '../../config/errors';
import { stop, stopAll } from './children';
import { median } from './figure';
import { AUTHORIZED, NO_DATABASE, type LoadedLocalMode, driveMeasuringCpu, loadAverage, paced, saturating, startLoadedLocalMode } from './endpoint-load';

/**
 * The endpoint A/B: what a change did to the local endpoint, measured in one run. Each built
 * checkout's local mode is started (its own data directory, `PAGE` articles published); then
 * autocannon saturates them in turn, in ABBA order, so a load that drifts over the run weighs on
 * all alike. Two bench runs minutes apart on this shared machine differ by more than most changes.
 *
 *   node dist/scripts/bench/endpoint-ab.js [--runs 5] [--seconds 5] [--query articles|me] [--rate <req/s>] [--node-arg=--cpu-prof ...] [<checkout> ...]
 *
 * Default checkout: this one. Prints, per checkout, the median and range of req/s, p99 and the
 * server's CPU per request (all threads, and its main thread), and each checkout's median over the
 * first one's. `--rate`: a fixed offered rate (evenly spaced) instead of saturation, for latency
 * without queueing. `--node-arg` passes an option to each local mode's node (e.g. `--cpu-prof`, whose
 * profile is written in that checkout at its stop).
 */

const QUERIES: Record<string, string> = { articles: AUTHORIZED, me: NO_DATABASE };

interface Run {
  reqPerSec: number;
  p99ms: number;
  serverCpuUs: number;
  mainThreadCpuUs: number;
}

async function timedRun(local: LoadedLocalMode, query: string, seconds: number, rate: number | undefined): Promise<Run> {
  const request = { url: local.url, token: local.subscriberToken, query };
  const drive = rate === undefined ? saturating('endpoint-ab', request) : paced('endpoint-ab', request, rate);
  const r = await driveMeasuringCpu(drive, seconds, local.child.pid!);
  return { reqPerSec: r.reqPerSec, p99ms: r.p99ms, serverCpuUs: r.serverCpuUs, mainThreadCpuUs: r.mainThreadCpuUs };
}

const range = (xs: number[]) => `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '5' },
      query: { type: 'string', default: 'articles' },
      rate: { type: 'string' },
      'node-arg': { type: 'string', multiple: true, default: [] },
    },
  });
  const runs = Number(values.runs);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`endpoint-ab: --runs ${values.runs}: expected a whole number ≥ 1`);
  if (!(seconds > 0)) throw new Error(`endpoint-ab: --seconds ${values.seconds}: expected a number > 0`);
  const query = QUERIES[values.query];
  if (!query) throw new Error(`endpoint-ab: --query ${values.query}: expected one of ${Object.keys(QUERIES).join(', ')}`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new Error(`endpoint-ab: --rate ${values.rate}: expected req/s > 0`);
  const roots = (positionals.length ? positionals : [repoRoot()]).map((r) => path.resolve(r));

  const work = mkdtempSync(path.join(tmpdir(), 'endpoint-ab-'));
  try {
    const locals: LoadedLocalMode[] = [];
    for (const [i, root] of roots.entries()) locals.push(await startLoadedLocalMode(root, path.join(work, String(i)), values['node-arg']));
    // Untimed first: each server warmed up (JIT-compiled, caches filled), as a developer's is.
    for (const local of locals) await timedRun(local, query, 3, rate);
    const results: Run[][] = roots.map(() => []);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? locals.map((_, j) => j) : locals.map((_, j) => locals.length - 1 - j);
      for (const j of order) results[j].push(await timedRun(locals[j], query, seconds, rate));
      console.log(`run ${i + 1}/${runs} done, load ${loadAverage()}`);
    }
    for (const local of locals) await stop(local.child);

    console.log(`\n${values.query}: ${runs} runs of ${seconds} s each, ${rate === undefined ? 'saturating' : `${rate} req/s offered`}, ABBA order; median (min–max)`);
    const base = median(results[0].map((r) => r.reqPerSec));
    for (const [j, root] of roots.entries()) {
      const of = (k: keyof Run) => range(results[j].map((r) => r[k]));
      const rel = median(results[j].map((r) => r.reqPerSec)) / base;
      console.log(`  ${root}\n    req/s ${of('reqPerSec')}  (${rel.toFixed(2)}× the first)   p99 ms ${of('p99ms')}   server CPU µs/req ${of('serverCpuUs')}, main thread ${of('mainThreadCpuUs')}`);
    }
  } finally {
    stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  reportError(e, 'endpoint-ab failed: ');
  stopAll();
  process.exit(1);
});
