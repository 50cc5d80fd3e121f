import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoPath } from '../config/paths';
import { reportError, UserFacingError } from '../config/errors';

/** The provider this project pins (@cdktf/provider-aws 20.1.0 is generated from it). */
export const AWS_PROVIDER = { address: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' } as const;

/** Where a filesystem mirror usually lives: this machine kind's, then Terraform's implied mirror folders. */
export const MIRROR_CANDIDATES = [
  '/opt/tf-plugins',
  join(homedir(), '.terraform.d', 'plugins'),
  join(homedir(), '.local', 'share', 'terraform', 'plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
];

/** True when `dir` is a filesystem mirror holding the pinned aws provider. */
export function hasAwsProvider(dir: string): boolean {
  const versionDir = join(dir, AWS_PROVIDER.address, AWS_PROVIDER.version);
  return existsSync(versionDir) && readdirSync(versionDir).length > 0;
}

/**
 * The provider mirror to install from: `TF_PROVIDER_MIRROR` when set (it must hold the
 * provider), else the first known folder that holds it, else undefined (use the registry).
 */
export function findProviderMirror(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = MIRROR_CANDIDATES,
): string | undefined {
  const override = env.TF_PROVIDER_MIRROR;
  if (override) {
    if (!hasAwsProvider(override)) {
      throw new UserFacingError({ location: `TF_PROVIDER_MIRROR=${override}`, problem: `does not contain ${AWS_PROVIDER.address}/${AWS_PROVIDER.version}` }, `TF_PROVIDER_MIRROR=${override} does not contain ${AWS_PROVIDER.address}/${AWS_PROVIDER.version}`);
    }
    return override;
  }
  return candidates.find(hasAwsProvider);
}

/** The CLI config text: install hashicorp/aws from the mirror when there is one, never phone home. */
export function terraformCliConfigText(mirror: string | undefined): string {
  const lines = ['disable_checkpoint = true'];
  if (mirror) {
    lines.push(
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = [${JSON.stringify(AWS_PROVIDER.address)}]`,
      '  }',
      '  direct {',
      `    exclude = [${JSON.stringify(AWS_PROVIDER.address)}]`,
      '  }',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

/** Where `npm run tf:config` writes, relative to the repository root (`.tmp/` is git-ignored). */
export const DEFAULT_CLI_CONFIG_DIR = '.tmp/terraform';

/**
 * The folder `npm run tf:config` writes into: `--dir <folder>` (relative to the current
 * folder), else TERRAFORM_CLI_CONFIG_DIR, else DEFAULT_CLI_CONFIG_DIR in the repository.
 */
export function cliConfigDir(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (argv.length && !(argv.length === 2 && argv[0] === '--dir' && argv[1])) {
    throw new UserFacingError({ location: argv.join(' '), problem: 'unknown arguments; usage: npm run tf:config [-- --dir <folder>]' });
  }
  if (argv.length) return resolve(cwd, argv[1]);
  return env.TERRAFORM_CLI_CONFIG_DIR ? resolve(cwd, env.TERRAFORM_CLI_CONFIG_DIR) : repoPath(DEFAULT_CLI_CONFIG_DIR);
}

/**
 * Writes a Terraform CLI config (mirror when available, the public registry otherwise) and
 * returns its path, for `TF_CLI_CONFIG_FILE`.
 * @param dir folder to write `terraform.rc` into. @default DEFAULT_CLI_CONFIG_DIR (in the repository, git-ignored)
 * @param mirror the provider mirror. @default findProviderMirror()
 */
export function writeTerraformCliConfig(dir: string = repoPath(DEFAULT_CLI_CONFIG_DIR), mirror = findProviderMirror()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'terraform.rc');
  writeFileSync(file, terraformCliConfigText(mirror));
  return file;
}

// `node dist/scripts/terraform-cli-config.js [--dir <folder>]` prints the path, e.g.
// `export TF_CLI_CONFIG_FILE=$(npm run --silent tf:config)`.
if (require.main === module) {
  try {
    process.stdout.write(writeTerraformCliConfig(cliConfigDir(process.argv.slice(2))) + '\n');
  } catch (e) {
    reportError(e);
  }
}
