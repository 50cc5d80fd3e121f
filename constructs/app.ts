// First: keeps cdktf from loading `archiver`, which synth never uses (constructs/defer-archiver.ts).
import './defer-archiver';
// Before any token exists: creation stacks formatted only when read (constructs/lazy-creation-stacks.ts).
import './lazy-creation-stacks';
import { App } from 'cdktf';
import { loadConfig, stackConfig } from '../config';
import { reportError } from '../config/errors';
import { repoPath } from '../config/paths';
import { ContentStack } from './content-stack';
import { loadApiSource } from './graphql-api';
import { loadAppSyncSchema, SCHEMA_FILE } from '../access/appsync-schema';
import { AccessCheckError, checkProject, checkStack } from '../access/checks';
import { terraformRequirementFindings } from './terraform-requirements';
import { applyMovedToStacks } from '../addresses/apply-moved';
import { MOVED } from '../addresses/moved';
import { freezeStack } from './frozen-stack';

/**
 * The app (run by main.ts, directly or as the synth bundle: constructs/synth-bundle.ts; importing
 * this module synthesizes): one stack per environment of the config. The config is validated (and every
 * synth-time check runs) before any construct exists, so a bad value leaves cdktf.out as it was.
 */
function main(): void {
  const config = loadConfig();
  const parsed = loadAppSyncSchema(repoPath(SCHEMA_FILE));
  const authModel = checkProject(config, parsed.schema);
  // Read and bundled once: every environment deploys the same schema and resolvers.
  const apiSource = loadApiSource(parsed);
  const offline = process.env.OFFLINE_PLAN === '1';
  // cdktf's validations would spawn `terraform version` through a shell per stack; the same
  // requirements are checked on the JSON below (terraformRequirementFindings) and enforced by
  // Terraform itself through `required_version`.
  const app = new App({ skipValidation: true });
  const stacks = Object.keys(config.environments).map(
    (envName) => new ContentStack(app, envName, { config: stackConfig(config, envName), offline, apiSource }),
  );
  // Renamed resources keep their state (Terraform `moved` blocks): addresses/moved.ts.
  applyMovedToStacks(stacks, MOVED);
  // On the in-memory JSON, before app.synth() writes anything; freezeStack makes app.synth()
  // write that same JSON rather than resolve every stack again.
  for (const stack of stacks) {
    const json = freezeStack(stack);
    const requirements = terraformRequirementFindings(stack.node.id, json);
    if (requirements.length) throw new AccessCheckError(requirements);
    checkStack(stack.node.id, json, config, authModel);
  }
  app.synth();
}

// A mistake in the project's files (a UserFacingError) prints its message alone; a bug keeps its stack.
try {
  main();
} catch (e) {
  reportError(e);
}
