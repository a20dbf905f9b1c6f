#!/usr/bin/env node
/**
 * Composition root and CLI: `analytics-bot [serve]` (default), more subcommands as capabilities land.
 * Only this file reads process.env (dotenv + loadConfig, once per command); createDeps (deps.ts) builds the clients.
 */
import 'dotenv/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildApp } from './app.js';
import { runAsk } from './ask/ask-cli.js';
import { type Config, ConfigError, describeAdapters, loadConfig, PACKAGE_ROOT } from './config.js';
import { boardCommands } from './console/board-commands.js';
import { chartFiles } from './console/chart-files.js';
import { ConsoleReceiver } from './console/console-receiver.js';
import { LOCAL, startLocalSlack } from './console/local-slack.js';
import { renderMessage } from './console/render.js';
import { createDeps, createWarehouse, type Deps } from './deps.js';
import type { LocalBoard } from './local-board/local-board.js';
import { createLogger } from './logger.js';
import { CatalogError, loadCatalogFile, type MetricCatalog } from './queries/catalog.js';
import { compileMetricQuery } from './queries/compile.js';
import { QuestionParser } from './queries/question.js';
import { openDatabase } from './store/database.js';
import { type FeedbackRecord, FeedbackStore } from './store/feedback-store.js';
import { FEEDBACK_REASONS } from './views/feedback.js';
import { formatBytes } from './views/format.js';

const USAGE = `Usage: analytics-bot [command]

Commands:
  serve            Run the bot (default). Mode comes from the environment:
                   Socket Mode with SLACK_APP_TOKEN, HTTP mode with SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET,
                   otherwise a local console (not in production).
  ask [--json] "<question>"
                   Answer a question (a number, a definition, where data lives) as the bot would;
                   --json prints the interpretation and numbers as JSON. Exit code 3: the bot would ask back
                   e.g. analytics-bot ask "weekly active users last 4 weeks by plan"
  digest [--dry-run]
                   Build today's triage digest of the board and post it to ANALYTICS_CHANNEL_ID, unless it was
                   posted already today (for a Kubernetes CronJob or by hand); --dry-run prints it instead
  watches run [--dry-run]
                   Run one watch scheduler tick now: post what is due (never a second post in a period);
                   --dry-run evaluates every active watch and alert and prints what would be posted, posting nothing
  feedback [--down] [--limit N] [--json]
                   Print the most recent 👍/👎 on answers (default 20, newest first) with the question, how the bot
                   read it and what was wrong; --down only the 👎; --json one JSON array, for scripts
  metrics check    Validate the metric catalog (METRICS_FILE) and dry-run every metric on the warehouse
                   (on BigQuery: prints the bytes each would scan)
  help             Show this help
  version          Print the version
`;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'ask':
      return ask(rest);
    case 'digest':
      return digest(rest);
    case 'watches':
      return watchesCli(rest);
    case 'feedback':
      return feedbackCli(rest);
    case 'metrics':
      if (rest[0] === 'check') return metricsCheck();
      process.stderr.write(`Unknown command "metrics ${rest.join(' ')}". Did you mean "metrics check"?\n`);
      return 2;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    default:
      process.stderr.write(`Unknown command "${[command, ...rest].join(' ')}".\n\n${USAGE}`);
      return 2;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Loads config or prints one line per bad variable and returns null. */
function configOrReport(env: Record<string, string | undefined>): Config | null {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`analytics-bot: ${error.message}\n`);
      return null;
    }
    throw error;
  }
}

/** Loads the catalog or prints every problem (each naming the metric and field) and returns null. */
function catalogOrReport(config: Config): MetricCatalog | null {
  try {
    return loadCatalogFile(config.metrics.file);
  } catch (error) {
    if (error instanceof CatalogError) {
      process.stderr.write(`analytics-bot: ${error.message}\n`);
      return null;
    }
    throw error;
  }
}

/** `analytics-bot ask [--json] "..."`: the same pipeline as Slack, rendered as text or as JSON (exit 3 = ask-back). */
async function ask(args: string[]): Promise<number> {
  const config = configOrReport(process.env);
  if (!config) return 2;
  const catalog = catalogOrReport(config);
  if (!catalog) return 2;
  const logger = createLogger({ level: config.commandLogLevel, pretty: true });
  const deps = await createDeps(config, logger, { catalog });
  try {
    deps.values.load();
    if (deps.values.stale()) await deps.values.refresh();
    return await runAsk(deps, args, { stdout: (text) => process.stdout.write(text) });
  } finally {
    deps.instance.stop();
    await deps.warehouse.close();
  }
}

