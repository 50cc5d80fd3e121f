// Prints one plain closing line, `tests: N passed, N failed`, that CI tooling reads in any language
// (jest's own summary has a different shape).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`;
    // jest reports on stderr; the line goes there (in order with jest's summary) and to stdout.
    process.stderr.write(line);
    process.stdout.write(line);
  }
}
module.exports = SummaryReporter;
