/** pino, with secrets redacted, plus the adapter Bolt needs for its own Logger interface. */
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths that could carry credentials anywhere in a logged object. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'privateKey',
  '*.privateKey',
  'webhookSecret',
  '*.webhookSecret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  'config.slack',
  'config.github',
];

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
  /** Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

export function createLogger({ level, pretty, destination }: LoggerOptions): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'analytics-bot' } };
  if (destination) return pino(options, destination);
  if (pretty) {
    // Local mode: readable lines on stderr, so the console conversation on stdout stays clean.
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino(options);
}

const boltToPino: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Routes Bolt's and the Slack SDK's logging into pino (Bolt's Logger also wants setLevel/getLevel/setName). */
export function toBoltLogger(base: Logger): BoltLogger {
  let log = base.child({ component: 'bolt' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      // Bolt logs at debug on every request; formatting (JSON of whole payloads) costs more than this check.
      if (!log.isLevelEnabled(level)) return;
      const [first, ...rest] = msg;
      if (first instanceof Error) log[level]({ err: first }, rest.map(String).join(' ') || first.message);
      else log[level](msg.map((m) => (typeof m === 'string' ? m : safeStringify(m))).join(' '));
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel(level: LogLevel) {
      // Bolt calls setLevel with its own default; pino's level (from LOG_LEVEL) stays authoritative.
      void level;
    },
    getLevel() {
      const entry = Object.entries(boltToPino).find(([, p]) => p === log.level);
      return (entry?.[0] as LogLevel | undefined) ?? LogLevel.INFO;
    },
    setName(name: string) {
      log = base.child({ component: name });
    },
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
