import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { repoPath } from '../../config/paths';
import { reportError, UserFacingError } from '../../config/errors';
import { type Figure, figureText, median, s, spread } from './figure';
import { scaleFigures, type ScaleSize } from './scale-figures';
import type { CpuFigure } from './server-cpu';
import { articlesFigures, type LoadResult, loadText as load, ratioFigure, resultById, type SideBySide } from './load-figures';

export type { Figure } from './figure';

/**
 * The last step of `npm run bench`: merges the parts the steps wrote (.tmp/bench-*.json) into
 * .tmp/bench.json and prints every figure beside its goal. `npm run bench:readme` renders the
 * same `figures` into README.md, so no figure is ever typed by hand.
 */

interface HyperfineResult {
  command: string;
  median: number;
  min: number;
  max: number;
  times: number[];
}

function part<T>(file: string): T {
  const p = repoPath(`.tmp/${file}`);
  if (!existsSync(p)) throw new UserFacingError({ location: p, problem: 'is missing: a bench step did not finish', fix: 'run `npm run bench`' }, `bench report: ${p} is missing: a bench step did not finish (run \`npm run bench\`)`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}


function main(): void {
  const synth = part<{ results: HyperfineResult[] }>('bench-synth.json').results;
  const [app, appModules, floor, npmSynth, synthScript, npmItself, npmSynthForced] = synth;
  const cdktf = part<{ results: HyperfineResult[] }>('bench-cdktf-synth.json').results[0];
  const spawns = part<string[]>('synth-spawns.json');
  const rssKb = readFileSync(repoPath('.tmp/synth-rss-kb.txt'), 'utf8').trim().split(/\s+/).map(Number);
  const endpoint = part<{
    results: LoadResult[];
    oursOverSimulator?: SideBySide;
    forgedSignatureAccepted: { local: boolean; simulator: boolean };
    memoryMb: { idleRss: number; afterLoadRss: number; peakRss: number };
    startupSeconds: { firstNpmStartFreshClone: number; emptyDataDir: number; nodeStartMedian: number; nodeStartRuns: number[]; idps: string[]; idleRssMb: number };
    seconds: number;
    connections: number;
    rate: number;
  }>('bench-endpoint.json');
  const aws = part<{
    getObject: { median: number; min: number; max: number; runs: { p50ms: number; p99ms: number; serverCpuUs?: number }[]; seconds: number; connections: number };
    getCredentialsForIdentity: { p50: number; p99: number; p99Min?: number; p99Max?: number; rounds?: unknown[]; calls: number; serverCpuUs?: number };
  }>('bench-aws.json');
  const emulator = part<{ microsPerQuery: number; queriesPerSecond: number }>('bench-emulator.json');
  const srp = part<{ srpSignIn: CpuFigure }>('bench-srp.json').srpSignIn;
  const pkce = part<{ exchange: CpuFigure; whole: CpuFigure }>('bench-pkce.json');
  const cpu = (f: CpuFigure) => `${f.medianMs.toFixed(1)} ms (${f.minMs.toFixed(1)}–${f.maxMs.toFixed(1)}; ${f.batches} batches of ${f.perBatch})`;
  const scale = part<{ selectedFields: number; sizes: ScaleSize[] }>('bench-scale.json');

  const byId = (id: string) => resultById(endpoint.results, id);
  const rssMedianMb = Math.round(median(rssKb) / 1024);

  const figures: Figure[] = [
    { what: 'processes synth starts besides esbuild\'s service (main thread, dev + prod)', value: String(spawns.length), goal: '0', met: spawns.length === 0 },
    { what: 'app run: `node dist/main.js` (dev + prod; the synth bundle; `SYNTH_FORCE=1`, so no up-to-date skip), median (min–max)', value: spread(app), goal: '≤ 0.8 s', met: app.median <= 0.8 },
    { what: 'app run peak RSS (`/usr/bin/time -v`, median of 3)', value: `${rssMedianMb} MB`, goal: '≤ 150 MB', met: rssMedianMb <= 150 },
    { what: 'the same app as its modules (`SYNTH_BUNDLE=0`, no bundle, no code cache)', value: `${spread(appModules)}; ${(appModules.median / app.median).toFixed(2)}× the app run`, goal: '' },
    { what: 'floor: node + `require` of the cdktf/provider modules synth loads', value: `${spread(floor)}; app / floor ${(app.median / floor.median).toFixed(2)}×`, goal: '' },
    { what: '`npm run synth`, nothing changed (the up-to-date check skips the app)', value: `${spread(npmSynth)}; ${(npmSynth.median / app.median).toFixed(2)}× the app run`, goal: '≤ 1.3× the app run', met: npmSynth.median <= 1.3 * app.median },
    // The real cost of `npm run synth` stays visible: the same run with the skip turned off.
    { what: '`npm run synth`, forced (`SYNTH_FORCE=1`: the app runs)', value: `${spread(npmSynthForced)}; ${(npmSynthForced.median / app.median).toFixed(2)}× the app run`, goal: '' },
    // npm's own start-up is a fixed cost outside the project: shown beside it, so the build step's own share is visible.
    { what: 'the same synth script without npm (`node scripts/transpile.js --run dist/main.js`)', value: `${spread(synthScript)}; ${(synthScript.median / app.median).toFixed(2)}× the app run`, goal: '' },
    { what: "npm's own start-up (`npm --version`), same run", value: spread(npmItself), goal: '' },
    { what: '`npx cdktf synth` (cdktf-cli start-up included; `SYNTH_FORCE=1`)', value: spread(cdktf), goal: '' },
    { what: 'first `npm start` in a fresh clone (after `npm ci`) to ready', value: s(endpoint.startupSeconds.firstNpmStartFreshClone), goal: '≤ 6 s', met: endpoint.startupSeconds.firstNpmStartFreshClone <= 6 },
    {
      what: `later starts (\`node dist/local/start.js\`, data dir kept) to ready with every IdP running (${endpoint.startupSeconds.idps.join(', ')}), median of ${endpoint.startupSeconds.nodeStartRuns.length}`,
      value: `${s(endpoint.startupSeconds.nodeStartMedian)} (${endpoint.startupSeconds.nodeStartRuns.join(', ')}); idle RSS ${endpoint.startupSeconds.idleRssMb} MB`,
      goal: '≤ 2 s',
      met: endpoint.startupSeconds.nodeStartMedian <= 2,
    },
    { what: 'a start on an empty data directory (keys, tables, users, demo articles made) to ready', value: s(endpoint.startupSeconds.emptyDataDir), goal: '' },
    ...articlesFigures(endpoint.results, endpoint.connections),
    { what: 'Amplify AppSync simulator: same schema, same 10-item page (VTL, from memory), same token', value: load(byId('simulator')), goal: '' },
    ratioFigure(endpoint.oursOverSimulator),
    { what: 'the subscriber\'s token with a forged signature', value: `local ${endpoint.forgedSignatureAccepted.local ? 'ACCEPTS' : 'refuses (401)'}; simulator ${endpoint.forgedSignatureAccepted.simulator ? 'accepts' : 'refuses'}`, goal: 'local refuses', met: !endpoint.forgedSignatureAccepted.local },
    { what: 'local: denied field (`drafts` as a subscriber)', value: load(byId('drafts')), goal: '' },
    { what: 'local: `me` (token check + field auth + APPSYNC_JS, no database)', value: load(byId('me')), goal: '' },
    { what: 'bare graphql-js server, same `articles` answer from memory (saturation)', value: load(byId('bare')), goal: '' },
    { what: `bare graphql-js server, same answer, the same fixed offered rate (${endpoint.rate.toLocaleString('en')} req/s)`, value: load(byId('bare-rate')), goal: '' },
    { what: 'local mode memory (user pool, DynamoDB, endpoint in one process)', value: `${endpoint.memoryMb.idleRss} MB idle, ${endpoint.memoryMb.afterLoadRss} MB after load, ${endpoint.memoryMb.peakRss} MB peak`, goal: '' },
    {
      what: `S3 GetObject with identity-pool credentials, SigV4-verified and authorized by policy evaluation, ${aws.getObject.connections} connections, median (min–max) of 3`,
      value: `${aws.getObject.median.toLocaleString('en')} req/s (${aws.getObject.min.toLocaleString('en')}–${aws.getObject.max.toLocaleString('en')}), p99 ${aws.getObject.runs.map((r) => r.p99ms).join('/')} ms, server CPU ${aws.getObject.runs.map((r) => r.serverCpuUs ?? '?').join('/')} µs/request`,
      goal: '≥ 2,000 req/s',
      met: aws.getObject.median >= 2000,
    },
    {
      what: `GetCredentialsForIdentity (${aws.getCredentialsForIdentity.calls} sequential, token check + server-side user check + mint${aws.getCredentialsForIdentity.rounds ? `; the median of ${aws.getCredentialsForIdentity.rounds.length} rounds` : ''})`,
      value: `p50 ${aws.getCredentialsForIdentity.p50} ms, p99 ${aws.getCredentialsForIdentity.p99} ms${aws.getCredentialsForIdentity.p99Min === undefined ? '' : ` (${aws.getCredentialsForIdentity.p99Min}–${aws.getCredentialsForIdentity.p99Max})`}, server CPU ${aws.getCredentialsForIdentity.serverCpuUs ?? '?'} µs/call`,
      goal: 'p99 ≤ 5 ms',
      met: aws.getCredentialsForIdentity.p99 <= 5,
    },
    { what: 'local user pool: server CPU of one SRP sign-in (amazon-cognito-identity-js `authenticateUser`)', value: cpu(srp), goal: '≤ 20 ms', met: srp.medianMs <= 20 },
    { what: 'managed login: server CPU of one code + PKCE exchange (`POST /oauth2/token`)', value: cpu(pkce.exchange), goal: '≤ 20 ms', met: pkce.exchange.medianMs <= 20 },
    { what: 'managed login: server CPU of a whole browser sign-in (authorize, form, exchange)', value: cpu(pkce.whole), goal: '' },
    { what: 'DynamoDB emulator alone: the `articles` GSI Query through its transport', value: `${emulator.microsPerQuery} µs (${emulator.queriesPerSecond.toLocaleString('en')} queries/s)`, goal: '' },
    ...scaleFigures(scale.sizes, scale.selectedFields),
  ];

  const loadStart = existsSync(repoPath('.tmp/bench-load-start.txt')) ? readFileSync(repoPath('.tmp/bench-load-start.txt'), 'utf8').trim() : 'unknown';
  const report = {
    date: new Date().toISOString(),
    cores: cpus().length,
    node: process.version,
    loadAverage: { atStart: loadStart, atEnd: loadavg().map((x) => x.toFixed(2)).join(' ') },
    figures,
    results: endpoint.results,
    oursOverSimulator: endpoint.oursOverSimulator,
    synth: { hyperfine: synth.map(({ command, median: m, min, max, times }) => ({ command, median: m, min, max, runs: times.length })), cdktfSynth: { median: cdktf.median, min: cdktf.min, max: cdktf.max }, peakRssKb: rssKb, spawns },
    endpoint,
    emulator,
    aws,
    scale,
  };
  writeFileSync(repoPath('.tmp/bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nBench ${report.date}, ${report.cores} cores, load average at start ${report.loadAverage.atStart}, at end ${report.loadAverage.atEnd}`);
  for (const f of figures) console.log(figureText(f));
  console.log('written: .tmp/bench.json (`npm run bench:readme` puts it into README.md)');
}

try {
  main();
} catch (e) {
  reportError(e);
}
