import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoPath } from '../../config/paths';
import { copyProject } from './project-copy';
import { startUntil, stop, stopAll } from './children';
import { laterStarts } from './start-times';
import { median } from './figure';
import { ARTICLES_P99_GOAL_MS, OURS_OVER_SIMULATOR_GOAL, type SideBySide } from './load-figures';
import { reportError } from '../../config/errors';
import { AUTHORIZED, CONNECTIONS, DENIED, NO_DATABASE, type Drive, type Request, driveMeasuringCpu, loadAverage, localModeArgs, post, paced as pacedAt, saturating, startLoadedLocalMode } from './endpoint-load';

/** `RATE` requests per second, evenly spaced, over `CONNECTIONS` connections. */
const paced = (name: string, request: Request) => pacedAt(name, request, RATE);

/**
 * `npm run bench`: the local endpoint under load, beside a bare graphql-js server answering
 * the same query with the same data in the same run (scripts/bench/bare-server.ts).
 *   - startup: the first `npm start` in a fresh copy of the project (transpile + synth + start) and `node dist/local/start.js` to ready
 *   - autocannon, 10 connections as fast as they go (saturation), BENCH_SECONDS (default 10) each
 *     after BENCH_WARMUP_SECONDS (default 3) untimed: authorized `articles` (10 items from
 *     DynamoDB, published by an editor through the API first), a denied field, `me` (a resolver
 *     without a database), the bare server
 *   - `articles` and the bare server again at a fixed offered rate, BENCH_RATE (default 1,000)
 *     req/s over 10 connections, same durations (scripts/bench/paced-load.ts): the latency a
 *     developer's app sees, without the queueing of saturation
 *   - ours / the Amplify simulator on `articles`: 3 timed runs of each, alternating (sideBySide)
 *   - RSS of the local-mode process (it runs user pool, DynamoDB and endpoint in one process)
 * Prints a table and writes .tmp/bench-endpoint.json (scripts/bench/report.ts merges it into .tmp/bench.json). Everything started here is stopped here.
 * BENCH_ONLY=<ids> (comma-separated: startup, articles, articles-rate, simulator, ratio, drafts, me,
 * bare, bare-rate) runs only those steps and writes .tmp/bench-endpoint-partial.json instead, which the
 * report never reads: for trying one step without the whole bench.
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** The offered rate (req/s) of the fixed-rate rows. */
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : undefined;
const STEPS = ['startup', 'articles', 'articles-rate', 'simulator', 'ratio', 'drafts', 'me', 'bare', 'bare-rate'];
/** Timed runs each of ours and the simulator, alternating, for the ratio. */
const RATIO_RUNS = 3;
const runs = (step: string) => !ONLY || ONLY.has(step);
const ROOT = repoPath('.');
/** Later starts of the built app timed (after one on an empty data directory). */
const LATER_STARTS = Number(process.env.BENCH_START_RUNS ?? 5);

/** RSS (MB) of a process and its children, from /proc. */
function rssMb(pid: number): { rss: number; peak: number } {
  const pids = [pid, ...childPids(pid)];
  let rss = 0;
  let peak = 0;
  for (const p of pids) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return { rss: Math.round(rss / 1024), peak: Math.round(peak / 1024) };
}

function childPids(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  const direct = readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return direct.flatMap((c) => [c, ...childPids(c)]);
}

/**
 * `runs` timed runs after one untimed: the figure is the run with the median p99, the others its
 * spread (p99Min–p99Max); each with the server's CPU per request (driveMeasuringCpu).
 */
async function load(id: string, name: string, drive: Drive, server: ChildProcess, runs = 1, offeredRate?: number) {
  // Untimed first: the numbers are for a warmed-up server (JIT-compiled, caches filled), as a developer's is.
  await drive(WARMUP_SECONDS);
  const pid = server.pid!;
  const timed = [];
  for (let i = 0; i < runs; i++) {
    timed.push({ ...(await driveMeasuringCpu(drive, SECONDS, pid)), load: loadAverage() });
  }
  const byP99 = [...timed].sort((a, b) => a.p99ms - b.p99ms);
  const mid = byP99[Math.floor(byP99.length / 2)];
  return { id, name, ...(offeredRate === undefined ? {} : { offeredRate }), ...mid, p99MinMs: byP99[0].p99ms, p99MaxMs: byP99[byP99.length - 1].p99ms, runs: timed };
}
type LoadRow = Awaited<ReturnType<typeof load>>;

/**
 * Ours / the simulator on the same request, side by side: `runs` timed runs of each (after one
 * untimed each), alternating in ABBA order so a load that drifts over the step weighs on both
 * alike; the ratio of their median req/s. Two rows measured one after the other would compare two
 * moments of a shared machine.
 */
