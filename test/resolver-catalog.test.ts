import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAppSyncSchema, loadAppSyncSchema } from '../access/appsync-schema';
import { repoRoot } from '../config/paths';
import { DATA_SOURCE_NAMES } from '../constructs/api-data-sources';
import { loadResolverCatalog, MAX_BUNDLE_BYTES, ResolverCatalogError, type ResolverCatalog } from '../constructs/resolver-catalog';

const FIXTURES = 'test/fixtures/resolver-catalog';
const fixtureSchema = buildAppSyncSchema(readFileSync(join(repoRoot(), FIXTURES, 'schema.graphql'), 'utf8'));
const FIXTURE_DATA_SOURCES = ['store', 'none'];

function loadFixture(name: string): ResolverCatalog {
  return loadResolverCatalog({ dir: `${FIXTURES}/${name}`, schema: fixtureSchema, dataSourceNames: FIXTURE_DATA_SOURCES });
}

/** The error a fixture raises; fails the test when it raises none or another kind. */
function errorOf(load: () => unknown): ResolverCatalogError {
  try {
    load();
  } catch (err) {
    if (err instanceof ResolverCatalogError) return err;
    throw err;
  }
  throw new Error('expected a ResolverCatalogError, but the catalog loaded');
}

describe('a clean resolver folder', () => {
  let catalog: ResolverCatalog;
  beforeAll(() => {
    catalog = loadFixture('clean');
  });

  it('finds unit resolvers, the pipeline and the nested field, not lib/ or non-TypeScript files', () => {
    expect(catalog.resolvers.map((r) => `${r.typeName}.${r.fieldName}:${r.kind}:${r.dataSource ?? '-'}`)).toEqual([
      'Mutation.addNote:UNIT:store',
      'Note.text:UNIT:none',
      'Query.note:UNIT:store',
      'Query.notes:PIPELINE:-',
      'Subscription.onNote:UNIT:none',
    ]);
  });

  it('reports files relative to the repository root', () => {
    const note = catalog.resolvers.find((r) => r.fieldName === 'note');
    expect(note?.file).toBe(`${FIXTURES}/clean/Query.note.[store].ts`);
  });

  it('orders pipeline functions by their number, not by file name', () => {
    const notes = catalog.resolvers.find((r) => r.fieldName === 'notes');
    expect(notes?.file).toBe(`${FIXTURES}/clean/Query.notes/index.ts`);
    expect(notes?.functions?.map((f) => [f.name, f.dataSource, f.file])).toEqual([
      ['Query_notes_2_authorize', 'none', `${FIXTURES}/clean/Query.notes/2.authorize.[none].ts`],
      ['Query_notes_10_scan', 'store', `${FIXTURES}/clean/Query.notes/10.scan.[store].ts`],
    ]);
  });

  it('bundles shared code in and keeps @aws-appsync/utils as an ES import', () => {
    const note = catalog.resolvers.find((r) => r.fieldName === 'note');
    const addNote = catalog.resolvers.find((r) => r.fieldName === 'addNote');
    expect(note?.code).toContain('note-'); // from lib/keys.ts
    expect(note?.code).not.toMatch(/from\s+["']\.\/lib/);
    expect(addNote?.code).toMatch(/import\s*\{\s*util\s*\}\s*from\s*"@aws-appsync\/utils"/);
    expect(addNote?.code).toMatch(/export\s*\{[^}]*request[^}]*response[^}]*\}/);
    expect(addNote?.code).not.toContain('sourceMappingURL');
  });
});