/** Deps for a one-shot CLI command (config and catalog problems are printed; null means exit 2). */
async function cliDeps(): Promise<Deps | null> {
  const config = configOrReport(process.env);
  if (!config) return null;
  const catalog = catalogOrReport(config);
  if (!catalog) return null;
  const logger = createLogger({ level: config.commandLogLevel, pretty: config.env !== 'production' });
  return createDeps(config, logger, { catalog });
}

/** A message as Slack would show it, in plain text (the CLI's output). */
function printMessage(message: { blocks?: unknown; text?: unknown }): void {
  process.stdout.write(`${renderMessage(message).join('\n')}\n`);
}

/** `analytics-bot digest [--dry-run]`: one digest, the same exactly-once rules as the schedule. */
async function digest(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--dry-run');
  if (unknown.length > 0) {
    process.stderr.write(`Unknown option ${unknown.join(' ')} for "digest". Usage: analytics-bot digest [--dry-run]\n`);
    return 2;
  }
  const deps = await cliDeps();
  if (!deps) return 2;
  try {
    if (args.includes('--dry-run')) {
      const built = await deps.digest.build(deps.clock()).catch((error: Error) => error);
      if (built instanceof Error) {
        process.stderr.write(`analytics-bot: the digest could not be built: ${built.message}\n`);
        return 1;
      }
      printMessage(built.message);
      return 0;
    }
    const outcome = await deps.digest.postIfDue(deps.clock());
    const says: Record<string, string> = {
      posted: 'Digest posted.',
      already_posted: 'Today’s digest was already posted; nothing to do.',
      in_progress: 'Another instance is posting today’s digest right now.',
      failed: 'The digest failed; a short notice was posted in the channel. See the log above.',
      no_channel: 'ANALYTICS_CHANNEL_ID is not set: nowhere to post the digest.',
    };
    process.stdout.write(`${says[outcome]}\n`);
    return outcome === 'failed' || outcome === 'no_channel' ? 1 : 0;
  } finally {
    deps.instance.stop();
    await deps.warehouse.close();
  }
}

/** `analytics-bot feedback`: recent ratings from DATA_DIR, to grow the evaluation bank from real misses. */
function feedbackCli(args: string[]): number {
  const usage = 'Usage: analytics-bot feedback [--down] [--limit N] [--json]\n';
  let limit = 20;
  let down = false;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--down') down = true;
    else if (arg === '--json') json = true;
    else if (arg === '--limit' && /^\d{1,4}$/.test(args[i + 1] ?? '') && Number(args[i + 1]) > 0)
      limit = Number(args[++i]);
    else {
      process.stderr.write(`Unknown option ${JSON.stringify(arg)} for "feedback". ${usage}`);
      return 2;
    }
  }
  const config = configOrReport(process.env);
  if (!config) return 2;
  const db = openDatabase(config.dataDir);
  try {
    const rows = new FeedbackStore(db).recent({ limit, ...(down ? { rating: 'down' as const } : {}) });
    process.stdout.write(json ? `${JSON.stringify(rows.map(feedbackJson), null, 2)}\n` : feedbackText(rows, down));
    return 0;
  } finally {
    db.close();
  }
}

function feedbackJson(row: FeedbackRecord) {
  let interpretation: unknown = row.interpretation;
  try {
    interpretation = JSON.parse(row.interpretation);
  } catch {
    // Kept as the stored text.
  }
  return {
    at: new Date(row.updatedAt).toISOString(),
    rating: row.rating,
    user: row.userId,
    channel: row.channelId,
    question: row.question,
    reading: row.reading,
    interpretation,
    reasons: row.reasons,
    comment: row.comment,
  };
}

