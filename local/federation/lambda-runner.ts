import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { compileFunction } from 'node:vm';
import { strFromU8, unzipSync } from 'fflate';
import { LOCAL_ACCOUNT_ID } from '../iam/stack-iam';
import type { StackLambdaFunction } from './stack-federation';

/**
 * Runs a Lambda function of the stack in this process from its deployment zip, as the Lambda
 * Node runtime would: the zip's handler file is loaded once (a warm container: module state,
 * such as a cached client, survives between calls), and each call gets the function's own
 * `environment.variables` plus what Lambda sets (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, ...).
 *
 * The environment never touches `process.env`: the module is compiled with its own `process`
 * (this process with `env` replaced), and that `env` is a fresh copy for every call, so a
 * handler that writes to it changes nothing for the next call or for the local mode.
 */

export interface LambdaContextLike {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
  readonly callbackWaitsForEmptyEventLoop: boolean;
}

export interface LocalLambda {
  readonly fn: StackLambdaFunction;
  readonly arn: string;
  /** Calls the handler with `event`; resolves with its answer, rejects with what it threw. */
  invoke<T>(event: unknown): Promise<T>;
}

export interface LambdaRunnerOptions {
  readonly region: string;
  /** Extra variables Lambda would not set but the local mode needs (e.g. an SDK endpoint). @default {} */
  readonly extraEnvironment?: Readonly<Record<string, string>>;
}

/** Loads `fn`'s handler from its zip. Throws naming the zip when the handler file or export is missing. */
export function loadLambda(fn: StackLambdaFunction, options: LambdaRunnerOptions): LocalLambda {
  const dot = fn.handler.lastIndexOf('.');
  const file = `${fn.handler.slice(0, dot)}.js`;
  const exportName = fn.handler.slice(dot + 1);
  const entries = unzipSync(readFileSync(fn.zipFile));
  const code = entries[file];
  if (!code) throw new Error(`${fn.zipFile}: no ${file} in the zip (handler ${fn.handler} of ${fn.functionName}); has ${Object.keys(entries).join(', ')}`);
  const arn = `arn:aws:lambda:${options.region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`;

  let env: Record<string, string> = {};
  const sandboxProcess = Object.create(process, { env: { get: () => env, enumerable: true } }) as NodeJS.Process;
  // A filename inside the zip's folder: stack traces name the function's file.
  const filename = path.join(path.dirname(fn.zipFile), `${fn.functionName}`, file);
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = compileFunction(strFromU8(code), ['exports', 'require', 'module', '__filename', '__dirname', 'process'], { filename });
  // Node built-ins only: the bundle carries its dependencies (and what else it requires would not be in Lambda either).
  wrapper(module.exports, createRequire(filename), module, filename, path.dirname(filename), sandboxProcess);
  const handler = module.exports[exportName];
  if (typeof handler !== 'function') throw new Error(`${fn.zipFile}: ${file} exports no function ${exportName} (handler ${fn.handler} of ${fn.functionName})`);

  const baseEnv = (): Record<string, string> => ({
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: path.dirname(filename),
    TZ: ':UTC',
    ...options.extraEnvironment,
    ...fn.environment,
  });

  let requests = 0;
  return {
    fn,
    arn,
    async invoke<T>(event: unknown): Promise<T> {
      env = baseEnv();
      const started = Date.now();
      const context: LambdaContextLike = {
        functionName: fn.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: arn,
        memoryLimitInMB: '128',
        awsRequestId: `local-${process.pid}-${++requests}`,
        logGroupName: `/aws/lambda/${fn.functionName}`,
        logStreamName: 'local',
        getRemainingTimeInMillis: () => Math.max(0, fn.timeoutSeconds * 1000 - (Date.now() - started)),
        callbackWaitsForEmptyEventLoop: true,
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Task timed out after ${fn.timeoutSeconds}.00 seconds`)), fn.timeoutSeconds * 1000);
      });
      try {
        return (await Promise.race([Promise.resolve((handler as (e: unknown, c: unknown) => unknown)(event, context)), timeout])) as T;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
