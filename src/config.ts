/**
 * The single configuration module: environment (plus `.env`, loaded by main.ts) parsed with zod into a frozen object.
 * Errors name every bad variable and what is expected, never its value (values may be secrets).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { z } from 'zod';

/** Where the package lives, so shipped files (metrics.yml, knowledge/) resolve wherever the bot is started from. */
export const PACKAGE_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const isCron = (expr: string) => {
  try {
    new Cron(expr, { paused: true });
    return true;
  } catch {
    return false;
  }
};

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), `expected an http(s) URL for ${what}`);

const intFrom = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min, `expected a number of at least ${min}`);

export const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development').describe('Runtime environment'),
  SLACK_BOT_TOKEN: optionalString
    .refine((v) => v === undefined || v.startsWith('xoxb-'), 'expected a bot token starting with xoxb-')
    .describe('Bot token (xoxb-…) from OAuth & Permissions'),
  SLACK_SIGNING_SECRET: optionalString.describe('Signing secret from Basic Information; verifies HTTP requests'),
  SLACK_APP_TOKEN: optionalString
    .refine((v) => v === undefined || v.startsWith('xapp-'), 'expected an app-level token starting with xapp-')
    .describe('App-level token (xapp-…, connections:write); when set the bot uses Socket Mode'),
  SLACK_API_URL: httpUrl('SLACK_API_URL')
    .default('https://slack.com/api/')
    .transform((v) => (v.endsWith('/') ? v : `${v}/`))
    .describe('Slack Web API base URL (GovSlack: https://slack-gov.com/api/)'),
  ANALYTICS_CHANNEL_ID: optionalString
    .refine((v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v), 'expected a channel ID like C0123ABCD')
    .describe('The #analytics channel ID: announcements and the daily digest go here'),
  GITHUB_TOKEN: optionalString.describe('GitHub token (repo + project scopes); or use the GitHub App variables'),
  GITHUB_APP_ID: optionalString.refine((v) => v === undefined || /^\d+$/.test(v), 'expected a numeric app ID'),
  GITHUB_APP_PRIVATE_KEY: optionalString.describe('GitHub App private key (PEM; literal \\n accepted)'),
  GITHUB_APP_INSTALLATION_ID: optionalString.refine(
    (v) => v === undefined || /^\d+$/.test(v),
    'expected a numeric installation ID',
  ),
  GITHUB_API_URL: httpUrl('GITHUB_API_URL')
    .default('https://api.github.com')
    .transform((v) => v.replace(/\/+$/, ''))
    .describe('GitHub API base URL (GitHub Enterprise: https://HOST/api/v3)'),
  GITHUB_REPOSITORY: optionalString
    .refine((v) => v === undefined || /^[\w.-]+\/[\w.-]+$/.test(v), 'expected owner/name')
    .describe('Repository where data requests are filed (owner/name)'),
  GITHUB_PROJECT_URL: optionalString
    .refine(
      (v) => v === undefined || /^https?:\/\/[^/]+\/(orgs|users)\/[\w.-]+\/projects\/\d+\/?$/.test(v),
      'expected a Projects (v2) URL like https://github.com/orgs/ORG/projects/63',
    )
    .describe('The team board (Projects v2) URL'),
  GITHUB_WEBHOOK_SECRET: optionalString.describe('Secret that signs GitHub webhook deliveries'),
  GITHUB_USER_MAP: optionalString.describe('YAML file mapping GitHub logins to Slack user IDs (hand-filed issues)'),
  GITHUB_STATUS_FIELD: z.string().trim().min(1).default('Status').describe('Board field holding the status'),
  GITHUB_TRIAGE_STATUS: z.string().trim().min(1).default('Triage').describe('Status given to new requests'),
  GITHUB_NEEDED_BY_FIELD: z.string().trim().min(1).default('Needed by').describe('Board date field for needed-by'),
  GITHUB_NECESSITY_FIELD: z
    .string()
    .trim()
    .min(1)
    .default('Necessity')
    .describe('Board single-select for nice-to-have vs necessity (falls back to Priority)'),
  WAREHOUSE: z.enum(['bigquery', 'duckdb']).default('duckdb').describe('Which warehouse answers metric questions'),
  BIGQUERY_PROJECT_ID: optionalString.describe('Google Cloud project that runs (and pays for) query jobs'),
  BIGQUERY_LOCATION: z.string().trim().min(1).default('US').describe('BigQuery job location'),
  BIGQUERY_MAX_BYTES_BILLED: intFrom(1)
    .default(10_000_000_000)
    .describe('Per-query cap on bytes billed; larger queries fail'),
  BIGQUERY_JOB_TIMEOUT_MS: intFrom(1000).default(30_000).describe('Per-query job timeout in milliseconds'),
  BIGQUERY_EMULATOR_HOST: optionalString.describe('BigQuery API endpoint override, honoured by the client'),
  DUCKDB_PATH: optionalString.describe('DuckDB file for the embedded warehouse (default DATA_DIR/warehouse.duckdb)'),
  METRICS_FILE: optionalString.describe('Metric catalog YAML (default: the shipped metrics.yml)'),
  KNOWLEDGE_FILE: optionalString.describe(
    'Where-to-find-data notes the bot answers from (default: knowledge/data-sources.yml)',
  ),
  METRICS_TIMEZONE: z
    .string()
    .trim()
    .default('UTC')
    .refine(isTimeZone, 'expected an IANA time zone like Europe/Berlin')
    .describe('Time zone in which metric date ranges are read'),
  METRICS_CACHE_TTL_SECONDS: intFrom(0).default(300).describe('How long answered metric questions are cached'),
  CHART_MODE: z
    .enum(['native', 'image', 'off'])
    .default('native')
    .describe(
      'Charts in answers: native Slack chart blocks (a PNG upload where Slack rejects them), image (PNG uploads only), or off',
    ),
  VALUE_INDEX_REFRESH_MINUTES: intFrom(0)
    .default(360)
    .describe('How often the dimension value index is rebuilt from the warehouse (0: only at start)'),
  VALUE_INDEX_MAX_BYTES: intFrom(1)
    .default(1_000_000_000)
    .describe('Per-query cap on bytes billed for the value index queries on BigQuery'),
  DIGEST_CRON: z
    .string()
    .trim()
    .default('0 9 * * 1-5')
    .refine(isCron, 'expected a 5-field cron expression like "0 9 * * 1-5"')
    .describe('When the triage digest is posted'),
  DIGEST_TIMEZONE: z
    .string()
    .trim()
    .default('UTC')
    .refine(isTimeZone, 'expected an IANA time zone like America/New_York')
    .describe('Time zone for DIGEST_CRON'),
  WATCH_CRON: z
    .string()
    .trim()
    .default('*/5 * * * *')
    .refine(isCron, 'expected a 5-field cron expression like "*/5 * * * *"')
    .describe('How often the watch scheduler checks for due watches and alerts (each runs once per its own period)'),
  DATA_DIR: z.string().trim().min(1).default('./data').describe('Folder for durable state (SQLite, DuckDB)'),
  PORT: intFrom(0)
    .default(3000)
    .refine((n) => n <= 65535, 'expected a port number up to 65535')
    .describe('HTTP port (Slack HTTP mode, webhooks, /healthz, /metrics)'),
  PROMETHEUS_PORT: intFrom(0)
    .refine((n) => n <= 65535, 'expected a port number up to 65535')
    .optional()
    .describe('When set, /metrics is served on this port only (a separate listener for private scraping)'),
  QUESTIONS_PER_MINUTE_PER_USER: intFrom(0)
    .default(20)
    .describe('Metric questions one person may ask per minute (token bucket); 0 turns the limit off'),
  BYTES_BUDGET_PER_USER_DAILY: intFrom(0)
    .default(100_000_000_000)
    .describe('Warehouse bytes one person may scan per UTC day (100 GB); 0 turns the limit off'),
  BYTES_BUDGET_DAILY: intFrom(0)
    .default(2_000_000_000_000)
    .describe('Warehouse bytes the whole bot may scan per UTC day (2 TB); 0 turns the limit off'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .describe('pino log level (default info; warn in local mode and for one-shot commands)'),
  CI: optionalString.describe('Set by CI runners: logs stay JSON lines instead of pretty-printed'),
});