function feedbackText(rows: FeedbackRecord[], down: boolean): string {
  if (rows.length === 0) return down ? 'No 👎 feedback yet.\n' : 'No feedback yet.\n';
  const blocks = rows.map((row) => {
    const when = new Date(row.updatedAt).toISOString().slice(0, 16).replace('T', ' ');
    const lines = [
      `${when} UTC  ${row.rating === 'up' ? '👍' : '👎'}  ${row.userId}${row.channelId ? ` in ${row.channelId}` : ''}`,
      `  asked:   ${oneLine(row.question)}`,
      `  read as: ${row.reading}`,
    ];
    const why = row.reasons.map((r) => FEEDBACK_REASONS.find((known) => known.value === r)?.label ?? r);
    if (why.length > 0) lines.push(`  wrong:   ${why.join('; ')}`);
    if (row.comment) lines.push(`  comment: ${oneLine(row.comment)}`);
    if (row.rating === 'down' && !row.comment && why.length === 0) lines.push('  (no comment: the form was not sent)');
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `analytics-bot watches run [--dry-run]`: one tick of the watch scheduler, with the same once-per-period ledger. */
async function watchesCli(args: string[]): Promise<number> {
  const [sub, ...options] = args;
  const unknown = options.filter((a) => a !== '--dry-run');
  if (sub !== 'run' || unknown.length > 0) {
    process.stderr.write('Usage: analytics-bot watches run [--dry-run]\n');
    return 2;
  }
  const deps = await cliDeps();
  if (!deps) return 2;
  const dryRun = options.includes('--dry-run');
  try {
    const results = await deps.watches.tick(deps.clock(), { dryRun });
    if (results.length === 0) process.stdout.write(dryRun ? 'No active watches.\n' : 'Nothing due.\n');
    for (const r of results) {
      const where = r.destination;
      const says: Record<string, string> = {
        posted: `posted to ${where}`,
        would_post: `would post to ${where}`,
        quiet: `quiet (${r.detail})`,
        paused: `paused: ${r.detail}`,
        failed: `failed: ${r.detail} (retried on the next tick)`,
        unknown: `may not have posted: ${r.detail}`,
      };
      process.stdout.write(`${r.watchId} ${r.period}: ${says[r.outcome]}\n`);
      if (r.outcome === 'would_post' && r.message) {
        process.stdout.write(`${renderMessage(r.message).join('\n').replace(/^/gm, '    ')}\n`);
      }
    }
    return results.some((r) => r.outcome === 'failed' || r.outcome === 'unknown') ? 1 : 0;
  } finally {
    await deps.warehouse.close();
  }
}

/** `analytics-bot metrics check`: catalog validation plus a dry run of every metric's default question. */
async function metricsCheck(): Promise<number> {
  const config = configOrReport(process.env);
  if (!config) return 2;
  const catalog = catalogOrReport(config);
  if (!catalog) return 2;
  process.stdout.write(`Catalog ${config.metrics.file}: ${catalog.metrics.length} metrics, valid.\n`);
  const logger = createLogger({ level: config.commandLogLevel, pretty: true });
  const warehouse = await createWarehouse(config, logger);
  const parser = new QuestionParser(catalog);
  let failed = 0;
  try {
    for (const metric of catalog.metrics) {
      const parsed = parser.parse(metric.label, { now: new Date(), timezone: config.metrics.timezone });
      if (!parsed.ok || parsed.question.metric.name !== metric.name) {
        failed++;
        process.stdout.write(`  ✗ ${metric.name}: its own label does not resolve to it (check synonyms)\n`);
        continue;
      }
      try {
        const { bytesProcessed } = await warehouse.dryRun(compileMetricQuery(catalog, parsed.question, warehouse.kind));
        const size = warehouse.kind === 'bigquery' ? `would scan ${formatBytes(bytesProcessed)}` : 'compiles and binds';
        process.stdout.write(`  ✓ ${metric.name.padEnd(28)} ${size} (${parsed.question.range.label})\n`);
      } catch (error) {
        failed++;
        process.stdout.write(`  ✗ ${metric.name}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await warehouse.close();
  }
  process.stdout.write(failed ? `${failed} metric(s) failed.\n` : 'All metrics passed.\n');
  return failed ? 1 : 0;
}

async function serve(): Promise<number> {
  const config = configOrReport(process.env);
  if (!config) return 2;

  const catalog = catalogOrReport(config);
  if (!catalog) return 2;
  if (config.mode === 'local') return serveConsole(config, catalog);

  const logger = createLogger({ level: config.logLevel, pretty: config.prettyLogs });
  const deps = await createDeps(config, logger, { catalog });
  const bot = buildApp(deps);
  const address = await bot.start();
  deps.instance.start();
  deps.requests.start();
  deps.digest.start();
  void deps.watches.start();
  // The saved snapshot answers at once; the rebuild runs behind it.
  deps.values.load();
  void deps.values.start();
  logger.info({ mode: config.mode, port: address.port, adapters: describeAdapters(config) }, 'analytics-bot started');
  if (deps.localBoard) {
    logger.warn(
      { board: deps.localBoard.file, requests: deps.localBoard.count() },
      'no GitHub credentials: data requests are filed on the embedded local board (see README, "Moving to GitHub")',
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
      // Hard stop well inside the 10 s most orchestrators allow before SIGKILL.
      const hard = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        resolve(1);
      }, 9500);
      hard.unref();
      bot
        .stop(8000)
        .then(() => {
          deps.digest.stop();
          deps.watches.stop();
          return deps.values.stop().then(() => deps.requests.stop());
        })
        .then(() => deps.instance.stop())
        .then(() => deps.warehouse.close())
        .then(() => {
          logger.info('stopped cleanly');
          clearTimeout(hard);
          resolve(0);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          resolve(1);
        });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** The GitHub-style login the console acts as when it moves requests on the local board. */
function consoleLogin(): string {
  return LOCAL.userName.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 39) || 'you';
}

function localBoardLine(board: LocalBoard): string {
  return `none set, so requests go to the embedded local board (${board.file}, ${board.count()} requests)`;
}

async function serveConsole(loaded: Config, catalog: MetricCatalog): Promise<number> {
  let receiver: ConsoleReceiver | undefined;
  const localSlack = await startLocalSlack((out) => receiver?.show(out));
  // The real WebClient talks to the loopback Slack; everything else is configured as usual.
  // Announcements go to the console's #analytics unless a channel is configured.
  const config: Config = {
    ...loaded,
    slack: {
      ...loaded.slack,
      apiUrl: localSlack.apiUrl,
      analyticsChannelId: loaded.slack.analyticsChannelId ?? LOCAL.channel,
    },
  };
  const logger = createLogger({ level: config.logLevel, pretty: true });
  const deps = await createDeps(config, logger, { catalog });
  let exited!: () => void;
  const done = new Promise<void>((resolve) => {
    exited = resolve;
  });
  receiver = new ConsoleReceiver({
    input: process.stdin,
    output: process.stdout,
    responseUrl: localSlack.responseUrl,
    onExit: () => exited(),
    saveCharts: chartFiles(config.dataDir, deps.charts),
    boardCommand: deps.localBoard
      ? boardCommands({
          board: deps.localBoard,
          notifier: deps.notifier,
          outbox: deps.requests.outbox,
          actor: consoleLogin(),
        })
      : undefined,
  });
  const bot = buildApp(deps, { receiver, botId: LOCAL.botId, botUserId: LOCAL.botUserId });
  const adapters = describeAdapters(loaded);
  process.stdout.write(
    [
      `analytics-bot ${version()} — local console (no Slack credentials set, so nothing leaves this machine)`,
      `  Slack:     local console (set SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET or SLACK_APP_TOKEN to connect)`,
      `  Warehouse: ${adapters.warehouse === 'duckdb' ? `DuckDB, embedded (${config.warehouse.duckdbPath})` : 'BigQuery'}`,
      `  GitHub:    ${deps.localBoard ? localBoardLine(deps.localBoard) : `real (${adapters.github})`}`,
      `  HTTP:      /healthz${deps.localBoard ? ', /board' : ''} and /metrics on port ${config.port}`,
      '',
    ].join('\n'),
  );
  // Ctrl-C inside a form closes the form; at the console's prompt it quits.
  const interrupt = () => receiver?.interrupt();
  const stop = () => receiver?.stop();
  // Installed before the prompt appears.
  process.on('SIGINT', interrupt);
  process.once('SIGTERM', stop);
  await bot.start().catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    // The console is still useful without the HTTP side (e.g. a second console on the same machine).
    process.stdout.write(`  (port ${config.port} is busy: /healthz and /board are off for this console)\n`);
    await receiver?.start();
  });
  deps.instance.start();
  deps.requests.start();
  deps.values.load();
  void deps.values.start();
  await done;
  process.off('SIGINT', interrupt);
  process.stdout.write('bye\n');
  await bot.stop(5000);
  await deps.values.stop();
  await deps.requests.stop();
  deps.instance.stop();
  await deps.warehouse.close();
  deps.localBoard?.stop();
  await localSlack.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Open handles (sockets, timers) must not keep a finished CLI alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(`analytics-bot: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);

export { LOCAL };
