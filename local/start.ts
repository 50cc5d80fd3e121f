import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { repoRoot } from '../config/paths';
import { DEFAULT_DATA_DIR, lockDataDir } from './data-lock';
import { launchIdpThread, type LaunchedIdpThread } from './federation/idp-thread-client';
import { idpThreadPreparation, readStackFederation } from './federation/stack-federation';
import type { LocalMode } from './local-mode';
import { curlExample, LOCAL_OUTPUTS_FILE, type LocalOutputs, writeLocalOutputs } from './outputs';
import { readLocalStack } from './stack-reader';
import { bucketVirtualHost } from './s3/virtual-host';
import { synthesizeInBackground } from './synth-stack';
import { parseCommandLine, reportError, UserFacingError } from '../config/errors';

// The pinned AWS SDK supports Node 20; its notice about SDK versions not yet released is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm start`: synthesize the local environment's stack (or reuse a current one), run it
 * locally (user pool, DynamoDB, GraphQL endpoint, all in this process), write
 * local-outputs.json and print how to use it. Ctrl-C stops everything.
 */

const USAGE = `usage: npm start -- [options]
  --reset                 wipe the local data (${DEFAULT_DATA_DIR}) first
  --port <n>              GraphQL endpoint port (default config.local.graphqlPort; 0 = any free port)
  --user-pool-port <n>    user-pool emulator port (default config.local.userPoolPort; 0 = any)
  --dynamodb-port <n>     DynamoDB emulator port (default config.local.dynamodbPort; 0 = any)
  --data-dir <dir>        local data directory (default ${DEFAULT_DATA_DIR})
  --stack <file>          run this synthesized stack instead of synthesizing
  --outputs <file>        where to write the outputs (default ${LOCAL_OUTPUTS_FILE})
  --help`;

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UserFacingError({ location: `--${flag} ${JSON.stringify(value)}`, problem: 'expected a port number from 0 to 65535 (0 = any free port)' });
  }
  return n;
}

