import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pacedLoad } from '../scripts/bench/paced-load';

/**
 * The bench's fixed-rate load (scripts/bench/paced-load.ts) is open loop: it sends rate × seconds
 * requests whatever the server does, over at most `connections` sockets, and a request that waits
 * for a socket counts the wait. The server here answers each request 50 ms after it arrives (at
 * least), so the bounds below follow from the schedule, not from this machine's speed.
 */

let server: Server;
let url: string;
let inFlight = 0;
let maxInFlight = 0;
let received = 0;
const DELAY_MS = 50;

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    req.resume();
    setTimeout(() => {
      inFlight--;
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end('{}');
    }, DELAY_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = 0;
  maxInFlight = 0;
});

test('a server slower than the offered rate still gets every request, never more than `connections` at once, and its queue shows in the latency', async () => {
  // 100 req/s for 0.5 s: 50 requests; 2 at a time, 50 ms each, the last answer comes ≥ 1.25 s
  // after the start, to a request issued at 0.49 s.
  const r = await pacedLoad({ url, body: '{}', rate: 100, connections: 2, seconds: 0.5 });
  expect(r.requests).toBe(50);
  expect(received).toBe(50);
  expect(maxInFlight).toBe(2);
  expect(r.failed).toBe(0);
  expect(r.p99ms).toBeGreaterThanOrEqual(1250 - 490);
  expect(r.achievedPerSec).toBeLessThanOrEqual(40);
  expect(r.p50ms).toBeGreaterThanOrEqual(DELAY_MS);
});

test('answers that are not 2xx are counted as failed', async () => {
  const r = await pacedLoad({ url: `${url}/fail`, method: 'GET', rate: 20, connections: 2, seconds: 0.5 });
  expect(r).toMatchObject({ requests: 10, failed: 10 });
});
