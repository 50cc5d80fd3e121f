import type { ProjectConfig } from './types';

/**
 * A config value that cannot be used. The message names the file, the key path, the bad
 * value and what was expected, e.g.
 * `config/project.ts: storage.rules[1].read.groups[0] = "editor": expected one of the groups admins, editors, subscribers`.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly key: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${source}: ${key} = ${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/** Throws a ConfigError for the first bad value. Rules are filled in by the identity work. */
export function validateConfig(raw: ProjectConfig, source: string): void {
  void raw;
  void source;
}
