// Sums vitest JSON reports of every workspace package that has a test script.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let missing = 0;
for (const group of ['packages', 'apps', '.']) {
  const dirs = group === '.' ? ['test'] : readdirSync(group).map((d) => join(group, d));
  for (const dir of dirs) {
    const pkgFile = join(dir, 'package.json');
    if (!existsSync(pkgFile) || !JSON.parse(readFileSync(pkgFile, 'utf8')).scripts?.test) continue;
    const report = join(dir, '.reports', 'vitest.json');
    if (!existsSync(report)) {
      console.error(`no test report from ${dir}`);
      missing += 1;
      continue;
    }
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    // A file that failed to load has no tests in it; count it as a failure.
    failed += json.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  }
}
console.log(`tests: ${passed} passed, ${failed + missing} failed`);
process.exit(failed + missing > 0 || passed === 0 ? 1 : 0);
