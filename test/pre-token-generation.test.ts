import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { loadConfig, stackConfig } from '../config';
import { unzipSync } from 'fflate';
import { deterministicZip, stageFile } from '../constructs/code-asset';
import { groupMappingEnvironment, groupMappingSettings } from '../constructs/group-mapping-trigger';
import { bundleLambda } from '../lambdas/bundle';
import { createHandler, federatedProviders, handler, parseIdpGroups, settingsFromEnv } from '../lambdas/pre-token-generation/handler';
import { triggerEvent, withEnv } from './helpers/trigger-events';

/**
 * The group-mapping trigger with V2 events shaped like Cognito's (test/fixtures/pre-token-generation),
 * run with the settings the stack gives it for the project's config.
 */

const config = stackConfig(loadConfig(), 'dev');
const settings = groupMappingSettings(config, 'custom:idp_groups');
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:content-dev-pre-token-generation';
const context = { invokedFunctionArn: FUNCTION_ARN };
const roleArn = (group: string) => `arn:aws:iam::123456789012:role/${config.name}-dev-group-${group}`;

const fixture = (name: string, edit?: (e: any) => void) => triggerEvent<PreTokenGenerationV2TriggerEvent>('pre-token-generation', name, edit);

const run = (event: PreTokenGenerationV2TriggerEvent) => createHandler(settings)(event, context);
const overrides = async (event: PreTokenGenerationV2TriggerEvent) => (await run(event)).response.claimsAndScopeOverrideDetails;

describe('SAML users', () => {
  test('an allow-listed IdP group becomes its Cognito group, with that group role preferred', async () => {
    // content-editors -> editors (config); all-staff is not listed and is dropped.
    expect(settings.mappings.CorpSAML['content-editors']).toBe('editors');
    const result = await overrides(fixture('saml-hosted-auth'));
    expect(result.groupOverrideDetails).toEqual({
      groupsToOverride: ['editors', 'eu-west-1_AbCdEf123_CorpSAML'],
      iamRolesToOverride: [roleArn('editors')],
      preferredRole: roleArn('editors'),
    });
  });

  test('escalation: an IdP that sends an unlisted group such as "admins" gets nothing for it', async () => {
    const event = fixture('saml-hosted-auth', (e) => {
      e.request.userAttributes['custom:idp_groups'] = '[admins, content-readers, Admins]';
    });
    const groups = (await overrides(event)).groupOverrideDetails!.groupsToOverride!;
    expect(groups).toContain('subscribers');
    expect(groups).not.toContain('admins');
  });

  test('escalation: IdP values that name Object.prototype members map to nothing', async () => {
    const event = fixture('saml-hosted-auth', (e) => {
      e.request.userAttributes['custom:idp_groups'] = '[constructor, __proto__, toString, hasOwnProperty]';
    });
    expect((await overrides(event)).groupOverrideDetails).toBeUndefined();
  });

  test('an IdP the config has no mapping for grants nothing, even with a listed value', async () => {
    const event = fixture('saml-hosted-auth', (e) => {
      e.request.userAttributes.identities = e.request.userAttributes.identities.replace('CorpSAML', 'OtherSAML');
    });
    expect((await overrides(event)).groupOverrideDetails).toBeUndefined();
  });

  test('a group the user already has is not added twice', async () => {
    const event = fixture('saml-hosted-auth', (e) => {
      e.request.groupConfiguration.groupsToOverride = ['editors'];
      e.request.groupConfiguration.iamRolesToOverride = [roleArn('editors')];
      e.request.groupConfiguration.preferredRole = roleArn('editors');
    });
    expect((await overrides(event)).groupOverrideDetails).toBeUndefined();
  });

  test('groups come out in precedence order, and the highest one is the preferred role', async () => {
    const event = fixture('saml-hosted-auth', (e) => {
      e.request.groupConfiguration.groupsToOverride = ['subscribers'];
      e.request.groupConfiguration.iamRolesToOverride = [roleArn('subscribers')];
    });
    const details = (await overrides(event)).groupOverrideDetails!;
    expect(details.groupsToOverride).toEqual(['editors', 'subscribers']);
    expect(details.iamRolesToOverride).toEqual([roleArn('subscribers'), roleArn('editors')]);
    expect(details.preferredRole).toBe(roleArn('editors'));
  });
});

describe('users who did not sign in through the IdP', () => {
  test('escalation: a local user who wrote custom:idp_groups themselves gets no group', async () => {
    const details = await overrides(fixture('local-password-auth'));
    expect(details.groupOverrideDetails).toBeUndefined();
  });

  test('a Google user with the attribute set keeps exactly their own groups', async () => {
    const details = await overrides(fixture('google-refresh'));
    expect(details.groupOverrideDetails).toBeUndefined();
  });

  test('a forged identities-like value in another attribute does not count', async () => {
    const event = fixture('local-password-auth', (e) => {
      e.request.userAttributes['custom:identities'] = '[{"providerName":"CorpSAML","providerType":"SAML"}]';
    });
    expect((await overrides(event)).groupOverrideDetails).toBeUndefined();
  });
});

