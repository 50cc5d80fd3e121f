import { repoRoot } from '../config/paths';
import { reviewReport } from './report';
import { errorText, reportError } from '../config/errors';

const USAGE = `usage: npm run review -- <git ref>
  prints a Markdown report of what the working tree changes against <ref> (e.g. origin/main):
  resources per environment, destroy-and-recreate warnings with the moved entry that fixes them,
  access, identity pool and compliance. Exits 0 whatever changed; 1 when the ref cannot be read
  or a side cannot be synthesized.`;

/** Runs the review CLI; returns the exit code. */
export function runReviewCli(argv: readonly string[], io: { root: string; out: (t: string) => void; err: (t: string) => void }): number {
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    io.err(USAGE);
    return 2;
  }
  try {
    io.out(reviewReport({ root: io.root, ref: argv[0] }).markdown);
    return 0;
  } catch (e) {
    // A user's mistake (bad ref, a side that does not synthesize) is its message; a bug keeps its stack.
    io.err(errorText(e));
    return 1;
  }
}

if (require.main === module) {
  try {
    process.exitCode = runReviewCli(process.argv.slice(2), { root: repoRoot(), out: (t) => console.log(t), err: (t) => console.error(t) });
  } catch (e) {
    reportError(e);
  }
}