async function sideBySide(ours: Drive, simulator: Drive, runs: number): Promise<SideBySide> {
  await ours(WARMUP_SECONDS);
  await simulator(WARMUP_SECONDS);
  const reqPerSec = { ours: [] as number[], simulator: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? (['ours', 'simulator'] as const) : (['simulator', 'ours'] as const);
    for (const who of order) reqPerSec[who].push((await (who === 'ours' ? ours : simulator)(SECONDS)).reqPerSec);
  }
  return { ratio: Number((median(reqPerSec.ours) / median(reqPerSec.simulator)).toFixed(2)), reqPerSec };
}

/** Startup as a new user has it, then the built app's starts. */
async function startup(work: string) {
  // `npm start` in a copy of the project as `npm ci` leaves it (no dist/, no cdktf.out/): transpile, synth, start.
  const fresh = path.join(work, 'fresh-clone');
  copyProject(fresh);
  const npmStart = await startUntil('npm', ['start', '--', ...localModeArgs(path.join(work, 'npm'))], /^Ready in/, fresh);
  await stop(npmStart.child);
  // Then the built app's starts: one on an empty data directory, then later starts on it (scripts/bench/start-times.ts).
  const [starts] = await laterStarts([ROOT], LATER_STARTS);
  return {
    firstNpmStartFreshClone: Number(npmStart.seconds.toFixed(2)),
    emptyDataDir: Number(starts.emptyDataDir.toFixed(2)),
    nodeStartMedian: Number(starts.laterMedian.toFixed(2)),
    nodeStartRuns: starts.later.map((s) => Number(s.toFixed(2))),
    idps: starts.idps,
    idleRssMb: starts.idleRssMb,
  };
}

