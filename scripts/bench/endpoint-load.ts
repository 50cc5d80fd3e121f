import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalOutputs } from '../../local/outputs';
import { signIn as signInToPool } from '../../local/user-pool/sign-in';
import { startUntil } from './children';
import { pacedLoad } from './paced-load';

/**
 * What the endpoint benches share (scripts/bench/run.ts, scripts/bench/endpoint-ab.ts): the local
 * mode started on its own ports and data directory with `PAGE` published articles, the requests
 * they time, autocannon at saturation, and a process's CPU time from /proc.
 */

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types
const autocannon = require('autocannon') as Autocannon;


/** The load generator's connections in every endpoint row. */
export const CONNECTIONS = 10;

/** Items per page of the authorized query (the bench publishes that many first). */
export const PAGE = 10;
export const AUTHORIZED = `{ articles(limit: ${PAGE}) { items { id title summary body } nextToken } }`;
export const DENIED = '{ drafts(limit: 10) { items { id title } } }';
/** Authorized too, but its resolver uses the NONE data source: the endpoint + runtime cost without DynamoDB. */
export const NO_DATABASE = '{ me { username groups } }';


export function localModeArgs(dir: string): string[] {
  return ['--port', '0', '--user-pool-port', '0', '--dynamodb-port', '0', '--data-dir', path.join(dir, 'data'), '--outputs', path.join(dir, 'outputs.json')];
}


/** A demo user's access token (what aws-amplify sends), from the local pool the outputs name. */
export async function signIn(outputs: LocalOutputs, email: string): Promise<string> {
  const user = outputs.demoUsers.find((u) => u.email === email);
  if (!user?.password) throw new Error(`bench: no demo user ${email} with a permanent password in the outputs`);
  const pool = { endpoint: outputs.Auth.Cognito.userPoolEndpoint, region: outputs.API.GraphQL.region };
  return (await signInToPool(pool, outputs.Auth.Cognito.userPoolClientId, email, user.password)).accessToken;
}

export interface GraphqlAnswer {
  data?: Record<string, unknown>;
  errors?: { errorType: string }[];
}

export async function post(url: string, token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = token;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GraphqlAnswer;
}

/**
 * The seed has fewer published articles than a page: an editor writes and publishes more through
 * the API until `count` are published, so the timed query really returns `count` items.
 */
export async function publishArticles(outputs: LocalOutputs, url: string, count: number): Promise<void> {
  const editor = await signIn(outputs, 'editor@example.com');
  const published = async () => ((await post(url, editor, `{ articles(limit: ${count}) { items { id } } }`)).data?.articles as { items: unknown[] }).items.length;
  for (let n = await published(); n < count; n++) {
    const input = { title: `Bench article ${n + 1}`, summary: 'What the article is about, in a sentence or two for the list view.', body: 'A paragraph of body text. '.repeat(24) };
    const created = await post(url, editor, 'mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id } }', { input });
    const id = (created.data?.createArticle as { id?: string } | undefined)?.id;
    if (!id) throw new Error(`bench: createArticle failed: ${JSON.stringify(created)}`);
    const publish = await post(url, editor, 'mutation ($id: ID!) { publishArticle(id: $id) { id } }', { id });
    if (publish.errors) throw new Error(`bench: publishArticle failed: ${JSON.stringify(publish)}`);
  }
  if ((await published()) !== count) throw new Error(`bench: expected ${count} published articles`);
}

/**
 * CPU time (user + system, ms) a process has used so far (all its threads), or with `tid` one of
 * its threads (`tid` = `pid`: the main thread, where the endpoint and the DynamoDB emulator run;
 * the IdPs and V8's garbage collector have threads of their own). From /proc (Linux; clock ticks of 10 ms).
 */