describe('a broken resolver folder is refused with the file named', () => {
  const cases: [fixture: string, file: string, problem: RegExp][] = [
    ['unknown-type', 'unknown-type/Notebook.title.[none].ts', /type 'Notebook' is not an object type/],
    ['unknown-field', 'unknown-field/Query.notez.[none].ts', /field 'notez' is not in type Query/],
    ['unknown-data-source', 'unknown-data-source/Query.note.[dynamo].ts', /data source 'dynamo' is not one of .*store, none/],
    ['malformed-name', 'malformed-name/Query-note.[none].ts', /is not named <Type>\.<field>\.\[<dataSource>\]\.ts/],
    ['malformed-pipeline-folder', 'malformed-pipeline-folder/Query/', /is not named <Type>\.<field>/],
    ['malformed-function-name', 'malformed-function-name/Query.notes/authorize.[none].ts', /is not named <n>\.<name>\.\[<dataSource>\]\.ts/],
    ['duplicate-function-position', 'duplicate-function-position/Query.notes/1.scan.[store].ts', /same position 1 as .*1\.authorize\.\[none\]\.ts/],
    ['pipeline-without-index', 'pipeline-without-index/Query.notes/', /has no index\.ts/],
    ['pipeline-without-functions', 'pipeline-without-functions/Query.notes/', /has no functions/],
    ['duplicate-resolver', 'duplicate-resolver/Query.note.[none].ts', /Query\.note already has a resolver in .*Query\.note\/index\.ts/],
    ['missing-export', 'missing-export/Query.note.[none].ts', /does not export response/],
    ['bundle-error', 'bundle-error/Query.note.[none].ts', /does not bundle: .*not-there/],
    ['missing-root-field', 'missing-root-field', /schema field Mutation\.addNote has no resolver/],
  ];

  it.each(cases)('%s', (fixture, file, problem) => {
    const err = errorOf(() => loadFixture(fixture));
    expect(err.file).toBe(`${FIXTURES}/${file}`);
    expect(err.message).toMatch(problem);
    expect(err.message.startsWith(`${FIXTURES}/${file}: `)).toBe(true);
  });

  it('a resolver folder that does not exist', () => {
    expect(errorOf(() => loadFixture('no-such-folder')).message).toMatch(/no-such-folder: is not a folder of resolvers/);
  });
});

describe('the 32 KB limit', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'resolver-catalog-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A unit resolver whose bundle carries a string literal of `size` characters. */
  function resolverWithLiteral(size: number): string {
    const sub = join(dir, `size-${size}`);
    mkdirSync(sub);
    writeFileSync(
      join(sub, 'Query.note.[none].ts'),
      `const TEXT = '${'x'.repeat(size)}';\nexport function request() { return { payload: TEXT }; }\nexport function response() { return null; }\n`,
    );
    return sub;
  }

  function load(sub: string) {
    return loadResolverCatalog({ dir: sub, schema: fixtureSchema, dataSourceNames: FIXTURE_DATA_SOURCES, root: dir });
  }

  it('refuses a bundle over the limit, naming its size', () => {
    const err = errorOf(() => load(resolverWithLiteral(MAX_BUNDLE_BYTES)));
    expect(err.file).toBe(`size-${MAX_BUNDLE_BYTES}/Query.note.[none].ts`);
    expect(err.message).toMatch(/bundles to \d+ bytes, over AppSync's limit of 32768 bytes/);
  });

  it('accepts a bundle just under the limit (only the missing fields remain)', () => {
    const err = errorOf(() => load(resolverWithLiteral(MAX_BUNDLE_BYTES - 1000)));
    expect(err.message).toMatch(/schema field Query\.notes has no resolver/);
  });
});

