import { articlesFigures, type LoadResult, loadText, ratioFigure } from '../scripts/bench/load-figures';
import { renderBenchBlock } from '../scripts/bench/readme';

/**
 * The bench's `articles` rows (scripts/bench/load-figures.ts) and how `npm run bench:readme`
 * renders them (scripts/bench/readme.ts): the fixed-rate row beside the saturation one, both
 * beside the p99 goal.
 */

const saturated: LoadResult = { id: 'articles', name: 'local: articles', reqPerSec: 1595, p50ms: 5, p99ms: 16, p99MinMs: 14, p99MaxMs: 18, runs: [{}, {}, {}], serverCpuUs: 894, mainThreadCpuUs: 610 };
const paced: LoadResult = { id: 'articles-rate', name: 'local: articles at 1000 req/s', offeredRate: 1000, reqPerSec: 998, p50ms: 1.21, p99ms: 3.4, p99MinMs: 2.9, p99MaxMs: 4.8, runs: [{}, {}, {}], serverCpuUs: 700, mainThreadCpuUs: 480 };

test('the articles rows: saturation and a fixed offered rate, each judged against p99 ≤ 5 ms on its own p99', () => {
  const [sat, rate] = articlesFigures([saturated, paced], 10);
  expect(sat).toMatchObject({ goal: 'p99 ≤ 5 ms', met: false });
  expect(sat.what).toMatch(/10 connections as fast as they go \(saturation\)/);
  expect(rate).toMatchObject({ goal: 'p99 ≤ 5 ms', met: true });
  expect(rate.what).toMatch(/fixed offered rate of 1,000 req\/s/);
  expect(rate.value).toBe('998 req/s answered of 1,000 offered, p50 1.21 ms, p99 3.4 ms (2.9–4.8; median of 3 runs), server CPU 700 µs/request (main thread 480)');
  expect(articlesFigures([saturated, { ...paced, p99ms: 5.2 }], 10)[1].met).toBe(false);
});

test('a saturation row reads req/s without an offered rate', () => {
  expect(loadText({ ...saturated, runs: [{}], mainThreadCpuUs: undefined })).toBe('1,595 req/s, p50 5 ms, p99 16 ms, server CPU 894 µs/request');
});

test('a bench without the fixed-rate row is refused with what to do', () => {
  expect(() => articlesFigures([saturated], 10)).toThrow('no endpoint result "articles-rate" in .tmp/bench-endpoint.json (run `npm run bench`)');
});

test('npm run bench:readme renders both rows with their goal', () => {
  const block = renderBenchBlock({ date: '2026-12-03T08:00:00.000Z', cores: 2, node: 'v20', loadAverage: { atStart: '1', atEnd: '2' }, figures: articlesFigures([saturated, paced], 10) });
  const rows = block.split('\n').filter((l) => l.startsWith('| local:'));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(/\(saturation\) \| 1,595 req\/s.* \| p99 ≤ 5 ms: \*\*not met\*\* \|$/);
  expect(rows[1]).toMatch(/fixed offered rate of 1,000 req\/s.* \| 998 req\/s answered of 1,000 offered, .* \| p99 ≤ 5 ms: met \|$/);
});

test('ours / simulator: the ratio of the side-by-side medians beside the 5× goal, every run shown', () => {
  const f = ratioFigure({ ratio: 5.12, reqPerSec: { ours: [3229, 3301, 3150], simulator: [630, 645, 612] } });
  expect(f).toMatchObject({ goal: '≥ 5×', met: true });
  expect(f.value).toBe('5.12× (ours 3,229, 3,301, 3,150 req/s; simulator 630, 645, 612)');
  expect(f.what).toMatch(/medians of 3 runs each, alternating/);
  expect(ratioFigure({ ratio: 4.99, reqPerSec: { ours: [1], simulator: [1] } }).met).toBe(false);
  expect(() => ratioFigure(undefined)).toThrow('no side-by-side ratio (oursOverSimulator) in .tmp/bench-endpoint.json (run `npm run bench`)');
});
