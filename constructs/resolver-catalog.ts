import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Metafile } from 'esbuild';
import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { UserFacingError } from '../config/errors';
import { repoRoot } from '../config/paths';
import { cachedBuildSync, type CachedBuildOptions } from './cached-esbuild';

/**
 * Discovers the APPSYNC_JS resolvers of `resolvers/`, checks them against the schema and the
 * data sources, and bundles each with esbuild the way AWS documents for APPSYNC_JS. The
 * GraphQL API construct deploys what this returns; the local mode runs the same bundles (read
 * back from the synthesized stack), so there is one build of every resolver.
 *
 * Layout (docs/design.md):
 *   <Type>.<field>.[<dataSource>].ts           a unit resolver
 *   <Type>.<field>/index.ts                  a pipeline resolver (before/after steps)
 *   <Type>.<field>/<n>.<name>.[<dataSource>].ts its functions, run in ascending <n>
 *   <Type>.<field>/<n>.<name>.ts               at <n>, the shared function functions/<name>.[<dataSource>].ts
 *                                            (the file is one line: export * from '../functions/<name>.[<dataSource>]')
 *   functions/<name>.[<dataSource>].ts         a pipeline function several pipelines run: deployed once
 *   lib/                                     shared code, bundled into whoever imports it
 * Files that are not TypeScript (tsconfig.json, READMEs) are ignored; `*.d.ts` are not resolvers.
 */

/** AppSync's limit on the code of one resolver or function. */
export const MAX_BUNDLE_BYTES = 32 * 1024;

/** The folder of shared resolver code; never a resolver itself. */
const SHARED_DIR = 'lib';

/** The folder of pipeline functions shared by several pipelines (each deployed once, as `functions_<name>`). */
const FUNCTIONS_DIR = 'functions';

/**
 * A pipeline function's code: what the catalog bundles, what the GraphQL API construct deploys
 * and what the local mode reads back from the synthesized stack and runs.
 */
export interface ResolverFunctionCode {
  /** AppSync function name, unique in the API: `<Type>_<field>_<n>_<name>`, or `functions_<name>` for a shared one. */
  readonly name: string;
  /** Source file, relative to the repository root with `/` separators; absent when read back from a stack. */
  readonly file?: string;
  readonly dataSource: string;
  /** The bundled ES module (exports `request` and `response`). */
  readonly code: string;
}

/** One field's resolver code, in the catalog, in the synthesized stack and in the local runtime. */
export interface ResolverCode {
  readonly typeName: string;
  readonly fieldName: string;
  readonly kind: 'UNIT' | 'PIPELINE';
  /** Source file (the unit file, or the pipeline's `index.ts`), repository-relative; absent when read back from a stack. */
  readonly file?: string;
  /** Data source name of a unit resolver; pipelines have none. */
  readonly dataSource?: string;
  /** The bundled ES module (exports `request` and `response`; a pipeline's before/after steps). */
  readonly code: string;
  /** Pipeline functions in run order; only for `PIPELINE`. */
  readonly functions?: readonly ResolverFunctionCode[];
}

/** A resolver as the catalog loads it: always with its source file. */
type LoadedResolver = ResolverCode & { readonly file: string };

export interface ResolverCatalog {
  /** Sorted by `Type.field`. */
  readonly resolvers: readonly LoadedResolver[];
}

export interface LoadResolverCatalogOptions {
  /** The resolvers folder (absolute, or relative to `root`). */
  readonly dir: string;
  /** The API schema (graphql-js, with the AppSync prelude: see access/appsync-schema.ts). */
  readonly schema: GraphQLSchema;
  /** Names of the data sources the API defines; every resolver must use one of them. */
  readonly dataSourceNames: readonly string[];
  /** Base of the reported `file` paths. @default the repository root */
  readonly root?: string;
}

/** A resolver file that cannot be deployed. The message names the file and what was expected. */
export class ResolverCatalogError extends UserFacingError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super({ location: file, problem });
  }
}

// GraphQL names (https://spec.graphql.org/October2021/#Name) and data source names
// (AppSync: letters, digits, underscores).
const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const UNIT_FILE = new RegExp(`^(${NAME})\\.(${NAME})\\.\\[(${NAME})\\]\\.ts$`);
const PIPELINE_DIR = new RegExp(`^(${NAME})\\.(${NAME})$`);
const FUNCTION_FILE = new RegExp(`^(\\d+)\\.(${NAME})\\.\\[(${NAME})\\]\\.ts$`);
const SHARED_FUNCTION_REF = new RegExp(`^(\\d+)\\.(${NAME})\\.ts$`);
const SHARED_FUNCTION_FILE = new RegExp(`^(${NAME})\\.\\[(${NAME})\\]\\.ts$`);
const PIPELINE_INDEX = 'index.ts';
const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'] as const;

