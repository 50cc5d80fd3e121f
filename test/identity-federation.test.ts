import { readFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { repoPath } from '../config/paths';
import { onlyResource, refTo, resolveRef, resourcesOf, resourceWhere, synthDevAndVariant, type SynthJson } from './helpers/identity-stack';

/**
 * Google and SAML federation, and the pre-token-generation trigger that maps allow-listed IdP
 * groups into Cognito groups.
 */

const config = loadConfig();
const corp = config.identityProviders.saml[0];
const google = config.identityProviders.google!;

let dev: SynthJson;
/** No Google, and a second SAML IdP configured by metadata URL with request signing off. */
let variant: SynthJson;

synthDevAndVariant(
  (raw) => {
    (raw.identityProviders as any).google = undefined;
    (raw.identityProviders!.saml as any[]).push({
      name: 'PartnerSAML',
      metadataUrl: 'https://idp.partner.example.org/metadata',
      groupsAttribute: 'groups',
      groupMapping: { 'partner-staff': 'subscribers' },
      identifiers: ['partner.example.org'],
      idpSignOut: false,
      requestSigning: false,
    });
  },
  (d, v) => ([dev, variant] = [d, v]),
);

const idp = (json: SynthJson, name: string) => resourceWhere(json, 'aws_cognito_identity_provider', 'provider_name', name);

describe('5. federation: Google', () => {
  test('client id from the config, secret from a sensitive variable, openid email profile, attribute mapping', () => {
    const g = idp(dev, 'Google');
    expect(g.provider_type).toBe('Google');
    expect(g.provider_details).toMatchObject({ client_id: google.clientId, client_secret: '${var.google_client_secret}' });
    expect(g.provider_details.authorize_scopes).toBe('openid email profile');
    expect(g.attribute_mapping).toEqual(google.attributeMapping);
    expect(dev.variable?.google_client_secret).toMatchObject({ type: 'string', sensitive: true });
  });

  test("the secret never appears in an output (nor does the server client's secret)", () => {
    expect(JSON.stringify(dev.output)).not.toMatch(/client_secret|var\.google/);
  });

  test('without Google there is neither provider nor secret variable', () => {
    expect(Object.values(resourcesOf(variant, 'aws_cognito_identity_provider')).map((p) => p.provider_name)).not.toContain('Google');
    expect(variant.variable?.google_client_secret).toBeUndefined();
  });
});

describe('5. federation: SAML', () => {
  test('metadata file content, IdP sign-out, request signing, IdP identifiers', () => {
    const saml = idp(dev, corp.name);
    expect(saml.provider_type).toBe('SAML');
    expect(saml.provider_details.MetadataFile).toBe(readFileSync(repoPath(corp.metadataFile!), 'utf8'));
    expect(saml.provider_details.IDPSignout).toBe('true');
    expect(saml.provider_details.RequestSigningAlgorithm).toBe('rsa-sha256');
    expect(saml.idp_identifiers).toEqual(corp.identifiers);
  });

  test('attribute mapping includes the IdP groups attribute into custom:idp_groups', () => {
    expect(idp(dev, corp.name).attribute_mapping).toEqual({ ...corp.attributeMapping, 'custom:idp_groups': corp.groupsAttribute });
  });

  test('a metadata URL instead of a file; sign-out and signing follow the config', () => {
    const partner = idp(variant, 'PartnerSAML');
    expect(partner.provider_details).toEqual({ MetadataURL: 'https://idp.partner.example.org/metadata', IDPSignout: 'false' });
    expect(partner.idp_identifiers).toEqual(['partner.example.org']);
  });

  test('the provider_details keys AWS fills in itself are ignored (no perpetual diff)', () => {
    const ignored = idp(dev, corp.name).lifecycle.ignore_changes;
    expect(ignored).toEqual(expect.arrayContaining(['provider_details["SSORedirectBindingURI"]', 'provider_details["SLORedirectBindingURI"]']));
    // Only the computed keys: the metadata itself must still be applied when it changes.
    expect(ignored.join(' ')).not.toMatch(/Metadata|IDPSignout|RequestSigning/);
  });

  test('each client lists COGNITO and every enabled provider', () => {
    for (const json of [dev, variant]) {
      const providers = resourcesOf(json, 'aws_cognito_identity_provider');
      const expected = ['COGNITO', ...Object.keys(providers).map((id) => `\${aws_cognito_identity_provider.${id}.provider_name}`)];
      for (const c of Object.values(resourcesOf(json, 'aws_cognito_user_pool_client'))) {
        expect([...c.supported_identity_providers].sort()).toEqual(expected.sort());
      }
    }
    // CorpSAML, PartnerSAML and the project's PartnerOIDC; no Google.
    expect(Object.keys(resourcesOf(variant, 'aws_cognito_identity_provider'))).toHaveLength(3);
  });
});

describe('6. federated group mapping trigger', () => {
  /** The function the pool's trigger config names (the stack has other functions and log groups). */
  const fn = (json: SynthJson) =>
    resolveRef(json, onlyResource(json, 'aws_cognito_user_pool').lambda_config.pre_token_generation_config.lambda_arn);
  const logGroupOf = (json: SynthJson) => resourceWhere(json, 'aws_cloudwatch_log_group', 'name', fn(json).logging_config.log_group);

  test('the user pool calls the function as a V2 pre-token-generation trigger', () => {
    const lambdaConfig = onlyResource(dev, 'aws_cognito_user_pool').lambda_config;
    const arn = refTo(dev, 'aws_lambda_function', fn(dev), 'arn');
    expect(lambdaConfig.pre_token_generation_config).toEqual({ lambda_arn: arn, lambda_version: 'V2_0' });
    expect(lambdaConfig.pre_token_generation).toBe(arn);
    expect(fn(dev).function_name).toBe(`${config.name}-dev-pre-token-generation`);
  });

  test('the function ships the esbuild bundle as a Terraform asset and gets the allow-lists from the config', () => {
    const f = fn(dev);
    expect(f.handler).toBe('index.handler');
    expect(f.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    // A new bundle changes the hash, so Terraform redeploys the code.
    expect(f.source_code_hash).toBe(`\${filebase64sha256("${f.filename}")}`);
    expect(f.runtime).toMatch(/^nodejs\d+\.x$/);
    const vars = f.environment.variables;
    const partner = config.identityProviders.oidc[0];
    expect(JSON.parse(vars.GROUP_MAPPINGS)).toEqual({ [corp.name]: corp.groupMapping, [partner.name]: partner.groupMapping });
    expect(vars.IDP_GROUPS_ATTRIBUTE).toBe('custom:idp_groups');
    expect(JSON.parse(vars.GROUP_ORDER)).toEqual(config.groups.map((g) => g.name));
    expect(JSON.parse(fn(variant).environment.variables.GROUP_MAPPINGS)).toEqual({
      [corp.name]: corp.groupMapping,
      PartnerSAML: { 'partner-staff': 'subscribers' },
      PartnerOIDC: { 'partner-writers': 'editors' },
    });
  });

  test('its own least-privilege role: assumable by Lambda only, may write only its own log group and traces', () => {
    const f = fn(dev);
    const role = Object.entries(resourcesOf(dev, 'aws_iam_role')).find(([id]) => f.role === `\${aws_iam_role.${id}.arn}`)![1];
    const trust = JSON.parse(role.assume_role_policy);
    expect(trust.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const policies = Object.values(resourcesOf(dev, 'aws_iam_role_policy')).filter((p) => p.role === refTo(dev, 'aws_iam_role', role, 'id'));
    expect(policies).toHaveLength(2);
    const logGroup = logGroupOf(dev);
    const statements = policies.flatMap((p) => JSON.parse(p.policy).Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${refTo(dev, 'aws_cloudwatch_log_group', logGroup, 'arn')}:*`],
      },
      // X-Ray defines no resource types for these two actions: "*" is all they take.
      { Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
    ]);
    // Active tracing is refused without the X-Ray grant, so the function waits for it.
    const tracing = policies.find((p) => p.name === 'write-traces');
    expect(fn(dev).depends_on).toContain(refTo(dev, 'aws_iam_role_policy', tracing, 'id').replace(/^\$\{|\.id\}$/g, ''));
    // No managed policy on top (e.g. AWSLambdaBasicExecutionRole writes to every log group). An
    // attachment names the role by reference; a role's id is its name, so either reference works.
    const roleRefs = [refTo(dev, 'aws_iam_role', role, 'name'), refTo(dev, 'aws_iam_role', role, 'id')];
    expect(Object.values(resourcesOf(dev, 'aws_iam_role_policy_attachment')).filter((a) => roleRefs.includes(a.role))).toEqual([]);
  });

  test('its own log group, kept a year and encrypted with the stack key, used by the function with X-Ray tracing', () => {
    const logGroup = logGroupOf(dev);
    expect(logGroup.name).toBe(`/aws/lambda/${fn(dev).function_name}`);
    expect(logGroup.retention_in_days).toBe(365);
    expect(logGroup.kms_key_id).toBe(refTo(dev, 'aws_kms_key', onlyResource(dev, 'aws_kms_key'), 'arn'));
    expect(fn(dev).tracing_config).toEqual({ mode: 'Active' });
  });

  test('only this user pool may invoke it', () => {
    const permission = resourceWhere(dev, 'aws_lambda_permission', 'function_name', refTo(dev, 'aws_lambda_function', fn(dev), 'function_name'));
    expect(permission).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'cognito-idp.amazonaws.com',
      source_arn: refTo(dev, 'aws_cognito_user_pool', onlyResource(dev, 'aws_cognito_user_pool'), 'arn'),
    });
  });
});