async function main(): Promise<void> {
  const unknown = [...(ONLY ?? [])].filter((x) => !STEPS.includes(x));
  if (unknown.length) throw new Error(`bench: BENCH_ONLY names no step ${unknown.join(', ')} (steps: ${STEPS.join(', ')})`);
  const work = mkdtempSync(path.join(tmpdir(), 'bench-'));
  try {
    const startupSeconds = runs('startup') ? await startup(work) : undefined;

    const local = await startLoadedLocalMode(ROOT, path.join(work, 'load'));
    const { url, subscriberToken: token } = local;
    const idle = rssMb(local.child.pid!);
    // startLoadedLocalMode checked the authorized page; the denied field is checked here, before timing.
    const authorized = await post(url, token, AUTHORIZED);
    if (!authorized.data) throw new Error(`bench: authorized query failed: ${JSON.stringify(authorized)}`);
    const denied = await post(url, token, DENIED);
    if (denied.errors?.[0]?.errorType !== 'Unauthorized') throw new Error(`bench: denied query was not denied: ${JSON.stringify(denied)}`);
    const fixture = path.join(work, 'fixture.json');
    writeFileSync(fixture, JSON.stringify(authorized.data));
    const bare = await startUntil(process.execPath, ['dist/scripts/bench/bare-server.js', fixture], /^port=\d+$/, ROOT);
    const bareUrl = `http://127.0.0.1:${bare.line.split('=')[1]}/graphql`;
    const bareAnswer = await post(bareUrl, undefined, AUTHORIZED);
    if (JSON.stringify(bareAnswer.data) !== JSON.stringify(authorized.data)) throw new Error('bench: the bare server answers differently');

    // The Amplify AppSync simulator, same schema, same page (from memory: scripts/bench/simulator.ts), same token.
    const sim = await startUntil(process.execPath, ['dist/scripts/bench/simulator.js', fixture], /^port=\d+$/, ROOT);
    const simUrl = `http://127.0.0.1:${sim.line.split('=')[1]}/graphql`;
    const simAnswer = await post(simUrl, token, AUTHORIZED);
    if (JSON.stringify(simAnswer.data) !== JSON.stringify(authorized.data)) throw new Error(`bench: the simulator answers differently: ${JSON.stringify(simAnswer).slice(0, 500)}`);
    const simDenied = await post(simUrl, token, DENIED);
    if (simDenied.errors?.[0]?.errorType !== 'Unauthorized') throw new Error(`bench: the simulator did not deny drafts: ${JSON.stringify(simDenied)}`);
    // What each accepts: the subscriber's token with its signature replaced (what a forger sends).
    const forged = `${token.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`;
    const forgedAccepted = {
      local: !(await post(url, forged, AUTHORIZED).catch(() => ({ errors: [{ errorType: 'HTTP' }] }))).errors,
      simulator: !(await post(simUrl, forged, AUTHORIZED).catch(() => ({ errors: [{ errorType: 'HTTP' }] }))).errors,
    };

    const articles: Request = { url, token, query: AUTHORIZED };
    const bareArticles: Request = { url: bareUrl, token: undefined, query: AUTHORIZED };
    const rows: [string, () => Promise<LoadRow>][] = [
      // The ones with a latency goal: 3 timed runs, the median beside the goal.
      ['articles', () => load('articles', 'local: articles (authorized, 10 items)', saturating('articles', articles), local.child, 3)],
      ['articles-rate', () => load('articles-rate', `local: articles at ${RATE} req/s offered (authorized, 10 items)`, paced('articles-rate', articles), local.child, 3, RATE)],
      ['simulator', () => load('simulator', 'Amplify AppSync simulator: articles (authorized, 10 items, VTL + Lambda data source from memory)', saturating('simulator', { ...articles, url: simUrl }), sim.child)],
      ['drafts', () => load('drafts', 'local: drafts (denied field)', saturating('drafts', { url, token, query: DENIED }), local.child)],
      ['me', () => load('me', 'local: me (authorized, NONE data source)', saturating('me', { url, token, query: NO_DATABASE }), local.child)],
      ['bare', () => load('bare', 'bare graphql-js: articles (same data)', saturating('bare', bareArticles), bare.child)],
      ['bare-rate', () => load('bare-rate', `bare graphql-js: articles at ${RATE} req/s offered (same data)`, paced('bare-rate', bareArticles), bare.child, 1, RATE)],
    ];
    const results: LoadRow[] = [];
    for (const [step, row] of rows) if (runs(step)) results.push(await row());
    const ratio = runs('ratio') ? await sideBySide(saturating('ratio ours', articles), saturating('ratio simulator', { ...articles, url: simUrl }), RATIO_RUNS) : undefined;
    const byId = (id: string) => results.find((r) => r.id === id);
    const loaded = rssMb(local.child.pid!);
    await stop(sim.child);
    await stop(bare.child);
    await stop(local.child);

    const ours = byId('articles');
    const report = {
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rate: RATE,
      results,
      oursOverSimulator: ratio,
      forgedSignatureAccepted: forgedAccepted,
      memoryMb: { idleRss: idle.rss, afterLoadRss: loaded.rss, peakRss: loaded.peak },
      startupSeconds,
    };
    console.log(`\nLocal endpoint bench (${CONNECTIONS} connections, ${SECONDS} s each after ${WARMUP_SECONDS} s untimed)`);
    for (const r of results) {
      const spreadText = r.runs.length > 1 ? ` (${r.p99MinMs}–${r.p99MaxMs}, median of ${r.runs.length} runs)` : '';
      console.log(`  ${r.name.padEnd(42)} ${String(r.reqPerSec).padStart(7)} req/s   p50 ${r.p50ms} ms   p99 ${r.p99ms} ms${spreadText}   server CPU ${r.serverCpuUs} µs/request (main thread ${r.mainThreadCpuUs})   load ${r.load}`);
    }
    for (const r of [ours, byId('articles-rate')]) {
      if (r) console.log(`  ${r.name}: p99 ${r.p99ms} ms   goal p99 ≤ ${ARTICLES_P99_GOAL_MS} ms: ${r.p99ms <= ARTICLES_P99_GOAL_MS ? 'met' : 'NOT MET'}`);
    }
    if (ratio) console.log(`  ours / simulator, side by side: ${ratio.ratio}x (ours ${ratio.reqPerSec.ours.join(', ')} req/s; simulator ${ratio.reqPerSec.simulator.join(', ')}; goal ≥ ${OURS_OVER_SIMULATOR_GOAL}x: ${ratio.ratio >= OURS_OVER_SIMULATOR_GOAL ? 'met' : 'NOT MET'})`);
    console.log(`  a token with a forged signature: local ${forgedAccepted.local ? 'ACCEPTED' : 'refused'}, simulator ${forgedAccepted.simulator ? 'accepted' : 'refused'}`);
    console.log(`  memory (local mode, one process): ${idle.rss} MB idle, ${loaded.rss} MB after load, peak ${loaded.peak} MB`);
    if (startupSeconds) console.log(`  start to ready: first npm start in a fresh clone ${startupSeconds.firstNpmStartFreshClone} s (transpile + synth + start); node dist/local/start.js on an empty data dir ${startupSeconds.emptyDataDir} s, later starts median ${startupSeconds.nodeStartMedian} s (${startupSeconds.nodeStartRuns.join(', ')}; goal ≤ 2 s) with IdPs ${startupSeconds.idps.join(', ')} running, idle RSS ${startupSeconds.idleRssMb} MB`);
    mkdirSync(repoPath('.tmp'), { recursive: true });
    // A partial run (BENCH_ONLY) never stands in for the whole one the report merges.
    const out = ONLY ? '.tmp/bench-endpoint-partial.json' : '.tmp/bench-endpoint.json';
    writeFileSync(repoPath(out), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`written: ${out}`);
  } finally {
    stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  reportError(e, 'bench failed: ');
  stopAll();
  process.exit(1);
});