describe('a pipeline function shared by several pipelines (functions/)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'resolver-catalog-shared-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const FN = 'export function request() {\n  return { payload: null };\n}\nexport function response() {\n  return null;\n}\n';
  const INDEX = 'export function request() {\n  return {};\n}\nexport function response(ctx: { prev: { result: unknown } }) {\n  return ctx.prev.result;\n}\n';
  const REF = "// The shared authorize step.\nexport * from '../functions/authorize.[none]';\n";

  /** A resolver folder from `files` (path -> content); Subscription.onNote and Query.note are always there. */
  function folder(name: string, files: Record<string, string>): string {
    const sub = join(dir, name);
    const all: Record<string, string> = { 'Query.note.[none].ts': FN, 'Subscription.onNote.[none].ts': FN, ...files };
    for (const [file, content] of Object.entries(all)) {
      mkdirSync(join(sub, file, '..'), { recursive: true });
      writeFileSync(join(sub, file), content);
    }
    return sub;
  }

  const load = (sub: string) => loadResolverCatalog({ dir: sub, schema: fixtureSchema, dataSourceNames: FIXTURE_DATA_SOURCES, root: dir });

  it('two pipelines that name it run the one function (one name, one file, one bundle) at their own positions', () => {
    const catalog = load(
      folder('shared', {
        'functions/authorize.[none].ts': FN,
        'Query.notes/index.ts': INDEX,
        'Query.notes/1.authorize.ts': REF,
        'Query.notes/2.scan.[store].ts': FN,
        'Mutation.addNote/index.ts': INDEX,
        'Mutation.addNote/3.authorize.ts': REF,
      }),
    );
    const notes = catalog.resolvers.find((r) => r.fieldName === 'notes')!;
    const addNote = catalog.resolvers.find((r) => r.fieldName === 'addNote')!;
    expect(notes.functions!.map((f) => [f.name, f.dataSource, f.file])).toEqual([
      ['functions_authorize', 'none', 'shared/functions/authorize.[none].ts'],
      ['Query_notes_2_scan', 'store', 'shared/Query.notes/2.scan.[store].ts'],
    ]);
    expect(addNote.functions).toEqual([notes.functions![0]]);
    expect(notes.functions![0].code).toMatch(/export\s*\{[^}]*request[^}]*response[^}]*\}/);
  });

  it('a pipeline for a field the schema lacks is refused even when it only names shared functions', () => {
    const err = errorOf(() =>
      load(folder('unknown-field', { 'functions/authorize.[none].ts': FN, 'Query.notes/index.ts': INDEX, 'Query.notes/1.authorize.ts': REF, 'Query.notez/index.ts': INDEX, 'Query.notez/1.authorize.ts': REF })),
    );
    expect(err.file).toBe('unknown-field/Query.notez/');
    expect(err.message).toMatch(/field 'notez' is not in type Query/);
  });

  it.each([
    ['no such shared function', { 'Query.notes/index.ts': INDEX, 'Query.notes/1.authorize.ts': REF }, 'Query.notes/1.authorize.ts', /names the shared function 'authorize', but functions\/ has no authorize\.\[<dataSource>\]\.ts/],
    ['a reference with code of its own', { 'functions/authorize.[none].ts': FN, 'Query.notes/index.ts': INDEX, 'Query.notes/1.authorize.ts': `${REF}export const extra = 1;\n` }, 'Query.notes/1.authorize.ts', /must be the one line export \* from '\.\.\/functions\/authorize\.\[none\]';/],
    ['a shared function no pipeline runs', { 'functions/authorize.[none].ts': FN, 'functions/unused.[none].ts': FN, 'Query.notes/index.ts': INDEX, 'Query.notes/1.authorize.ts': REF }, 'functions/unused.[none].ts', /is run by no pipeline/],
    ['a shared function without a data source in its name', { 'functions/authorize.ts': FN, 'Query.notes/index.ts': INDEX, 'Query.notes/1.scan.[store].ts': FN }, 'functions/authorize.ts', /is not named <name>\.\[<dataSource>\]\.ts/],
    ['a shared function on an unknown data source', { 'functions/authorize.[dynamo].ts': FN, 'Query.notes/index.ts': INDEX, 'Query.notes/1.authorize.ts': REF }, 'functions/authorize.[dynamo].ts', /data source 'dynamo' is not one of/],
  ] as [string, Record<string, string>, string, RegExp][])('%s is refused, naming the file', (name, files, file, problem) => {
    const sub = `case-${name.replace(/\W+/g, '-')}`;
    const err = errorOf(() => load(folder(sub, { 'Mutation.addNote.[store].ts': FN, ...files })));
    expect(err.file).toBe(`${sub}/${file}`);
    expect(err.message).toMatch(problem);
  });
});

describe('the project resolvers', () => {
  // The loader refuses uncovered root fields, unknown data sources and bundles over 32 KB.
  it('load: every root field covered, every data source one the API defines, every bundle within the limit', () => {
    const { schema } = loadAppSyncSchema(join(repoRoot(), 'schema.graphql'));
    expect(() => loadResolverCatalog({ dir: 'resolvers', schema, dataSourceNames: DATA_SOURCE_NAMES })).not.toThrow();
  });
});
