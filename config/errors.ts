/**
 * The one error type for a mistake a user can fix in their own files, config, command line or
 * machine (a resolver file for a field the schema lacks, a config value out of range, a bad moved
 * entry, a broken stack file, a busy port). Every entry point (main.ts, local/start.ts, each CLI)
 * prints such an error's message alone and exits 1; any other error is a bug in this code and
 * keeps its stack trace. See docs/design.md, "Errors".
 *
 * It lives in config/ because that is the one layer every other one (constructs, access, local,
 * compliance, review, addresses, scripts) already imports and that imports none of them.
 */

/** Where a problem is, what is wrong and how to fix it. */
export interface ErrorParts {
  /**
   * Where: a file (`resolvers/Query.nope.[none].ts`), a file and line (`schema.graphql:12`), a file
   * and key with its value (`config/project.ts: userPool.mfa = "off"`), a command-line option
   * (`--port "eighty"`) or an environment variable.
   */
  readonly location: string;
  /** What is wrong, or what was expected there. */
  readonly problem: string;
  /** What to do about it; omitted when `problem` already says what was expected. */
  readonly fix?: string;
}

/** The consistent rendering: `<location>: <problem>. Fix: <fix>.` (or `<location>: <problem>` without a fix). */
export function formatErrorParts({ location, problem, fix }: ErrorParts): string {
  return fix === undefined ? `${location}: ${problem}` : `${location}: ${problem}. Fix: ${fix}.`;
}

/** A mistake in the user's own files or input; its message is all the user needs to see. */
export class UserFacingError extends Error implements ErrorParts {
  readonly location: string;
  readonly problem: string;
  readonly fix?: string;

  /** @param message the rendering. @default formatErrorParts(parts); a subclass may list several parts in one message. */
  constructor(parts: ErrorParts, message: string = formatErrorParts(parts)) {
    super(message);
    this.name = new.target.name;
    this.location = parts.location;
    this.problem = parts.problem;
    if (parts.fix !== undefined) this.fix = parts.fix;
  }
}

/**
 * What an entry point prints for an error that reached it: a UserFacingError's message alone;
 * anything else is a bug in this code, printed with its stack trace.
 */
export function errorText(e: unknown): string {
  if (e instanceof UserFacingError) return e.message;
  return e instanceof Error ? (e.stack ?? String(e)) : String(e);
}

/** An entry point's outermost catch: prints `prefix` and errorText(e) and sets exit code 1. */
export function reportError(e: unknown, prefix = ''): void {
  console.error(`${prefix}${errorText(e)}`);
  process.exitCode = 1;
}

/**
 * Runs `parse` (a `util.parseArgs` call); a command-line mistake it reports (unknown option,
 * missing value) becomes a UserFacingError followed by `usage`. Any other error passes through.
 */
export function parseCommandLine<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      const problem = (e as Error).message;
      throw new UserFacingError({ location: 'command line', problem, fix: 'use the options of the usage' }, `${problem}\n${usage}`);
    }
    throw e;
  }
}
