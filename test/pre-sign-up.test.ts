import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { resolveConfig, stackConfig, type ProjectConfig } from '../config';
import { admissionEnvironment, admissionSettings } from '../constructs/admission-trigger';
import { bundleLambda } from '../lambdas/bundle';
import { stageFile } from '../constructs/code-asset';
import { decideAdmission, type AdmissionSettings } from '../lambdas/pre-sign-up/admission';
import { createHandler, settingsFromEnv, type NativeUserDirectory } from '../lambdas/pre-sign-up/handler';
import { triggerEvent, withEnv } from './helpers/trigger-events';
import { onlyResource, projectCopy, refTo, resourcesOf, resourceWhere, synthStack, type SynthJson } from './helpers/identity-stack';

/**
 * The pre-sign-up trigger that decides who a social IdP may bring into the admin-create-only
 * pool, with events shaped like Cognito's (test/fixtures/pre-sign-up), run as the esbuild
 * bundle the stack deploys, with the environment the stack gives it.
 */

const fixture = (name: string, edit?: (e: any) => void) => triggerEvent<PreSignUpTriggerEvent>('pre-sign-up', name, edit);

/** The stack's settings for the project config, optionally changed. */
function settingsFor(edit?: (raw: ProjectConfig) => void): AdmissionSettings {
  const raw = projectCopy();
  edit?.(raw);
  return admissionSettings(stackConfig(resolveConfig(raw, 'test'), 'dev'));
}

const googleEmail = (email: string, extra: Record<string, string> = {}) =>
  fixture('google-first-sign-in', (e) => Object.assign(e.request.userAttributes, { email, ...extra }));

describe('the project config (Google: allowedEmailDomains example.com), as the deployed bundle', () => {
  const settings = settingsFor();
  const env = admissionEnvironment(settings);
  let bundled: { handler: (e: PreSignUpTriggerEvent) => Promise<PreSignUpTriggerEvent>; decideAdmission: typeof decideAdmission };
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is built at run time
    bundled = require(stageFile('test-lambda-bundles/pre-sign-up', 'index.js', bundleLambda('pre-sign-up')));
  });
  const run = (event: PreSignUpTriggerEvent) => withEnv(env, async () => void (await bundled.handler(event)));

  test('settings from the environment; a missing variable is named', () => {
    expect(settings).toEqual({ social: { Google: { mode: 'allowList', allowedEmailDomains: ['example.com'], allowedEmails: [] } }, enterprise: ['CorpSAML', 'PartnerOIDC'] });
    expect(settingsFromEnv(env)).toEqual(settings);
    for (const name of Object.keys(env)) expect(() => settingsFromEnv({ ...env, [name]: undefined })).toThrow(name);
  });

  test('a Google account in an allowed domain is admitted (the event comes back unchanged)', () =>
    withEnv(env, async () => {
      const event = fixture('google-first-sign-in');
      expect(await bundled.handler(structuredClone(event))).toEqual(event);
    }));

  test('the domain is compared case-insensitively', () => run(googleEmail('Jane@EXAMPLE.com')));

  test('a user name with the provider in lower case (google_…) is still Google\'s, and still checked', async () => {
    await run(fixture('google-first-sign-in', (e) => (e.userName = 'google_104857600123456789012')));
    const outsider = fixture('google-first-sign-in', (e) => {
      e.userName = 'google_104857600123456789012';
      e.request.userAttributes.email = 'someone@gmail.com';
    });
    await expect(run(outsider)).rejects.toThrow('Sign-up through Google is not open to this account.');
  });

  test('the bundle exports the pure decision function for a local mode', () => {
    expect(bundled.decideAdmission(fixture('google-first-sign-in'), settings)).toEqual({ outcome: 'admit', reason: 'example.com is in allowedEmailDomains' });
  });

  test.each(['someone@gmail.com', 'jane@sub.example.com', 'jane@example.com.evil.org', 'jane@evil-example.com', 'jane@notexample.com'])(
    'escalation: a Google account %s outside the allowed domain is refused with a message Cognito relays',
    async (email) => {
      await expect(run(googleEmail(email))).rejects.toThrow(
        new Error('Sign-up through Google is not open to this account. Ask an administrator for access.'),
      );
    },
  );

  test('a Google event without an email, or with an address Google marks unverified, is refused', async () => {
    await expect(run(fixture('google-first-sign-in', (e) => delete e.request.userAttributes.email))).rejects.toThrow('Google');
    await expect(run(googleEmail('jane@example.com', { email_verified: 'false' }))).rejects.toThrow('Google');
    await expect(run(googleEmail('"x"@example.com'))).rejects.toThrow('Google');
  });

  test('an enterprise IdP (SAML) user is admitted: membership is the IdP\'s decision', () => run(fixture('saml-first-sign-in')));

  test('an enterprise OIDC IdP (PartnerOIDC) user is admitted too', () =>
    run(fixture('saml-first-sign-in', (e) => (e.userName = 'PartnerOIDC_00u1abcd2EFGH3ijk4'))));

  test('an identity provider the config does not name is refused', async () => {
    const event = fixture('google-first-sign-in', (e) => (e.userName = 'Facebook_10220000000000000'));
    await expect(run(event)).rejects.toThrow('Sign-up through this identity provider is not open.');
  });

  test('a user an administrator creates is admitted whatever their domain', () => run(fixture('admin-create-user')));
});

