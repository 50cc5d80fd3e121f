import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type ResolvedConfig } from '../config';
import { repoRoot } from '../config/paths';
import type { TerraformJson } from '../access/terraform-json';
import { evaluateStack, failures, type StackReport } from './evaluate';
import { COMPLIANCE_MD, renderComplianceMarkdown } from './report-markdown';
import { reportError, UserFacingError } from '../config/errors';

const USAGE = `usage: npm run compliance [-- --check]
  (no option)  evaluate cdktf.out/stacks/<env>/cdk.tf.json of every environment, write ${COMPLIANCE_MD},
               exit 1 on any FAIL that the environment's relaxations do not waive
  --check      also exit 1 when the committed ${COMPLIANCE_MD} differs from the evaluation`;

export interface ComplianceIo {
  readonly root: string;
  /** Folder holding `<env>/cdk.tf.json`. @default <root>/cdktf.out/stacks */
  readonly stacksDir?: string;
  /** @default loadConfig() */
  readonly config?: Pick<ResolvedConfig, 'environments'>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Every configured environment's synthesized stack, evaluated; fails naming a missing stack file. */
export function evaluateStacks(stacksDir: string, config: Pick<ResolvedConfig, 'environments'>): StackReport[] {
  return Object.values(config.environments).map((env) => {
    const file = join(stacksDir, env.name, 'cdk.tf.json');
    if (!existsSync(file)) throw new UserFacingError({ location: file, problem: 'is missing', fix: 'synthesize first (npm run compliance runs npm run synth)' }, `${file} is missing: synthesize first (npm run compliance runs npm run synth)`);
    return evaluateStack(env.name, JSON.parse(readFileSync(file, 'utf8')) as TerraformJson, env.relaxations);
  });
}

/** Runs the compliance CLI; returns the exit code (kept in-process so tests call it directly). */
export function runComplianceCli(argv: readonly string[], io: ComplianceIo): number {
  const check = argv.length === 1 && argv[0] === '--check';
  if (argv.length > 0 && !check) {
    io.err(`${argv.join(' ')}: unknown arguments\n${USAGE}`);
    return 2;
  }
  const stacksDir = io.stacksDir ?? join(io.root, 'cdktf.out', 'stacks');
  if (!existsSync(stacksDir)) throw new UserFacingError({ location: stacksDir, problem: 'no synthesized stacks', fix: 'synthesize first (npm run compliance runs npm run synth)' });
  const extra = readdirSync(stacksDir).filter((d) => !(d in (io.config ?? loadConfig()).environments));
  if (extra.length) io.err(`note: ${stacksDir} also holds ${extra.join(', ')}, not in config.environments; not evaluated`);
  const reports = evaluateStacks(stacksDir, io.config ?? loadConfig());
  const markdown = renderComplianceMarkdown(reports);
  let code = 0;
  if (check) {
    let committed: string | undefined;
    try {
      committed = readFileSync(join(io.root, COMPLIANCE_MD), 'utf8');
    } catch {
      committed = undefined;
    }
    if (committed !== markdown) {
      io.err(`${COMPLIANCE_MD}: stale, not what the synthesized stacks give. Fix: run \`npm run compliance\` and commit the result.`);
      code = 1;
    }
  } else {
    writeFileSync(join(io.root, COMPLIANCE_MD), markdown);
    io.out(`wrote ${COMPLIANCE_MD}`);
  }
  for (const r of reports) {
    const n = (o: string) => r.rows.filter((row) => row.outcome === o).length;
    io.out(`${r.env}: ${n('PASS')} PASS, ${n('WAIVED')} WAIVED, ${n('FAIL')} FAIL`);
  }
  const failed = failures(reports);
  for (const { env, row } of failed) {
    io.err(`FAIL ${env}: ${row.control.id} (${row.control.title}) on ${row.path ?? row.resource}: ${row.problem}`);
  }
  if (failed.length) {
    io.err(`${failed.length} control failure(s). Fix the stack, or name the control in environments.<env>.relaxations with a reason.`);
    code = 1;
  }
  return code;
}

if (require.main === module) {
  try {
    process.exitCode = runComplianceCli(process.argv.slice(2), { root: repoRoot(), out: (t) => console.log(t), err: (t) => console.error(t) });
  } catch (e) {
    reportError(e);
  }
}