describe('IdP groups are mapped only for the IdP\'s own federated users (userName <Provider>_… and identities agree)', () => {
  const groupsOf = async (event: PreTokenGenerationV2TriggerEvent) => (await overrides(event)).groupOverrideDetails?.groupsToOverride;

  test('a native user (password/SRP sign-in) who wrote custom:idp_groups gets no group', async () => {
    expect(await groupsOf(fixture('local-password-auth'))).toBeUndefined();
  });

  test('escalation: a native user linked to CorpSAML, signing in with SRP after writing the attribute, gets no group', async () => {
    // identities lists CorpSAML (AdminLinkProviderForUser), but the user name is the native one.
    const event = fixture('linked-native-srp');
    expect(federatedProviders(event.request.userAttributes.identities)).toEqual(['CorpSAML']);
    expect(await groupsOf(event)).toBeUndefined();
  });

  test('a user name that only looks federated, without the provider in identities, gets no group', async () => {
    const event = fixture('local-password-auth', (e) => {
      e.userName = 'CorpSAML_mallory@example.com';
    });
    expect(await groupsOf(event)).toBeUndefined();
  });

  test("CorpSAML's own federated user gets the mapped group, whatever the case of the user name's prefix", async () => {
    expect(await groupsOf(fixture('saml-hosted-auth'))).toEqual(['editors', 'eu-west-1_AbCdEf123_CorpSAML']);
    const lower = fixture('saml-hosted-auth', (e) => (e.userName = 'corpsaml_jane.doe@corp.example.com'));
    expect(await groupsOf(lower)).toEqual(['editors', 'eu-west-1_AbCdEf123_CorpSAML']);
  });

  test("another IdP's user (Google) whose identities also list CorpSAML gets nothing from CorpSAML's mapping", async () => {
    const event = fixture('google-refresh', (e) => {
      const ids = JSON.parse(e.request.userAttributes.identities);
      ids.push({ userId: 'x', providerName: 'CorpSAML', providerType: 'SAML', issuer: null, primary: 'false' });
      e.request.userAttributes.identities = JSON.stringify(ids);
      e.request.userAttributes['custom:idp_groups'] = '[content-editors]';
    });
    expect(await groupsOf(event)).toBeUndefined();
  });

  test.each([
    ['[content-readers, admins, "editors"]', ['subscribers']],
    ['content-readers],[admins', []],
    ['["content-readers","editors","admins"]', ['subscribers']],
    ['[content-readers,content-editors;admins]', ['subscribers']],
  ])('a tampered multi-value string %j maps only allow-listed values exactly: %j', async (value, expected) => {
    const event = fixture('saml-hosted-auth', (e) => {
      e.request.userAttributes['custom:idp_groups'] = value;
      e.request.groupConfiguration.groupsToOverride = [];
    });
    expect((await groupsOf(event)) ?? []).toEqual(expected);
  });
});

test('the IdP groups attribute never reaches the ID token', async () => {
  for (const name of ['saml-hosted-auth', 'local-password-auth', 'google-refresh']) {
    expect((await overrides(fixture(name))).idTokenGeneration).toEqual({ claimsToSuppress: ['custom:idp_groups'] });
  }
});

test.each([
  ['[a, b]', ['a', 'b']],
  ['["a","b"]', ['a', 'b']],
  ['a', ['a']],
  ['', []],
  ['[]', []],
])('IdP groups value %j parses to %j', (value, expected) => {
  expect(parseIdpGroups(value)).toEqual(expected);
});

describe('as deployed', () => {
  // The variables the construct sets, so a change on either side fails here.
  const env = groupMappingEnvironment(settings);

  test('settings from the environment; a missing variable is named', () => {
    expect(settingsFromEnv(env)).toEqual(settings);
    for (const name of Object.keys(env)) expect(() => settingsFromEnv({ ...env, [name]: undefined })).toThrow(name);
  });

  const withStackEnv = (fn: () => Promise<void>) => withEnv(env, fn);

  test('the esbuild bundle runs stand-alone with the environment the stack sets', () =>
    withStackEnv(async () => {
      // What Lambda runs: index.js as it comes out of the deployment zip.
      const zipped = unzipSync(deterministicZip({ 'index.js': bundleLambda('pre-token-generation') }))['index.js'];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is built at run time
      const bundled = require(stageFile('pre-token-generation-test', 'index.js', zipped));
      const event = fixture('saml-hosted-auth', (e) => {
        e.request.userAttributes['custom:idp_groups'] = '[admins, content-editors]';
      });
      const result = await bundled.handler(event, context);
      expect(result.response.claimsAndScopeOverrideDetails.groupOverrideDetails.groupsToOverride).toEqual([
        'editors',
        'eu-west-1_AbCdEf123_CorpSAML',
      ]);
      const local = await bundled.handler(fixture('local-password-auth'), context);
      expect(local.response.claimsAndScopeOverrideDetails.groupOverrideDetails).toBeUndefined();
      // A linked native user: the IdP in identities, but a native user name.
      const linked = await bundled.handler(fixture('linked-native-srp'), context);
      expect(linked.response.claimsAndScopeOverrideDetails.groupOverrideDetails).toBeUndefined();
    }));

  test('the source entry point reads the same environment', () =>
    withStackEnv(async () => {
      const result = await handler(fixture('saml-hosted-auth'), context as any);
      expect(result.response.claimsAndScopeOverrideDetails.groupOverrideDetails?.groupsToOverride).toContain('editors');
    }));
});
