/**
 * The filer as a separate process, for the crash-point suite: wired from config as main.ts wires it, it works on one
 * stored request (CRASH_KEY) until the parent kills it with SIGKILL at the step under test.
 */
import { loadConfig } from '../../src/config.js';
import { createGitHub } from '../../src/github/create-github.js';
import { createLogger } from '../../src/logger.js';
import { createConfiguredFiler } from '../../src/requests/create-filer.js';
import { openDatabase } from '../../src/store/database.js';
import { InstanceRegistry } from '../../src/store/instances.js';
import { createTelemetry } from '../../src/telemetry.js';

const config = loadConfig(process.env);
const now = Number(process.env.CRASH_NOW);
const clock = () => new Date(now);
const logger = createLogger({ level: 'warn' });
const telemetry = createTelemetry({ defaultMetrics: false });
const db = openDatabase(config.dataDir);
const filer = createConfiguredFiler(config, {
  db,
  instance: new InstanceRegistry(db, { clock, logger }),
  logger,
  telemetry,
  clock,
  // Spacing writes a second apart (throttling) would only slow the suite; nothing here is rate limited.
  tracker: (await createGitHub(config, { logger, telemetry, clock }, { throttle: false })).tracker,
});
await filer.file(process.env.CRASH_KEY ?? '');
process.stdout.write('finished\n');