function parse(argv: string[]) {
  const { values } = parseCommandLine(USAGE, () => parseArgs({
    args: argv,
    strict: true,
    options: {
      reset: { type: 'boolean', default: false },
      port: { type: 'string' },
      'user-pool-port': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'data-dir': { type: 'string' },
      stack: { type: 'string' },
      outputs: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
  return values;
}

/** How a demo user signs in, beyond the shared password. */
function demoUserNote(u: LocalOutputs['demoUsers'][number]): string {
  if (u.temporaryPassword) return ` temporary password ${u.temporaryPassword} (set a new one at first sign-in)`;
  if (u.totpSecret) return ` TOTP secret ${u.totpSecret}`;
  return '';
}

/** The local IdPs' people: signed in on the IdP's page, reached from the managed login. */
function federatedUserLines(outputs: LocalOutputs): string[] {
  const users = outputs.local.federatedUsers ?? [];
  if (users.length === 0) return [];
  return [
    '',
    `Federated users (same password, on the local IdP's page; managed login ?identity_provider=<idp>):`,
    ...users.map((u) => `  ${u.email.padEnd(28)} ${u.idp.padEnd(9)} ${(u.idpGroups.length ? `IdP groups ${u.idpGroups.join(', ')}` : '').padEnd(36)}${u.allowed ? '' : 'refused by the admission rule (access_denied)'}`),
  ];
}

/**
 * The bucket's virtual-hosted address, when it has one: a bucket name with a dot has none (the
 * S3 endpoint refuses such a Host; aws-amplify addresses it path-style).
 */
function virtualHostLine(outputs: LocalOutputs): string[] {
  const bucket = outputs.Storage?.S3.bucket;
  const custom = outputs.local.storageCustomEndpoint;
  if (bucket === undefined || custom === undefined || bucketVirtualHost(bucket) === undefined) return [];
  // customEndpoint is `localhost:<port>`: Amplify puts the bucket in front, as here.
  return [`              https://${bucket}.${custom}   (virtual-hosted: aws-amplify Storage with options.customEndpoint = local.storageCustomEndpoint)`];
}

function printReady(outputs: LocalOutputs, mode: LocalMode, outputsFile: string, seconds: number, synthNote: string): void {
  const lines = [
    '',
    `Local mode (${outputs.local.environment} stack: ${path.relative(process.cwd(), outputs.local.stackFile) || outputs.local.stackFile})`,
    `  GraphQL     ${outputs.API.GraphQL.endpoint}`,
    `  real-time   ${outputs.local.realtimeUrl}   (trust ${outputs.local.caFile} via NODE_EXTRA_CA_CERTS)`,
    `  page        ${outputs.local.pageUrl}`,
    `  user pool   ${outputs.Auth.Cognito.userPoolEndpoint}   pool ${outputs.Auth.Cognito.userPoolId}, web client ${outputs.Auth.Cognito.userPoolClientId}`,
    ...(outputs.local.managedLogin ? [`  login       ${outputs.local.managedLogin.origin}/oauth2/authorize   (managed login; OIDC discovery ${outputs.local.managedLogin.discoveryUrl})`] : []),
    `  DynamoDB    ${outputs.local.dynamodbEndpoint}${mode.seededArticles ? `   (seeded ${mode.seededArticles} demo articles)` : ''}`,
    ...(outputs.Auth.Cognito.identityPoolEndpoint ? [`  identity    ${outputs.Auth.Cognito.identityPoolEndpoint}   pool ${outputs.Auth.Cognito.identityPoolId}`] : []),
    ...(outputs.local.s3Endpoint ? [`  S3          ${outputs.local.s3Endpoint}/${outputs.Storage?.S3.bucket}   (path-style, https: trust ${outputs.local.caFile})`] : []),
    ...virtualHostLine(outputs),
    `  outputs     ${outputsFile}   (aws-amplify config + demo users)`,
    '',
    `Demo users (local-only password: ${mode.userPool.demoPassword}):`,
    ...outputs.demoUsers.map((u) => `  ${u.email.padEnd(28)} ${(u.groups.length ? u.groups.join(', ') : '(no group)').padEnd(14)}${demoUserNote(u)}`),
    ...federatedUserLines(outputs),
    ...mode.notices.map((n) => `Notice: ${n}`),
    '',
    'Sign-in: SRP (aws-amplify, amazon-cognito-identity-js) as deployed; USER_PASSWORD_AUTH too, local only (for curl).',
    'Managed login: signInWithRedirect and any OAuth/OIDC client (code + PKCE, refresh, client_credentials); OAuth tokens carry the managed login\'s issuer.',
    ...(outputs.local.federatedUsers
      ? ["Federation: identity_provider=<idp> (or idp_identifier=<email>) on the managed login goes to the local IdP and back; the stack's own trigger bundles map IdP groups."]
      : []),
    'Local-only differences: IAM (SigV4) callers reach POST /graphql, not the real-time socket.',
  ];
  const user = outputs.demoUsers.find((u): u is typeof u & { password: string } => u.groups.length > 0 && u.password !== undefined);
  if (user) {
    lines.push(
      '',
      `Try it (signs in as ${user.email}, then queries):`,
      curlExample(outputs, user, '{ me { username groups } articles(limit: 3) { items { title body } } }')
    );
  }
  lines.push('', `Ready in ${seconds.toFixed(2)} s (${synthNote}). Ctrl-C stops everything.`);
  console.log(lines.join('\n'));
}

/**
 * The local mode's modules, required on demand rather than imported above, so other work (a
 * synth in its child process, the IdP thread) overlaps their loading. `require`, not `import()`:
 * scripts/transpile.js (esbuild) keeps `import()` native, and Node's ESM resolver then wants
 * file extensions.
 */
function localModeModules() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startLocalMode } = require('./local-mode') as typeof import('./local-mode');
  const { seedAuthor } = require('./seed-articles') as typeof import('./seed-articles');
  const { stop: stopEsbuild } = require('esbuild') as typeof import('esbuild');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { startLocalMode, seedAuthor, stopEsbuild };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  const root = repoRoot();
  const env = config.local.environment;
  const ports = {
    graphql: port('port', args.port, config.local.graphqlPort),
    userPool: port('user-pool-port', args['user-pool-port'], config.local.userPoolPort),
    dynamodb: port('dynamodb-port', args['dynamodb-port'], config.local.dynamodbPort),
  };
  const synthesis = args.stack ? undefined : synthesizeInBackground(root, env);
  // A stale stack is synthesized in a child process: this thread loads the modules meanwhile.
  let modules: ReturnType<typeof localModeModules> | undefined;
  try {
    modules = synthesis?.stale ? localModeModules() : undefined;
  } catch (e) {
    // Nothing awaits the synth then: stop its child, which would outlive this process.
    synthesis?.cancel();
    throw e;
  }
  const synth = await synthesis?.result;
  const stackFile = args.stack ?? synth!.stackFile;
  const synthNote = !synth
    ? 'given stack'
    : synth.synthesized
    ? `synth ${synth.seconds.toFixed(2)} s`
    : 'stack was current, not re-synthesized';

  const dataDir = args['data-dir'] ?? path.join(root, DEFAULT_DATA_DIR);
  // The data lock first: the IdP thread reads (or makes) keys below the data directory, which
  // another local mode may be using. startLocalMode takes over the lock (and releases it).
  const lock = lockDataDir(dataDir);
  let idpThread: LaunchedIdpThread | undefined;
  let loaded: ReturnType<typeof localModeModules>;
  try {
    // The identity-provider thread before the modules (when the stack was current): its libraries
    // (oidc-provider, samlify) and keys load while this thread loads the local mode's. Not with
    // --reset, which wipes the keys' folder (inside startLocalMode, which then launches it).
    const federation = readStackFederation(readLocalStack(stackFile));
    idpThread = args.reset || federation.providers.length === 0 ? undefined : launchIdpThread(idpThreadPreparation(federation, dataDir));
    loaded = modules ?? localModeModules();
  } catch (e) {
    // Stopped before the lock goes: the thread may be writing keys.
    await idpThread?.close().catch(() => undefined);
    lock.release();
    throw e;
  }
  const { startLocalMode, seedAuthor, stopEsbuild } = loaded;

  let stopOnFailure: ((reason: 'failure') => void) | undefined;
  const mode = await startLocalMode({
    stackFile,
    dataDir,
    lock,
    idpThread,
    reset: args.reset,
    ports,
    demoUsers: config.local.demoUsers,
    federatedUsers: config.local.federatedUsers,
    allowedOrigins: config.local.allowedOrigins,
    seedAuthor: seedAuthor(config),
    onFailure: (err) => {
      console.error(`\nlocal mode failed: ${err.message}`);
      // Before the start finished there is nothing to stop in order yet.
      if (stopOnFailure) stopOnFailure('failure');
      else process.exit(1);
    },
  });
  stopOnFailure = stop;
  let stopping = false;
  function stop(reason: NodeJS.Signals | 'failure'): void {
    if (stopping) {
      // A second Ctrl-C: do not wait for a slow close.
      process.exit(130);
    }
    stopping = true;
    if (reason !== 'failure') console.log(`\n${reason}: stopping the local mode...`);
    mode
      .close()
      // esbuild (the resolver runtime converts bundles with it) keeps a service child process;
      // stop it so nothing outlives this process.
      .then(() => stopEsbuild())
      .then(
        () => process.exit(reason === 'failure' ? 1 : 0),
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        }
      );
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const outputsFile = args.outputs ?? path.join(root, LOCAL_OUTPUTS_FILE);
  writeLocalOutputs(outputsFile, mode.outputs);
  printReady(mode.outputs, mode, outputsFile, process.uptime(), synthNote);
}

// A mistake in the user's files or flags (a UserFacingError) prints its message alone; a bug keeps its stack.
main().catch((e: unknown) => {
  reportError(e, 'local mode did not start: ');
  process.exit(1);
});