/** Discovers, checks and bundles every resolver under `dir`. Throws `ResolverCatalogError`. */
export function loadResolverCatalog(options: LoadResolverCatalogOptions): ResolverCatalog {
  const root = options.root ?? repoRoot();
  const dir = resolve(root, options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ResolverCatalogError(repoRelative(root, dir), 'is not a folder of resolvers');
  }
  const ctx: Context = { root, schema: options.schema, dataSourceNames: options.dataSourceNames, entries: [], shared: new Map() };
  loadSharedFunctions(ctx, join(dir, FUNCTIONS_DIR));

  const pending: LoadedResolver[] = [];
  const byField = new Map<string, string>();
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const isDir = statSync(path).isDirectory();
    if (isDir && (entry === SHARED_DIR || entry === FUNCTIONS_DIR)) continue;
    if (!isDir && !isTypeScriptSource(entry)) continue;
    const resolver = isDir ? loadPipeline(ctx, path, entry) : loadUnit(ctx, path, entry);
    const key = `${resolver.typeName}.${resolver.fieldName}`;
    const earlier = byField.get(key);
    if (earlier) {
      throw new ResolverCatalogError(resolver.file, `${key} already has a resolver in ${earlier}; a field has exactly one`);
    }
    byField.set(key, resolver.file);
    pending.push(resolver);
  }

  for (const shared of ctx.shared.values()) {
    if (!shared.used) throw new ResolverCatalogError(shared.fn.file!, `is run by no pipeline (add <n>.${shared.name}.ts to a <Type>.<field>/ pipeline folder, or delete it)`);
  }
  // One esbuild call for every entry: one round trip to its service, entries bundled in parallel.
  const codes = bundleAll(root, ctx.entries);
  requireRootFieldResolvers(ctx, dir, byField);
  const code = (placeholder: string) => codes[Number(placeholder)];
  const resolvers: LoadedResolver[] = pending.map((r) => ({
    ...r,
    code: code(r.code),
    ...(r.functions ? { functions: r.functions.map((f) => ({ ...f, code: code(f.code) })) } : {}),
  }));
  resolvers.sort((a, b) => `${a.typeName}.${a.fieldName}`.localeCompare(`${b.typeName}.${b.fieldName}`));
  return { resolvers };
}

interface Context {
  readonly root: string;
  readonly schema: GraphQLSchema;
  readonly dataSourceNames: readonly string[];
  /** Entries to bundle; a catalog entry's `code` holds its index here until bundleAll fills it. */
  readonly entries: BundleEntry[];
  /** The shared pipeline functions (functions/), by name. */
  readonly shared: Map<string, SharedFunction>;
}

interface SharedFunction {
  readonly name: string;
  /** The file name without `.ts`, which a reference re-exports from `../functions/`. */
  readonly module: string;
  readonly fn: ResolverFunctionCode;
  used: boolean;
}

/** Reads functions/ (when there is one): each shared function is bundled once. */
function loadSharedFunctions(ctx: Context, dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir).sort()) {
    if (!isTypeScriptSource(entry)) continue;
    const path = join(dir, entry);
    const file = repoRelative(ctx.root, path);
    const match = statSync(path).isFile() ? SHARED_FUNCTION_FILE.exec(entry) : null;
    if (!match) throw new ResolverCatalogError(file, 'is not named <name>.[<dataSource>].ts (a shared pipeline function)');
    const [, name, dataSource] = match;
    checkDataSource(ctx, file, dataSource);
    const module = entry.slice(0, -'.ts'.length);
    ctx.shared.set(name, { name, module, used: false, fn: { name: `${FUNCTIONS_DIR}_${name}`, file, dataSource, code: bundle(ctx, file, path) } });
  }
}

/**
 * A pipeline's `<n>.<name>.ts`: the shared function `functions/<name>.[<dataSource>].ts`. The file
 * re-exports it and nothing else, so what the editor shows is what runs.
 */