export type Env = z.infer<typeof envSchema>;
export type SlackMode = 'http' | 'socket' | 'local';

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly mode: SlackMode;
  readonly port: number;
  /** A separate listener for /metrics; when set, the main port no longer serves it. */
  readonly prometheusPort?: number;
  readonly logLevel: NonNullable<Env['LOG_LEVEL']>;
  /** One-shot commands (ask, digest, watches run, metrics check) print their own output: quieter by default. */
  readonly commandLogLevel: NonNullable<Env['LOG_LEVEL']>;
  /** Pretty-printed logs, for people; JSON lines in production and under CI, for machines. */
  readonly prettyLogs: boolean;
  readonly dataDir: string;
  readonly slack: {
    readonly botToken?: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
    readonly apiUrl: string;
    readonly analyticsChannelId?: string;
  };
  readonly github: {
    readonly apiUrl: string;
    readonly token?: string;
    readonly app?: { readonly appId: string; readonly privateKey: string; readonly installationId: string };
    readonly repository?: { readonly owner: string; readonly repo: string };
    readonly projectUrl?: string;
    readonly webhookSecret?: string;
    readonly userMapFile?: string;
    readonly fields: {
      readonly status: string;
      readonly triageStatus: string;
      readonly neededBy: string;
      readonly necessity: string;
    };
  };
  readonly warehouse: {
    readonly kind: 'bigquery' | 'duckdb';
    readonly bigquery: {
      readonly projectId?: string;
      readonly location: string;
      readonly maximumBytesBilled: number;
      readonly jobTimeoutMs: number;
      readonly emulatorHost?: string;
    };
    readonly duckdbPath: string;
  };
  readonly knowledgeFile: string;
  readonly metrics: { readonly file: string; readonly timezone: string; readonly cacheTtlSeconds: number };
  readonly valueIndex: { readonly refreshMinutes: number; readonly maxBytes: number };
  readonly digest: { readonly cron: string; readonly timezone: string };
  /** 0 turns a limit off. Bytes are per UTC day. */
  readonly budgets: {
    readonly questionsPerMinutePerUser: number;
    readonly bytesPerUserDaily: number;
    readonly bytesDaily: number;
  };
  readonly watches: { readonly cron: string };
  readonly charts: { readonly mode: 'native' | 'image' | 'off' };
}

