import { parseArgs } from 'node:util';
import { loadConfig, ResolvedConfig } from '../config';
import { repoPath, repoRoot } from '../config/paths';
import type { StackIam } from '../local/iam/stack-iam';
import { SCHEMA_FILE } from './appsync-schema';
import { explain, ExplainSubject, renderExplanation } from './explain';
import { subjectFromDemoUser, subjectFromFederation, subjectFromGroups, subjectFromToken } from './explain-subject';
import { projectAuthModel } from './project-access';
import { parseCommandLine, reportError, UserFacingError } from '../config/errors';

const USAGE = `usage: npm run explain -- <one of>
  --groups subscribers,editors          a user in these groups ('' for no group)
  --token <jwt>                         the groups a token claims (decoded, NOT verified)
  --user <email>                        a demo user of config.local.demoUsers
  --idp <provider> --idp-groups a,b     a federated user; IdP groups mapped by the pre-token trigger
                   [--groups c]         plus groups the user holds in the pool`;

/** Which subject the options describe; throws with the usage when they name none or several. */
function subjectFromArgs(argv: readonly string[], config: ResolvedConfig): ExplainSubject {
  const { values } = parseCommandLine(USAGE, () => parseArgs({
    args: [...argv],
    options: {
      groups: { type: 'string' },
      token: { type: 'string' },
      user: { type: 'string' },
      idp: { type: 'string' },
      'idp-groups': { type: 'string' },
    },
    strict: true,
  }));
  if (values.idp !== undefined) return subjectFromFederation(config, values.idp, values['idp-groups'] ?? '', values.groups ?? '');
  const given = [values.groups, values.token, values.user].filter((v) => v !== undefined).length;
  if (given !== 1) {
    const problem = 'give exactly one of --groups, --token, --user, --idp';
    throw new UserFacingError({ location: 'command line', problem, fix: 'use one of the options of the usage' }, `${problem}\n${USAGE}`);
  }
  if (values.token !== undefined) return subjectFromToken(values.token);
  if (values.user !== undefined) return subjectFromDemoUser(config, values.user);
  return subjectFromGroups(values.groups ?? '');
}

/**
 * The explanation text for the options, from the project's schema and config, with the storage
 * decisions evaluated from the synthesized stack (synthesized first when stale; dev-time only:
 * the evaluator is loaded here, never by synth). `stack: null` leaves the evaluation out.
 */
export async function runExplain(
  argv: readonly string[],
  config: ResolvedConfig = loadConfig(),
  schemaFile = repoPath(SCHEMA_FILE),
  stack?: { readonly iam: StackIam; readonly name: string } | null,
): Promise<string> {
  const subject = subjectFromArgs(argv, config);
  const explanation = explain(projectAuthModel(config, schemaFile), config, subject);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { projectStack } = require('./evaluated-matrix') as typeof import('./evaluated-matrix');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { evaluateAccess } = require('./evaluated-access') as typeof import('./evaluated-access');
  const evaluated = stack === undefined ? projectStack(repoRoot(), config.local.environment) : stack;
  if (!evaluated) return renderExplanation(explanation);
  const access = await evaluateAccess(config, evaluated.iam, [{ id: subject.source, groups: subject.groups }], [], evaluated.name);
  return renderExplanation({ ...explanation, evaluatedStorage: { stack: evaluated.name, rows: access.storage } });
}

if (require.main === module) {
  runExplain(process.argv.slice(2)).then((text) => process.stdout.write(text), reportError);
}
