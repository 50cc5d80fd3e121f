import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { COGNITO_LOCAL_TARGETS_DIR, UnsupportedError, type Route, type Router, type Services } from './cognito-local-adapter';

type TargetFactory = (services: Services) => Route;

const TARGETS_DIR = COGNITO_LOCAL_TARGETS_DIR;

/**
 * cognito-local's Router, loading each target module on first use (`InitiateAuth` ->
 * `targets/initiateAuth.js`, exporting `InitiateAuth`) instead of all of them at start.
 * Why: its router imports every target, and the TOTP ones load otplib's ESM-only
 * dependencies, which jest's CommonJS runtime cannot load; lazily they load only when an
 * MFA target is called (Node itself loads them fine). It also halves the start time.
 */
export function lazyRouter(services: Services): Router {
  const cache = new Map<string, Route>();
  return (target: string): Route => {
    const cached = cache.get(target);
    if (cached) return cached;
    const factory = loadTarget(target);
    if (!factory) {
      return () => Promise.reject(new UnsupportedError(`Unsupported x-amz-target header "${target}"`));
    }
    const run = factory(services);
    const route: Route = (ctx, req) => run({ ...ctx, logger: ctx.logger.child({ target }) }, req);
    cache.set(target, route);
    return route;
  };
}

function loadTarget(target: string): TargetFactory | undefined {
  // Only plain operation names map to files: nothing from the header reaches the path otherwise.
  if (!/^[A-Z][A-Za-z]+$/.test(target)) return undefined;
  const file = path.join(TARGETS_DIR, `${target.charAt(0).toLowerCase()}${target.slice(1)}.js`);
  if (!existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, TargetFactory | undefined>;
  return typeof mod[target] === 'function' ? mod[target] : undefined;
}