function sharedFunctionRef(ctx: Context, path: string, file: string, name: string): ResolverFunctionCode {
  const shared = ctx.shared.get(name);
  if (!shared) {
    throw new ResolverCatalogError(file, `names the shared function '${name}', but ${FUNCTIONS_DIR}/ has no ${name}.[<dataSource>].ts (or name it <n>.${name}.[<dataSource>].ts to hold its own code)`);
  }
  const expected = `export * from '../${FUNCTIONS_DIR}/${shared.module}';`;
  const statements = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'));
  if (statements.length !== 1 || statements[0].replace(/"/g, "'") !== expected) {
    throw new ResolverCatalogError(file, `must be the one line ${expected} (a reference to the shared function; code of its own goes in a <n>.<name>.[<dataSource>].ts file)`);
  }
  shared.used = true;
  return shared.fn;
}

interface BundleEntry {
  readonly file: string;
  readonly path: string;
}

/** Queues an entry for bundleAll and returns the placeholder that stands for its code. */
function bundle(ctx: Context, file: string, path: string): string {
  ctx.entries.push({ file, path });
  return String(ctx.entries.length - 1);
}

function isTypeScriptSource(entry: string): boolean {
  return entry.endsWith('.ts') && !entry.endsWith('.d.ts');
}

function loadUnit(ctx: Context, path: string, entry: string): LoadedResolver {
  const file = repoRelative(ctx.root, path);
  const match = UNIT_FILE.exec(entry);
  if (!match) {
    throw new ResolverCatalogError(file, 'is not named <Type>.<field>.[<dataSource>].ts (or a <Type>.<field>/ pipeline folder)');
  }
  const [, typeName, fieldName, dataSource] = match;
  checkField(ctx, file, typeName, fieldName);
  checkDataSource(ctx, file, dataSource);
  return { typeName, fieldName, kind: 'UNIT', file, dataSource, code: bundle(ctx, file, path) };
}

function loadPipeline(ctx: Context, path: string, entry: string): LoadedResolver {
  const file = repoRelative(ctx.root, path);
  const match = PIPELINE_DIR.exec(entry);
  if (!match) {
    throw new ResolverCatalogError(`${file}/`, `is not named <Type>.<field> (a pipeline folder) or ${SHARED_DIR} (shared code)`);
  }
  const [, typeName, fieldName] = match;
  checkField(ctx, `${file}/`, typeName, fieldName);
  const indexPath = join(path, PIPELINE_INDEX);
  if (!existsSync(indexPath)) {
    throw new ResolverCatalogError(`${file}/`, `pipeline folder has no ${PIPELINE_INDEX} (the resolver's before/after steps)`);
  }

  const functions: { order: number; fn: ResolverFunctionCode }[] = [];
  const seenOrder = new Map<number, string>();
  for (const child of readdirSync(path).sort()) {
    if (child === PIPELINE_INDEX || !isTypeScriptSource(child)) continue;
    const childPath = join(path, child);
    const childFile = repoRelative(ctx.root, childPath);
    const isFile = statSync(childPath).isFile();
    const fm = isFile ? FUNCTION_FILE.exec(child) : null;
    const ref = isFile && !fm ? SHARED_FUNCTION_REF.exec(child) : null;
    if (!fm && !ref) {
      throw new ResolverCatalogError(childFile, `is not named <n>.<name>.[<dataSource>].ts (a pipeline function) or <n>.<name>.ts (the shared ${FUNCTIONS_DIR}/<name>.[<dataSource>].ts)`);
    }
    const order = Number((fm ?? ref)![1]);
    const clash = seenOrder.get(order);
    if (clash) throw new ResolverCatalogError(childFile, `has the same position ${order} as ${clash}; positions order the functions`);
    seenOrder.set(order, childFile);
    if (ref) {
      functions.push({ order, fn: sharedFunctionRef(ctx, childPath, childFile, ref[2]) });
      continue;
    }
    const [, , name, dataSource] = fm!;
    checkDataSource(ctx, childFile, dataSource);
    functions.push({
      order,
      fn: { name: `${typeName}_${fieldName}_${order}_${name}`, file: childFile, dataSource, code: bundle(ctx, childFile, childPath) },
    });
  }
  if (functions.length === 0) {
    throw new ResolverCatalogError(`${file}/`, 'pipeline folder has no functions (<n>.<name>.[<dataSource>].ts); use a unit resolver file instead');
  }

  const indexFile = repoRelative(ctx.root, indexPath);
  return {
    typeName,
    fieldName,
    kind: 'PIPELINE',
    file: indexFile,
    code: bundle(ctx, indexFile, indexPath),
    functions: functions.sort((a, b) => a.order - b.order).map((f) => f.fn),
  };
}

function checkField(ctx: Context, file: string, typeName: string, fieldName: string): void {
  const type = ctx.schema.getType(typeName);
  if (!(type instanceof GraphQLObjectType)) {
    throw new ResolverCatalogError(file, `type '${typeName}' is not an object type of the schema`);
  }
  if (!type.getFields()[fieldName]) {
    const have = Object.keys(type.getFields()).join(', ');
    throw new ResolverCatalogError(file, `field '${fieldName}' is not in type ${typeName} of the schema (it has: ${have})`);
  }
}

function checkDataSource(ctx: Context, file: string, dataSource: string): void {
  if (!ctx.dataSourceNames.includes(dataSource)) {
    throw new ResolverCatalogError(file, `data source '${dataSource}' is not one of the API's data sources (${ctx.dataSourceNames.join(', ')})`);
  }
}

/** Every field of Query, Mutation and Subscription needs a resolver: AppSync would answer null. */
function requireRootFieldResolvers(ctx: Context, dir: string, byField: ReadonlyMap<string, string>): void {
  for (const typeName of ROOT_TYPES) {
    const type = ctx.schema.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      if (!byField.has(`${typeName}.${fieldName}`)) {
        throw new ResolverCatalogError(
          repoRelative(ctx.root, dir),
          `schema field ${typeName}.${fieldName} has no resolver (add ${typeName}.${fieldName}.[<dataSource>].ts or a ${typeName}.${fieldName}/ pipeline)`,
        );
      }
    }
  }
}

