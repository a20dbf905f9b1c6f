import { ConfigError, loadConfig } from '../../src/config.js';

const secret = 'xoxb-super-secret-value-1234567890';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('picks local mode with no Slack credentials outside production', () => {
    expect(loadConfig({}).mode).toBe('local');
    expect(loadConfig({ NODE_ENV: 'development' }).mode).toBe('local');
  });

  it('picks HTTP mode with bot token + signing secret', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(c.mode).toBe('http');
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
  });

  it('picks Socket Mode when an app token is set', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A-1-x' }).mode).toBe('socket');
  });

  it('never falls back to local mode in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: required in production/),
    ]);
  });

  it('names every bad variable on its own line, with what is expected, never the value', () => {
    const list = problems({
      SLACK_BOT_TOKEN: secret.replace('xoxb', 'xoxp'),
      PORT: 'eighty',
      WAREHOUSE: 'snowflake',
      DIGEST_CRON: 'every morning',
      DIGEST_TIMEZONE: 'Mars/Olympus',
      GITHUB_PROJECT_URL: 'https://github.com/acme/analytics',
      GITHUB_REPOSITORY: 'not a repo',
    });
    expect(list).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN: expected a bot token starting with xoxb-',
        'PORT: expected a whole number',
        'WAREHOUSE: expected one of bigquery, duckdb',
        'DIGEST_CRON: expected a 5-field cron expression like "0 9 * * 1-5"',
        'DIGEST_TIMEZONE: expected an IANA time zone like America/New_York',
        'GITHUB_PROJECT_URL: expected a Projects (v2) URL like https://github.com/orgs/ORG/projects/63',
        'GITHUB_REPOSITORY: expected owner/name',
        'SLACK_SIGNING_SECRET: required in HTTP mode (SLACK_BOT_TOKEN is set)',
      ]),
    );
    expect(list).toHaveLength(8);
    expect(list.join('\n')).not.toContain('super-secret');
  });

  it('reports half-configured Slack and GitHub App settings', () => {
    expect(problems({ SLACK_SIGNING_SECRET: 'abc' })).toEqual([
      'SLACK_BOT_TOKEN: required in HTTP mode (SLACK_SIGNING_SECRET is set)',
    ]);
    expect(problems({ GITHUB_APP_ID: '12' })).toEqual([
      'GITHUB_APP_PRIVATE_KEY: required when any GitHub App variable is set',
      'GITHUB_APP_INSTALLATION_ID: required when any GitHub App variable is set',
    ]);
    expect(problems({ WAREHOUSE: 'bigquery' })).toEqual(['BIGQUERY_PROJECT_ID: required when WAREHOUSE=bigquery']);
  });

  it('reports cross-variable problems in the same run as malformed values', () => {
    // A missing signing secret in production must not wait until PORT is fixed.
    expect(problems({ NODE_ENV: 'production', SLACK_BOT_TOKEN: 'xoxb-1', PORT: 'eighty', GITHUB_APP_ID: 'x' })).toEqual(
      [
        'GITHUB_APP_ID: expected a numeric app ID',
        'PORT: expected a whole number',
        'SLACK_SIGNING_SECRET: required in HTTP mode (SLACK_BOT_TOKEN is set)',
        'GITHUB_APP_PRIVATE_KEY: required when any GitHub App variable is set',
        'GITHUB_APP_INSTALLATION_ID: required when any GitHub App variable is set',
      ],
    );
    expect(problems({ NODE_ENV: 'production', WAREHOUSE: 'bigquery', DIGEST_CRON: 'soon' })).toEqual([
      'DIGEST_CRON: expected a 5-field cron expression like "0 9 * * 1-5"',
      expect.stringMatching(/^SLACK_BOT_TOKEN: required in production/),
      'BIGQUERY_PROJECT_ID: required when WAREHOUSE=bigquery',
    ]);
  });

  it('reads the budgets and PROMETHEUS_PORT; 0 turns a budget off', () => {
    const defaults = loadConfig({});
    expect(defaults.budgets).toEqual({
      questionsPerMinutePerUser: 20,
      bytesPerUserDaily: 100_000_000_000,
      bytesDaily: 2_000_000_000_000,
    });
    expect(defaults.prometheusPort).toBeUndefined();
    const set = loadConfig({
      QUESTIONS_PER_MINUTE_PER_USER: '0',
      BYTES_BUDGET_PER_USER_DAILY: '0',
      BYTES_BUDGET_DAILY: '5000',
      PROMETHEUS_PORT: '9464',
    });
    expect(set.budgets).toEqual({ questionsPerMinutePerUser: 0, bytesPerUserDaily: 0, bytesDaily: 5000 });
    expect(set.prometheusPort).toBe(9464);
    expect(problems({ PROMETHEUS_PORT: '70000', BYTES_BUDGET_DAILY: '-1' })).toEqual([
      'PROMETHEUS_PORT: expected a port number up to 65535',
      'BYTES_BUDGET_DAILY: expected a whole number',
    ]);
  });

  it('reads LOG_LEVEL and CI like every other variable', () => {
    const http = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
    expect(loadConfig(http)).toMatchObject({ logLevel: 'info', commandLogLevel: 'warn', prettyLogs: true });
    expect(loadConfig({})).toMatchObject({ logLevel: 'warn', commandLogLevel: 'warn' });
    expect(loadConfig({ ...http, LOG_LEVEL: 'debug' })).toMatchObject({ logLevel: 'debug', commandLogLevel: 'debug' });
    expect(loadConfig({ CI: 'true' }).prettyLogs).toBe(false);
    expect(loadConfig({ CI: '' }).prettyLogs).toBe(true);
    expect(loadConfig({ ...http, NODE_ENV: 'production' }).prettyLogs).toBe(false);
    expect(problems({ LOG_LEVEL: 'loud' })).toEqual([
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it('treats empty variables as unset so defaults apply', () => {
    const c = loadConfig({ PORT: '', WAREHOUSE: '', DIGEST_CRON: ' ', SLACK_BOT_TOKEN: '' });
    expect(c.port).toBe(3000);
    expect(c.warehouse.kind).toBe('duckdb');
    expect(c.digest.cron).toBe('0 9 * * 1-5');
  });

  it('returns a frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.slack)).toBe(true);
  });
});
