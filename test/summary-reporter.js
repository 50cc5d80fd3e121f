// Prints one plain closing line, `tests: N passed, N failed`, that CI tooling reads in any language
// (jest's own summary has a different shape). It is written when the process exits, so it comes
// after jest's summary; writes to pipes and files are synchronous on Linux.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}
module.exports = SummaryReporter;
