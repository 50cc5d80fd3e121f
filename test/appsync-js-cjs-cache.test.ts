/**
 * Resolver code kept between local-mode starts (local/appsync-js/cjs-cache.ts): a later runtime
 * on the same cache folder runs the kept, checked CommonJS form instead of converting and
 * checking again; code that fails the checks is never kept.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppSyncJsCodeError, createAppSyncJsRuntime } from '../local/appsync-js';
import type { ResolverCode } from '../local/appsync-js';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

afterAll(removeTemporaryDirs);

const GOOD: ResolverCode = {
  typeName: 'Query',
  fieldName: 'probe',
  kind: 'UNIT',
  dataSource: 'none',
  code: "export function request(ctx) { return { payload: 'converted' }; }\nexport function response(ctx) { return ctx.result; }\n",
};

function runtime(cacheDir: string) {
  return createAppSyncJsRuntime({ dataSources: [{ name: 'none', type: 'NONE' }], dynamodb: { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1' }, env: {}, cacheDir });
}

const call = (cacheDir: string, resolver: ResolverCode) =>
  runtime(cacheDir).resolveField(resolver, { arguments: {}, source: null, identity: null, request: { headers: {} }, info: { fieldName: 'probe', parentTypeName: 'Query', variables: {}, selectionSetList: [] } });

test('a later runtime on the same cache folder runs the kept form, not a new conversion', async () => {
  const cacheDir = temporaryDir('cjs-cache-');
  expect((await call(cacheDir, GOOD)).data).toBe('converted');
  const kept = readdirSync(path.join(cacheDir, 'resolvers'));
  expect(kept).toHaveLength(1);
  // Marked so that only the kept form can answer 'kept': a reconversion of GOOD answers 'converted'.
  const file = path.join(cacheDir, 'resolvers', kept[0]);
  const keptCode = readFileSync(file, 'utf8');
  expect(keptCode).toContain('"converted"'); // esbuild's quotes
  writeFileSync(file, keptCode.replace('"converted"', '"kept"'));
  expect((await call(cacheDir, GOOD)).data).toBe('kept');
  // Other code has its own entry: the mark does not leak into it.
  const other = { ...GOOD, code: GOOD.code.replace("'converted'", "'other'") };
  expect((await call(cacheDir, other)).data).toBe('other');
});

test('code that fails the checks is refused on every start and never kept', () => {
  const cacheDir = temporaryDir('cjs-cache-');
  const bad = { ...GOOD, code: `${GOOD.code}export function extra() { for (;;) {} }\n` };
  for (let start = 0; start < 2; start++) expect(() => runtime(cacheDir).prepare([bad])).toThrow(AppSyncJsCodeError);
  expect(readdirSync(cacheDir)).toEqual([]);
});
