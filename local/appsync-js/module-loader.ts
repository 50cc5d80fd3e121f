/**
 * Loads a resolver bundle (the ES module text synth uploads) so its handlers can be called.
 *
 * How: the bundle is checked (code-checks.ts), converted from ESM to CommonJS by esbuild (a
 * syntax-only transform; the code itself is unchanged) and evaluated with node:vm in a context
 * of its own, where `require('@aws-appsync/utils')` returns the local implementation. This runs
 * on Node 20 without flags and inside jest (native `import()` of a data: URL needs
 * --experimental-vm-modules under jest; vm.SourceTextModule needs a flag everywhere). The
 * separate context also means resolver code sees no Node globals (process, require, fetch,
 * timers), as in APPSYNC_JS, and cannot eval (fidelity, not security: node:vm is no sandbox, and
 * the bundles are the project's own code). Modules are cached by their code: a resolver call
 * after the first one only looks its module up. Across starts, the checked CommonJS form is kept
 * on disk (cjs-cache.ts), so a later start neither checks nor converts an unchanged bundle.
 */
import { Script, createContext } from 'node:vm';
import { transformSync } from 'esbuild';
import { CjsCache } from './cjs-cache';
import { AppSyncJsCodeError, checkAppSyncJsCode } from './code-checks';
import type { UtilsModule } from './utils-module';

export type Handler = (ctx: unknown) => unknown;

export interface ResolverModule {
  request: Handler;
  response: Handler;
}

const CONSOLE_LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;

export class ModuleLoader {
  private readonly cache = new Map<string, ResolverModule>();
  private readonly kept: CjsCache;

  constructor(
    private readonly utils: UtilsModule,
    private readonly log: (level: string, resolverName: string, args: unknown[]) => void,
    /** Where the checked CommonJS forms are kept between starts. @default not kept */
    cacheDir?: string,
  ) {
    this.kept = new CjsCache(cacheDir);
  }

  /**
   * The module of `code`, checked and loaded once per distinct code. Throws AppSyncJsCodeError.
   * Keyed by the code itself, not a digest: a call per resolver call must not rehash the bundle.
   */
  load(resolverName: string, code: string): ResolverModule {
    const cached = this.cache.get(code);
    if (cached) return cached;
    let cjs = this.kept.get(code);
    if (cjs === undefined) {
      checkAppSyncJsCode(resolverName, code);
      cjs = transformSync(code, { format: 'cjs', loader: 'js', target: 'esnext', sourcefile: resolverName }).code;
      this.kept.set(code, cjs);
    }
    const loaded = this.evaluate(resolverName, cjs);
    this.cache.set(code, loaded);
    return loaded;
  }

  private evaluate(resolverName: string, cjs: string): ResolverModule {
    const sandboxConsole = Object.fromEntries(
      CONSOLE_LEVELS.map((level) => [level, (...args: unknown[]) => this.log(level, resolverName, args)]),
    );
    // APPSYNC_JS also offers util/runtime/extensions as globals.
    const context = createContext(
      { console: sandboxConsole, util: this.utils.util, runtime: this.utils.runtime, extensions: this.utils.extensions },
      { codeGeneration: { strings: false, wasm: false }, name: resolverName },
    );
    const wrapper = new Script(`(function (exports, require, module) {\n${cjs}\n})`, { filename: resolverName });
    const factory = wrapper.runInContext(context) as (exports: object, require: (id: string) => unknown, module: { exports: object }) => void;
    const module = { exports: {} as Record<string, unknown> };
    factory(module.exports, (id) => this.require(resolverName, id), module);
    const { request, response } = module.exports;
    const missing = ['request', 'response'].filter((name) => typeof module.exports[name] !== 'function');
    if (missing.length > 0) {
      throw new AppSyncJsCodeError(resolverName, [`it does not export a ${missing.join(' and a ')} function`]);
    }
    return { request: request as Handler, response: response as Handler };
  }

  private require(resolverName: string, id: string): unknown {
    if (id === '@aws-appsync/utils') return this.utils;
    throw new AppSyncJsCodeError(resolverName, [`it requires "${id}", which the runtime does not provide`]);
  }
}
