// cognito-local's declaration files import the AWS SDK v2 (436 declaration files, ~2.5 s of every
// `tsc` run). The local mode uses only cognito-local's server types, none of the SDK v2 ones, so
// tsconfig.json maps `aws-sdk` to this stub for type checking; at run time the real package loads.
declare const awsSdkV2: any;
export = awsSdkV2;