export function cpuMs(pid: number, tid?: number): number {
  const stat = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const fields = readFileSync(stat, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/**
 * One `drive` of `seconds` against the server process `pid`, with the server's CPU per request:
 * serverCpuUs over all its threads (steadier than req/s and latency when other processes take the
 * cores, though not constant), mainThreadCpuUs the part of it on its main thread.
 */
export async function driveMeasuringCpu(drive: Drive, seconds: number, pid: number): Promise<Measured & { serverCpuUs: number; mainThreadCpuUs: number }> {
  const [all, main] = [cpuMs(pid), cpuMs(pid, pid)];
  const r = await drive(seconds);
  const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, r.requests));
  return { ...r, serverCpuUs: perRequest(cpuMs(pid) - all), mainThreadCpuUs: perRequest(cpuMs(pid, pid) - main) };
}


/** What the load generator saw in one run. */
export interface Measured {
  reqPerSec: number;
  p50ms: number;
  p99ms: number;
  requests: number;
}
/** One load of `seconds` against the request of a row; throws on any failed request. */
export type Drive = (seconds: number) => Promise<Measured>;

export interface Request {
  url: string;
  token: string | undefined;
  query: string;
}

export function requestOptions({ url, token, query }: Request) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = token;
  return { url, method: 'POST', headers, body: JSON.stringify({ query }) };
}

/** autocannon: `CONNECTIONS` connections, each sending its next request as soon as the last is answered. */
export function saturating(name: string, request: Request): Drive {
  return async (seconds) => {
    const r = await autocannon({ ...requestOptions(request), connections: CONNECTIONS, duration: seconds });
    if (r.non2xx || r.errors || r.timeouts) throw new Error(`bench ${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
    return { reqPerSec: Math.round(r.requests.average), p50ms: r.latency.p50, p99ms: r.latency.p99, requests: r.requests.total };
  };
}

/** `rate` requests per second, evenly spaced, over `CONNECTIONS` connections (scripts/bench/paced-load.ts). */
export function paced(name: string, request: Request, rate: number): Drive {
  return async (seconds) => {
    const r = await pacedLoad({ ...requestOptions(request), rate, connections: CONNECTIONS, seconds });
    if (r.failed) throw new Error(`bench ${name}: ${r.failed} of ${r.requests} requests failed or were not 2xx`);
    return { reqPerSec: r.achievedPerSec, p50ms: r.p50ms, p99ms: r.p99ms, requests: r.requests };
  };
}

/** A local mode serving `PAGE` published articles, and a subscriber's access token for it. */
export interface LoadedLocalMode {
  readonly child: ChildProcess;
  readonly outputs: LocalOutputs;
  readonly url: string;
  readonly subscriberToken: string;
}

/**
 * Starts `node dist/local/start.js` of the checkout at `root` (with `nodeArgs` before the script,
 * e.g. `--cpu-prof`) on a data directory under `dir`, publishes `PAGE` articles and signs the
 * subscriber in; checks the authorized query returns the page before anyone times it.
 */
export async function startLoadedLocalMode(root: string, dir: string, nodeArgs: readonly string[] = []): Promise<LoadedLocalMode> {
  const { child } = await startUntil(process.execPath, [...nodeArgs, 'dist/local/start.js', ...localModeArgs(dir)], /^Ready in/, root);
  const outputs = JSON.parse(readFileSync(path.join(dir, 'outputs.json'), 'utf8')) as LocalOutputs;
  const url = outputs.API.GraphQL.endpoint;
  await publishArticles(outputs, url, PAGE);
  const subscriberToken = await signIn(outputs, 'subscriber@example.com');
  const answer = await post(url, subscriberToken, AUTHORIZED);
  const items = (answer.data?.articles as { items?: unknown[] } | undefined)?.items?.length;
  if (answer.errors || items !== PAGE) throw new Error(`bench: the authorized query in ${root} returned ${items ?? 'no'} items, not ${PAGE}: ${JSON.stringify(answer).slice(0, 500)}`);
  return { child, outputs, url, subscriberToken };
}
