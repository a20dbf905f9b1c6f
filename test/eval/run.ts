/** `npm run eval`: accuracy per category and every miss, on the demo data at the pinned clock. */
import { testDeps } from '../helpers/harness.js';
import { formatReport, runEval } from './runner.js';

const { deps } = await testDeps();
try {
  const report = await runEval(deps);
  process.stdout.write(`${formatReport(report)}\n`);
  const ok = report.accuracy >= 0.97 && report.unflagged.length === 0 && report.badRefusals.length === 0;
  process.exitCode = ok && report.truthMisses.length === 0 ? 0 : 1;
} finally {
  await deps.values.stop();
  await deps.warehouse.close();
}
