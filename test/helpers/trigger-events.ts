import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the user-pool trigger tests share: Cognito-shaped events from test/fixtures/<trigger>/,
 * and running a handler with the environment variables its stack gives it.
 */

/** The event `test/fixtures/<trigger>/<name>.json`, optionally edited (a fresh copy each call). */
export function triggerEvent<T>(trigger: string, name: string, edit?: (e: any) => void): T {
  const event = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', trigger, `${name}.json`), 'utf8'));
  edit?.(event);
  return event as T;
}

/** Runs fn with these environment variables set (as Lambda sets the function's), then restores the environment. */
export async function withEnv(env: Readonly<Record<string, string>>, fn: () => Promise<void>): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    await fn();
  } finally {
    process.env = saved;
  }
}