describe('Facebook, Sign in with Apple and Login with Amazon take the same admission rule as Google', () => {
  const rule = { allowedEmailDomains: ['example.com'] };
  const settings = settingsFor((raw) => {
    (raw.identityProviders as any).facebook = { clientId: '1234567890123', admission: rule };
    (raw.identityProviders as any).signInWithApple = { clientId: 'com.example.content.signin', teamId: 'ABCDE12345', keyId: 'KEY1234567', admission: { invitedOnly: true } };
    (raw.identityProviders as any).loginWithAmazon = { clientId: 'amzn1.application-oa2-client.0123456789abcdef', admission: { allowedEmails: ['guest@amazon.example'] } };
  });
  let bundled: { handler: (e: PreSignUpTriggerEvent) => Promise<PreSignUpTriggerEvent>; decideAdmission: typeof decideAdmission };
  // Its own copy of the bundle: the handler reads its settings once per process (as in Lambda).
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is built at run time
    bundled = require(stageFile('test-lambda-bundles/pre-sign-up-social', 'index.js', bundleLambda('pre-sign-up')));
  });
  const event = (userName: string, email: string) =>
    fixture('google-first-sign-in', (e) => {
      e.userName = userName;
      e.request.userAttributes.email = email;
    });

  test('each has its rule in the trigger settings', () => {
    expect(Object.keys(settings.social).sort()).toEqual(['Facebook', 'Google', 'LoginWithAmazon', 'SignInWithApple']);
    expect(settings.social.SignInWithApple).toEqual({ mode: 'invitedOnly' });
  });

  test('the deployed bundle admits and refuses by each rule', () =>
    withEnv(admissionEnvironment(settings), async () => {
      await expect(bundled.handler(event('Facebook_10220000000000000', 'jane@example.com'))).resolves.toMatchObject({ userName: 'Facebook_10220000000000000' });
      await expect(bundled.handler(event('Facebook_10220000000000000', 'jane@gmail.com'))).rejects.toThrow('Sign-up through Facebook is not open to this account.');
      await expect(bundled.handler(event('LoginWithAmazon_amzn1.account.AEXAMPLE', 'guest@amazon.example'))).resolves.toMatchObject({ userName: 'LoginWithAmazon_amzn1.account.AEXAMPLE' });
      await expect(bundled.handler(event('LoginWithAmazon_amzn1.account.AEXAMPLE', 'jane@example.com'))).rejects.toThrow('LoginWithAmazon');
      expect(bundled.decideAdmission(event('SignInWithApple_001234.abcdef', 'jane@example.com'), settings)).toMatchObject({ outcome: 'link', provider: 'SignInWithApple' });
    }));
});

