/**
 * Every control id the compliance report (`npm run compliance`) evaluates: AWS Security Hub
 * (Foundational Security Best Practices) ids where one exists, otherwise the checkov
 * (`CKV_AWS_…`, `CKV2_AWS_…`) or cdk-nag (`AwsSolutions-…`) rule id. The config's
 * `environments.<env>.relaxations[].control` must be one of these (config/validate.ts), so a
 * typo cannot waive nothing. The checks themselves live in `compliance/controls.ts`; the list lives here so the config
 * stays self-contained (`npm run access -- --diff` bundles `config/` alone at a git ref).
 */
export const CONTROL_IDS = [
  'Cognito.1',
  'Cognito.2',
  'Cognito.3',
  'Cognito.4',
  'Cognito.5',
  'Cognito.6',
  'AwsSolutions-COG8',
  'AppSync.2',
  'AppSync.5',
  'AppSync.6',
  'CKV2_AWS_33',
  'S3.5',
  'S3.8',
  'S3.9',
  'S3.13',
  'S3.14',
  'S3.17',
  'AwsSolutions-S3',
  'DynamoDB.2',
  'DynamoDB.6',
  'Lambda.1',
  'Lambda.2',
  'Lambda.7',
  'CloudWatch.16',
  'CKV_AWS_158',
  'KMS.4',
  'IAM.21',
  'CKV_AWS_355',
] as const;

export type ControlId = (typeof CONTROL_IDS)[number];