/** Thrown with one line per problem: `NAME: what is expected`. Never carries a value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set" (as in .env.example), so defaults apply.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const message =
          issue.code === 'invalid_value' && 'values' in issue
            ? `expected one of ${(issue.values as unknown[]).join(', ')}`
            : issue.message;
        return `${name}: ${message}`;
      });
  // Rules across variables run on the raw values too, so one run reports every problem (a missing signing secret
  // in production is not hidden behind a malformed PORT).
  const loose = (parsed.success ? parsed.data : present) as Partial<Record<keyof Env, string>>;
  const mode = selectMode(loose, problems);
  const appVars = [loose.GITHUB_APP_ID, loose.GITHUB_APP_PRIVATE_KEY, loose.GITHUB_APP_INSTALLATION_ID];
  if (appVars.some(Boolean) && !appVars.every(Boolean)) {
    for (const name of ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID'] as const) {
      if (!loose[name]) problems.push(`${name}: required when any GitHub App variable is set`);
    }
  }
  if (loose.WAREHOUSE === 'bigquery' && !loose.BIGQUERY_PROJECT_ID) {
    problems.push('BIGQUERY_PROJECT_ID: required when WAREHOUSE=bigquery');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const app: Config['github']['app'] =
    env.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY && env.GITHUB_APP_INSTALLATION_ID
      ? {
          appId: env.GITHUB_APP_ID,
          privateKey: env.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
          installationId: env.GITHUB_APP_INSTALLATION_ID,
        }
      : undefined;

  const [owner, repo] = env.GITHUB_REPOSITORY?.split('/') ?? [];
  const dataDir = path.resolve(env.DATA_DIR);
  const config: Config = {
    env: env.NODE_ENV,
    mode,
    port: env.PORT,
    prometheusPort: env.PROMETHEUS_PORT,
    logLevel: env.LOG_LEVEL ?? (mode === 'local' ? 'warn' : 'info'),
    commandLogLevel: env.LOG_LEVEL ?? 'warn',
    prettyLogs: env.NODE_ENV !== 'production' && env.CI === undefined,
    dataDir,
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      analyticsChannelId: env.ANALYTICS_CHANNEL_ID,
    },
    github: {
      apiUrl: env.GITHUB_API_URL,
      token: env.GITHUB_TOKEN,
      app,
      repository: owner && repo ? { owner, repo } : undefined,
      projectUrl: env.GITHUB_PROJECT_URL,
      webhookSecret: env.GITHUB_WEBHOOK_SECRET,
      userMapFile: env.GITHUB_USER_MAP ? path.resolve(env.GITHUB_USER_MAP) : undefined,
      fields: {
        status: env.GITHUB_STATUS_FIELD,
        triageStatus: env.GITHUB_TRIAGE_STATUS,
        neededBy: env.GITHUB_NEEDED_BY_FIELD,
        necessity: env.GITHUB_NECESSITY_FIELD,
      },
    },
    warehouse: {
      kind: env.WAREHOUSE,
      bigquery: {
        projectId: env.BIGQUERY_PROJECT_ID,
        location: env.BIGQUERY_LOCATION,
        maximumBytesBilled: env.BIGQUERY_MAX_BYTES_BILLED,
        jobTimeoutMs: env.BIGQUERY_JOB_TIMEOUT_MS,
        emulatorHost: env.BIGQUERY_EMULATOR_HOST,
      },
      duckdbPath: env.DUCKDB_PATH ? path.resolve(env.DUCKDB_PATH) : path.join(dataDir, 'warehouse.duckdb'),
    },
    knowledgeFile: env.KNOWLEDGE_FILE
      ? path.resolve(env.KNOWLEDGE_FILE)
      : path.join(PACKAGE_ROOT, 'knowledge', 'data-sources.yml'),
    metrics: {
      file: env.METRICS_FILE ? path.resolve(env.METRICS_FILE) : path.join(PACKAGE_ROOT, 'metrics.yml'),
      timezone: env.METRICS_TIMEZONE,
      cacheTtlSeconds: env.METRICS_CACHE_TTL_SECONDS,
    },
    digest: { cron: env.DIGEST_CRON, timezone: env.DIGEST_TIMEZONE },
    budgets: {
      questionsPerMinutePerUser: env.QUESTIONS_PER_MINUTE_PER_USER,
      bytesPerUserDaily: env.BYTES_BUDGET_PER_USER_DAILY,
      bytesDaily: env.BYTES_BUDGET_DAILY,
    },
    watches: { cron: env.WATCH_CRON },
    charts: { mode: env.CHART_MODE },
    valueIndex: { refreshMinutes: env.VALUE_INDEX_REFRESH_MINUTES, maxBytes: env.VALUE_INDEX_MAX_BYTES },
  };
  return deepFreeze(config);
}

/** Socket Mode when an app token is set, HTTP mode with token + signing secret, local console otherwise. */
function selectMode(env: Partial<Record<keyof Env, string>>, problems: string[]): SlackMode {
  const { SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: secret, SLACK_APP_TOKEN: appToken } = env;
  if (appToken) {
    if (!bot) problems.push('SLACK_BOT_TOKEN: required in Socket Mode (SLACK_APP_TOKEN is set)');
    return 'socket';
  }
  if (bot || secret) {
    if (!bot) problems.push('SLACK_BOT_TOKEN: required in HTTP mode (SLACK_SIGNING_SECRET is set)');
    if (!secret) problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (SLACK_BOT_TOKEN is set)');
    return 'http';
  }
  if (env.NODE_ENV === 'production') {
    problems.push(
      'SLACK_BOT_TOKEN: required in production (with SLACK_SIGNING_SECRET for HTTP mode or SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  return 'local';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Human-readable names of the live adapters, for the banner and /healthz. */
export function describeAdapters(config: Config) {
  return {
    slack: config.mode,
    warehouse: config.warehouse.kind,
    // No GitHub credentials: requests go to the embedded board in DATA_DIR.
    github: config.github.token || config.github.app ? (config.github.app ? 'app' : 'token') : 'local',
  } as const;
}