describe('allowedEmails', () => {
  const settings = settingsFor((raw) => {
    (raw.identityProviders!.google as any).admission = { allowedEmails: ['Guest.Writer@gmail.com'] };
  });

  test('admits exactly the listed address, case-insensitively, and nobody else of its domain', () => {
    expect(decideAdmission(googleEmail('guest.writer@gmail.com'), settings).outcome).toBe('admit');
    expect(decideAdmission(googleEmail('GUEST.writer@gmail.com'), settings).outcome).toBe('admit');
    expect(decideAdmission(googleEmail('other@gmail.com'), settings).outcome).toBe('refuse');
    expect(decideAdmission(googleEmail('jane@example.com'), settings).outcome).toBe('refuse');
  });
});

describe('invitedOnly: the Google identity is linked to the native user an administrator created first', () => {
  const settings = settingsFor((raw) => {
    (raw.identityProviders!.google as any).admission = { invitedOnly: true };
  });

  /** An in-memory pool: native users by email; records links. */
  function pool(users: Record<string, string[]>) {
    const links: unknown[][] = [];
    const directory: NativeUserDirectory = {
      nativeUsersWithEmail: async (_pool, email) => users[email] ?? [],
      link: async (...args) => void links.push(args),
    };
    return { links, handler: createHandler(settings, () => directory) };
  }

  test('the decision names the provider, its user id and the address to look up', () => {
    expect(decideAdmission(googleEmail('Invited@Gmail.com'), settings)).toEqual({
      outcome: 'link',
      provider: 'Google',
      providerUserId: '104857600123456789012',
      email: 'invited@gmail.com',
    });
  });

  test('an invited person is linked to their native user and admitted', async () => {
    const { links, handler } = pool({ 'invited@gmail.com': ['3c2b1a00-1111-4222-8333-444455556666'] });
    await handler(googleEmail('invited@gmail.com'));
    expect(links).toEqual([['eu-west-1_AbCdEf123', '3c2b1a00-1111-4222-8333-444455556666', 'Google', '104857600123456789012']]);
  });

  test('escalation: someone nobody invited is refused and nothing is linked', async () => {
    const { links, handler } = pool({});
    await expect(handler(googleEmail('stranger@gmail.com'))).rejects.toThrow('Sign-up through Google is not open to this account.');
    expect(links).toEqual([]);
  });

  test('two native users with the address: ambiguous, refused', async () => {
    const { links, handler } = pool({ 'twice@gmail.com': ['a', 'b'] });
    await expect(handler(googleEmail('twice@gmail.com'))).rejects.toThrow('Google');
    expect(links).toEqual([]);
  });

  describe('as the deployed bundle, through the AWS SDK against a recording Cognito endpoint', () => {
    let server: Server;
    let endpoint: string;
    const calls: { target: string; body: any }[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const target = String(req.headers['x-amz-target']);
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          calls.push({ target, body });
          const users = body.Filter === 'email = "invited@gmail.com"'
            ? [{ Username: 'google-linked-dummy', UserStatus: 'EXTERNAL_PROVIDER' }, { Username: '3c2b1a00-1111-4222-8333-444455556666', UserStatus: 'FORCE_CHANGE_PASSWORD' }]
            : [];
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(target.endsWith('.ListUsers') ? { Users: users } : {}));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('ListUsers by email on the event\'s pool, then AdminLinkProviderForUser of the Google subject to the native user', async () => {
      // A fresh copy of the bundle: its SDK client is created on first use, with this environment.
      jest.resetModules();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is built at run time
      const bundled = require(stageFile('test-lambda-bundles/pre-sign-up', 'index.js', bundleLambda('pre-sign-up')));
      const env = {
        ...admissionEnvironment(settings),
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'offline-test-secret',
      };
      await withEnv(env, async () => {
        await bundled.handler(googleEmail('invited@gmail.com'));
        await expect(bundled.handler(googleEmail('stranger@gmail.com'))).rejects.toThrow('Google');
      });
      expect(calls).toEqual([
        { target: 'AWSCognitoIdentityProviderService.ListUsers', body: { UserPoolId: 'eu-west-1_AbCdEf123', Filter: 'email = "invited@gmail.com"', Limit: 2 } },
        {
          target: 'AWSCognitoIdentityProviderService.AdminLinkProviderForUser',
          body: {
            UserPoolId: 'eu-west-1_AbCdEf123',
            DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: '3c2b1a00-1111-4222-8333-444455556666' },
            SourceUser: { ProviderName: 'Google', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: '104857600123456789012' },
          },
        },
        { target: 'AWSCognitoIdentityProviderService.ListUsers', body: { UserPoolId: 'eu-west-1_AbCdEf123', Filter: 'email = "stranger@gmail.com"', Limit: 2 } },
      ]);
    });
  });
});

