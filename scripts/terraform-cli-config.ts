import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

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
      throw new Error(`TF_PROVIDER_MIRROR=${override} does not contain ${AWS_PROVIDER.address}/${AWS_PROVIDER.version}`);
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

/**
 * Writes a Terraform CLI config (mirror when available, the public registry otherwise) and
 * returns its path, for `TF_CLI_CONFIG_FILE`.
 * @param dir folder to write `terraform.rc` into. @default a folder under the OS temp dir
 * @param mirror the provider mirror. @default findProviderMirror()
 */
export function writeTerraformCliConfig(dir: string = join(tmpdir(), 'content-terraform'), mirror = findProviderMirror()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'terraform.rc');
  writeFileSync(file, terraformCliConfigText(mirror));
  return file;
}

// `node dist/scripts/terraform-cli-config.js` prints the path, e.g.
// `export TF_CLI_CONFIG_FILE=$(node dist/scripts/terraform-cli-config.js)`.
if (require.main === module) {
  try {
    process.stdout.write(writeTerraformCliConfig() + '\n');
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
