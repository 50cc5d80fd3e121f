import { parseArgs } from 'node:util';
import { loadConfig, ResolvedConfig } from '../config';
import { repoPath } from '../config/paths';
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

/** The explanation text for the options, from the project's schema and config. */
export function runExplain(argv: readonly string[], config: ResolvedConfig = loadConfig(), schemaFile = repoPath(SCHEMA_FILE)): string {
  const subject = subjectFromArgs(argv, config);
  return renderExplanation(explain(projectAuthModel(config, schemaFile), config, subject));
}

if (require.main === module) {
  try {
    process.stdout.write(runExplain(process.argv.slice(2)));
  } catch (e) {
    reportError(e);
  }
}