describe('in the synthesized stack', () => {
  let dev: SynthJson;
  let invited: SynthJson;
  let open: SynthJson;
  beforeAll(() => {
    dev = synthStack({ env: 'dev' });
    invited = synthStack({ env: 'dev', edit: (raw) => ((raw.identityProviders!.google as any).admission = { invitedOnly: true }) });
    open = synthStack({
      env: 'dev',
      edit: (raw) => {
        (raw as any).userPool = { adminCreateUserOnly: false };
        delete (raw.identityProviders!.google as any).admission;
      },
    });
  });

  const trigger = (json: SynthJson) => resourceWhere(json, 'aws_lambda_function', 'function_name', 'content-dev-pre-sign-up');
  const policiesOf = (json: SynthJson) =>
    Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => p.role === refTo(json, 'aws_iam_role', resourceWhere(json, 'aws_iam_role', 'name', 'content-dev-pre-sign-up'), 'id'));

  test('the pool runs the trigger before sign-up; only this pool may invoke it', () => {
    const pool = onlyResource(dev, 'aws_cognito_user_pool');
    expect(pool.lambda_config.pre_sign_up).toBe(refTo(dev, 'aws_lambda_function', trigger(dev), 'arn'));
    const permission = Object.values(resourcesOf(dev, 'aws_lambda_permission')).find(
      (p) => p.function_name === refTo(dev, 'aws_lambda_function', trigger(dev), 'function_name'),
    );
    expect(permission).toMatchObject({ principal: 'cognito-idp.amazonaws.com', source_arn: refTo(dev, 'aws_cognito_user_pool', pool, 'arn') });
    expect(trigger(dev).environment.variables).toEqual(admissionEnvironment(settingsFor()));
  });

  test('its own log group and role; with allow-lists the role may only write its logs and traces', () => {
    const logGroup = resourceWhere(dev, 'aws_cloudwatch_log_group', 'name', '/aws/lambda/content-dev-pre-sign-up');
    // The name, not a reference: the log key's policy names the pool's account (a cycle otherwise).
    expect(trigger(dev).logging_config.log_group).toBe('/aws/lambda/content-dev-pre-sign-up');
    expect(trigger(dev).tracing_config.mode).toBe('Active');
    const policies = Object.fromEntries(policiesOf(dev).map((p: { name: string; policy: string }) => [p.name, JSON.parse(p.policy).Statement]));
    expect(policies).toEqual({
      'write-own-logs': [
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${refTo(dev, 'aws_cloudwatch_log_group', logGroup, 'arn')}:*`] },
      ],
      // X-Ray's write actions take no resource narrower than '*'.
      'write-traces': [{ Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] }],
    });
  });

  test('invited-only adds ListUsers and AdminLinkProviderForUser on exactly this pool, no wildcard', () => {
    const pool = onlyResource(invited, 'aws_cognito_user_pool');
    const link = policiesOf(invited).find((p) => p.name === 'link-invited-users');
    expect(JSON.parse(link.policy).Statement).toEqual([
      {
        Sid: 'LinkInvitedUsers',
        Effect: 'Allow',
        Action: ['cognito-idp:ListUsers', 'cognito-idp:AdminLinkProviderForUser'],
        Resource: [refTo(invited, 'aws_cognito_user_pool', pool, 'arn')],
      },
    ]);
  });

  test('an open pool with no admission rule has no pre-sign-up trigger', () => {
    expect(onlyResource(open, 'aws_cognito_user_pool').lambda_config.pre_sign_up).toBeUndefined();
    expect(Object.values(resourcesOf(open, 'aws_lambda_function')).map((f) => f.function_name)).toEqual(['content-dev-pre-token-generation']);
  });
});
