import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * Load at a fixed offered rate (open loop): request i is due at start + i / rate, whatever the
 * server's answers, over at most `connections` keep-alive sockets. Why not autocannon's
 * `overallRate`: autocannon 8 lets each connection send back to back until it has made its share
 * of the second, then pauses until the next second (lib/httpClient.js), so 1,000 req/s is a
 * saturating burst of about 0.2 s followed by idleness, and its latencies are those of saturation.
 *
 * Latency is counted from when the request is issued, not from when a socket took it: a request
 * that waited for a free connection (all `connections` busy with a slow server) counts that wait
 * (no coordinated omission). Not counted: how late this process's own timer fired (about a
 * millisecond; the load generator's delay, not the server's). A server that cannot keep up shows
 * as achieved req/s below the offered rate and growing latency.
 */

export interface PacedOptions {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Requests per second offered. */
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
}

export interface PacedResult {
  /** Requests sent: always rate × seconds (the schedule does not wait for answers). */
  readonly requests: number;
  /** Answers per second, over the time from the first due time to the last answer. */
  readonly achievedPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly maxMs: number;
  /** Answers that were not 2xx, or requests that failed. */
  readonly failed: number;
}

export async function pacedLoad(o: PacedOptions): Promise<PacedResult> {
  const total = Math.round(o.rate * o.seconds);
  if (!(total > 0) || !(o.connections > 0)) throw new Error(`pacedLoad: rate × seconds (${total}) and connections (${o.connections}) must be positive`);
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const url = new URL(o.url);
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const headers = { ...o.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const latencies = new Float64Array(total);
  let failed = 0;
  let lastAnswer = 0;

  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const issued = performance.now();
      const done = (ok: boolean) => {
        lastAnswer = performance.now();
        latencies[i] = lastAnswer - issued;
        if (!ok) failed++;
        resolve();
      };
      const req = request(url, { method: o.method ?? 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300));
        res.on('error', () => done(false));
      });
      req.on('error', () => done(false));
      req.end(body);
    });

  const start = performance.now();
  const interval = 1000 / o.rate;
  const inFlight: Promise<void>[] = [];
  let next = 0;
  try {
    while (next < total) {
      // Everything due by now goes out: a timer that fired late sends its backlog at once, so
      // the offered rate holds over any second.
      const now = performance.now();
      for (; next < total && start + next * interval <= now; next++) inFlight.push(send(next));
      if (next < total) await sleep(start + next * interval - performance.now());
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q: number) => round2(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { requests: total, achievedPerSec: Math.round(total / ((lastAnswer - start) / 1000)), p50ms: at(0.5), p99ms: at(0.99), maxMs: round2(sorted[sorted.length - 1]), failed };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const round2 = (x: number) => Math.round(x * 100) / 100;
