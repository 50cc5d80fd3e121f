import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../config';
import { repoRoot } from '../config/paths';
import { SCHEMA_FILE } from './appsync-schema';
import { diffMatrices, renderDiffMarkdown } from './diff';
import { matrixFiles, matrixOf, staleFiles } from './matrix-files';
import type { MatrixConfig } from './matrix';
import { loadInputsAtRef } from './ref-inputs';
import { reportError } from '../config/errors';
import type { StackIam } from '../local/iam/stack-iam';

const USAGE = `usage: npm run access [-- --check | -- --diff <git ref>]
  (no option)    write docs/access-matrix.md, docs/access-matrix.json and the summary in README.md
  --check        exit 1 when the committed files differ from what the schema, config and the
                 synthesized policies give, or when a policy disagrees with the config
  --diff <ref>   print gained/lost access per persona and field since <ref>, as Markdown`;

export interface CliIo {
  readonly root: string;
  /** The working tree's config. @default loadConfig() */
  readonly config?: MatrixConfig;
  /**
   * The synthesized stack whose policies decide the storage part and the IAM-caller cells;
   * null: the schema and config only (a fixture config without a stack).
   * @default the local environment's stack, synthesized when stale (access/evaluated-matrix.ts)
   */
  readonly stack?: { readonly iam: StackIam; readonly name: string } | null;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs the access CLI; returns the exit code (kept in-process so tests call it directly). */
export async function runAccessCli(argv: readonly string[], io: CliIo): Promise<number> {
  const config = io.config ?? loadConfig();
  const sdl = () => readFileSync(join(io.root, SCHEMA_FILE), 'utf8');
  const evaluatedCurrent = async () => {
    // Dev-time only: the evaluator (AGPL, devDependency) is loaded here, never by synth.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { evaluatedMatrixOf, projectStack } = require('./evaluated-matrix') as typeof import('./evaluated-matrix');
    const stack = io.stack === undefined ? projectStack(io.root, loadConfig().local.environment) : io.stack;
    return stack ? evaluatedMatrixOf(config, sdl(), stack.iam, stack.name) : matrixOf(config, sdl());
  };
  const current = () => matrixOf(config, sdl());
  if (argv.length === 0) {
    for (const [path, text] of Object.entries(matrixFiles(await evaluatedCurrent(), io.root))) {
      mkdirSync(dirname(join(io.root, path)), { recursive: true });
      writeFileSync(join(io.root, path), text);
      io.out(`wrote ${path}`);
    }
    return 0;
  }
  if (argv[0] === '--check' && argv.length === 1) {
    const stale = staleFiles(io.root, matrixFiles(await evaluatedCurrent(), io.root));
    if (!stale.length) return 0;
    io.err(`${stale.join(', ')}: stale, not what schema.graphql and config/project.ts give. Fix: run \`npm run access\` and commit the result.`);
    return 1;
  }
  if (argv[0] === '--diff' && argv.length === 2) {
    const before = loadInputsAtRef(argv[1], io.root);
    const diff = diffMatrices(matrixOf(before.config, before.sdl), current());
    io.out(renderDiffMarkdown(diff, `\`${argv[1]}\` (${before.commit.slice(0, 7)})`, 'working tree'));
    return 0;
  }
  io.err(`${argv.join(' ')}: unknown arguments\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  runAccessCli(process.argv.slice(2), {
    root: repoRoot(),
    out: (t) => console.log(t),
    err: (t) => console.error(t),
  }).then((code) => (process.exitCode = code), reportError);
}
