import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadAppSyncSchema } from '../../access/appsync-schema';
import { createDocumentCache } from '../../local/graphql/document-cache';
import { execute, ExecutionResult } from 'graphql';

/**
 * The bench's baseline: node:http + graphql-js with parsed/validated documents cached, no
 * token check, no auth model, no resolvers: every query field answers a fixed object. It
 * answers the same query with the same data as the local endpoint, so the difference is what
 * token verification, per-field auth and the APPSYNC_JS runtime cost.
 *
 * Usage: node dist/scripts/bench/bare-server.js <fixture.json>   (prints `port=<n>` when ready)
 * The fixture is the `data` object the local endpoint returned for the benchmarked query.
 */

function main(): void {
  const fixtureFile = process.argv[2];
  if (!fixtureFile) throw new Error('usage: bare-server.js <fixture.json> (the data object to answer with)');
  const data = JSON.parse(readFileSync(fixtureFile, 'utf8')) as Record<string, unknown>;
  const { schema } = loadAppSyncSchema();
  const documents = createDocumentCache({ schema, introspection: true });
  const answer = async (raw: Buffer): Promise<string> => {
    const body = JSON.parse(raw.toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    const prepared = documents.prepare(body.query);
    const result: ExecutionResult | { errors: readonly unknown[] } = prepared.ok
      ? await execute({ schema, document: prepared.document, rootValue: data, variableValues: body.variables })
      : { errors: prepared.errors };
    return JSON.stringify(result);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(Buffer.concat(chunks)).then(
        (text) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
        // A request it cannot answer is a 500 (autocannon counts it as non-2xx), not a crash.
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(e instanceof Error ? e.message : String(e));
        },
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`port=${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
