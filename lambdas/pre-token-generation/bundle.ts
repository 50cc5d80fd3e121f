import { bundleLambda } from '../bundle';

export { LAMBDA_RUNTIME } from '../bundle';

/** The pre-token-generation bundle's folder (`index.js`); see `bundleLambda`. */
export function bundlePreTokenGeneration(): string {
  return bundleLambda('pre-token-generation');
}
