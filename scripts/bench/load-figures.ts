import type { Figure } from './figure';

/** One load row of .tmp/bench-endpoint.json (scripts/bench/run.ts `load`). */
export interface LoadResult {
  readonly id: string;
  readonly name: string;
  readonly reqPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  /** Spread of p99 over the timed runs (when there were several). */
  readonly p99MinMs?: number;
  readonly p99MaxMs?: number;
  readonly runs?: readonly unknown[];
  /** The server's CPU per request: all its threads, and its main thread alone. */
  readonly serverCpuUs?: number;
  readonly mainThreadCpuUs?: number;
  /** Set on the fixed-rate rows: the requests per second offered (reqPerSec is what was answered). */
  readonly offeredRate?: number;
}

/** The goal of issue 14 for the local endpoint: `articles` p99 ≤ 5 ms. */
export const ARTICLES_P99_GOAL_MS = 5;

export function resultById(results: readonly LoadResult[], id: string): LoadResult {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`bench report: no endpoint result "${id}" in .tmp/bench-endpoint.json (run \`npm run bench\`)`);
  return r;
}

/** A load row's value as the table shows it. */
export function loadText(r: LoadResult): string {
  const rate = r.offeredRate === undefined ? `${r.reqPerSec.toLocaleString('en')} req/s` : `${r.reqPerSec.toLocaleString('en')} req/s answered of ${r.offeredRate.toLocaleString('en')} offered`;
  const spread = r.runs && r.runs.length > 1 ? ` (${r.p99MinMs}–${r.p99MaxMs}; median of ${r.runs.length} runs)` : '';
  const cpu = r.serverCpuUs === undefined ? '' : `, server CPU ${r.serverCpuUs} µs/request${r.mainThreadCpuUs === undefined ? '' : ` (main thread ${r.mainThreadCpuUs})`}`;
  return `${rate}, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms${spread}${cpu}`;
}

/**
 * The `articles` rows, both beside the p99 goal: at saturation (the load generator's connections
 * as fast as they go, so p99 is mostly queueing behind the other connections' requests) and at a
 * fixed offered rate (the latency of one request on a server that keeps up).
 */
export function articlesFigures(results: readonly LoadResult[], connections: number): Figure[] {
  const saturated = resultById(results, 'articles');
  const paced = resultById(results, 'articles-rate');
  const goal = `p99 ≤ ${ARTICLES_P99_GOAL_MS} ms`;
  return [
    { what: `local: \`articles\`, 10 items from DynamoDB, full token check, ${connections} connections as fast as they go (saturation)`, value: loadText(saturated), goal, met: saturated.p99ms <= ARTICLES_P99_GOAL_MS },
    {
      what: `local: the same \`articles\` at a fixed offered rate of ${paced.offeredRate?.toLocaleString('en')} req/s (evenly spaced, ${connections} connections)`,
      value: loadText(paced),
      goal,
      met: paced.p99ms <= ARTICLES_P99_GOAL_MS,
    },
  ];
}

/** Ours / the Amplify simulator on `articles`, measured side by side (scripts/bench/run.ts `sideBySide`). */
export interface SideBySide {
  readonly ratio: number;
  /** Each timed run's req/s, in the order measured (the runs alternated). */
  readonly reqPerSec: { readonly ours: readonly number[]; readonly simulator: readonly number[] };
}

/** The issue's goal: ours ≥ 5× the simulator's req/s. */
export const OURS_OVER_SIMULATOR_GOAL = 5;

export function ratioFigure(r: SideBySide | undefined): Figure {
  if (!r) throw new Error('bench report: no side-by-side ratio (oursOverSimulator) in .tmp/bench-endpoint.json (run `npm run bench`)');
  const runs = (xs: readonly number[]) => xs.map((x) => x.toLocaleString('en')).join(', ');
  return {
    what: `ours / simulator (\`articles\` req/s, medians of ${r.reqPerSec.ours.length} runs each, alternating ours and the simulator)`,
    value: `${r.ratio}× (ours ${runs(r.reqPerSec.ours)} req/s; simulator ${runs(r.reqPerSec.simulator)})`,
    goal: `≥ ${OURS_OVER_SIMULATOR_GOAL}×`,
    met: r.ratio >= OURS_OVER_SIMULATOR_GOAL,
  };
}
