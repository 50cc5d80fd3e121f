import { readFileSync } from 'node:fs';
import { repoPath } from '../../config/paths';
import { SCHEMA_FILE } from '../../access/appsync-schema';
import { reportError } from '../../config/errors';

/**
 * The bench's reference point: the Amplify AppSync simulator (`@aws-amplify/amplify-appsync-simulator`)
 * serving the project's own schema.graphql with user-pool auth (default) and IAM (additional),
 * as the deployed API has them. `Query.articles` is a VTL unit resolver on a Lambda data source
 * that answers the fixture from memory: the simulator runs VTL only (no APPSYNC_JS), and its data
 * sources cannot use our DynamoDB emulator's in-process tables, so the page comes from the same
 * answer our endpoint gave, not from DynamoDB. What it checks of a token: only that it decodes
 * and carries `cognito:groups` for the field directives; no signature, expiry, issuer or client id.
 *
 * Usage: node dist/scripts/bench/simulator.js <fixture.json>   (prints `port=<n>` when ready)
 */

// The simulator is a dev dependency with its own graphql 15 (package.json `overrides`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AmplifyAppSyncSimulator, AmplifyAppSyncSimulatorAuthenticationType: Auth, RESOLVER_KIND } = require('@aws-amplify/amplify-appsync-simulator');

async function main(): Promise<void> {
  const fixtureFile = process.argv[2];
  if (!fixtureFile) throw new Error('usage: simulator.js <fixture.json> (the data object our endpoint answered)');
  const data = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { articles: unknown };
  const simulator = new AmplifyAppSyncSimulator({ port: 0, wsPort: 0 });
  simulator.init({
    schema: { content: readFileSync(repoPath(SCHEMA_FILE), 'utf8') },
    appSync: {
      name: 'content-bench',
      defaultAuthenticationType: { authenticationType: Auth.AMAZON_COGNITO_USER_POOLS, cognitoUserPoolConfig: {} },
      additionalAuthenticationProviders: [{ authenticationType: Auth.AWS_IAM }],
    },
    dataSources: [{ name: 'articlesPage', type: 'AWS_LAMBDA', invoke: async () => data.articles }],
    resolvers: [
      {
        kind: RESOLVER_KIND.UNIT,
        typeName: 'Query',
        fieldName: 'articles',
        dataSourceName: 'articlesPage',
        requestMappingTemplate: '{ "version": "2018-05-29", "operation": "Invoke", "payload": $util.toJson($ctx.args) }',
        responseMappingTemplate: '$util.toJson($ctx.result)',
      },
    ],
  });
  await simulator.start();
  process.stdout.write(`port=${new URL(simulator.url).port}\n`);
  process.on('SIGTERM', () => void simulator.stop().then(() => process.exit(0)));
}

main().catch((e: unknown) => {
  reportError(e, 'simulator failed: ');
  process.exit(1);
});