/** How AWS documents bundling for APPSYNC_JS: one ES module per entry, `@aws-appsync/utils` left as an import (the runtime provides it), no source map (it would count against 32 KB). */
const BUNDLE_OPTIONS: CachedBuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'esnext',
  sourcemap: false,
  external: ['@aws-appsync/utils', '@aws-appsync/utils/*'],
  logLevel: 'silent',
};

/** Bundles every entry in one esbuild call (or from the build cache); the codes come back in entry order. */
function bundleAll(root: string, entries: readonly BundleEntry[]): string[] {
  if (entries.length === 0) return [];
  let result;
  try {
    // Output names are the entry indexes: each output is its own self-contained module (no splitting).
    // The bundles' path comments are relative to `root`: the same code from any working folder.
    result = cachedBuildSync({
      ...BUNDLE_OPTIONS,
      absWorkingDir: root,
      entryPoints: entries.map((e, i) => ({ in: e.path, out: String(i) })),
      outdir: 'resolver-bundles',
    });
  } catch (err) {
    // Bundle one by one, so the error names the entry that fails.
    for (const e of entries) bundleOne(root, e);
    throw err;
  }
  return entries.map((e, i) => {
    const out = `resolver-bundles/${i}.js`;
    const file = result.outputFiles.find((f) => f.path.endsWith(`/${out}`));
    if (!file) throw new ResolverCatalogError(e.file, 'esbuild returned no bundle for it');
    return checkBundle(e.file, file.text, result.metafile.outputs[out]?.exports ?? []);
  });
}

function bundleOne(root: string, e: BundleEntry): string {
  let result;
  try {
    result = cachedBuildSync({ ...BUNDLE_OPTIONS, absWorkingDir: root, entryPoints: [e.path] });
  } catch (err) {
    const failure = err as { errors?: { text: string; location?: { file: string; line: number } | null }[] };
    const details = (failure.errors ?? [])
      .map((x) => (x.location ? `${x.location.file}:${x.location.line}: ${x.text}` : x.text))
      .join('; ');
    throw new ResolverCatalogError(e.file, `does not bundle: ${details || String(err)}`);
  }
  return checkBundle(e.file, result.outputFiles[0].text, exportsOf(result.metafile));
}

function checkBundle(file: string, code: string, exported: readonly string[]): string {
  const bytes = byteLength(code);
  if (bytes > MAX_BUNDLE_BYTES) {
    throw new ResolverCatalogError(file, `bundles to ${bytes} bytes, over AppSync's limit of ${MAX_BUNDLE_BYTES} bytes per resolver or function`);
  }
  const missing = ['request', 'response'].filter((name) => !exported.includes(name));
  if (missing.length > 0) {
    throw new ResolverCatalogError(file, `does not export ${missing.join(' and ')} (APPSYNC_JS needs both request and response)`);
  }
  return code;
}

function exportsOf(metafile: Metafile | undefined): string[] {
  return Object.values(metafile?.outputs ?? {}).flatMap((o) => o.exports);
}

function byteLength(code: string): number {
  return Buffer.byteLength(code, 'utf8');
}

function repoRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
