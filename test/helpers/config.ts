import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEST_BOT_TOKEN = 'xoxb-test-token';
export const SLACK_API_ORIGIN = 'http://slack.test';
export const RESPONSE_URL_ORIGIN = 'http://hooks.slack.test';
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret';
export const TEST_CHANNEL = 'C0ANALYTICS';

export function tempDir(prefix = 'analytics-bot-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** HTTP-mode config for tests; overrides are environment variables, as operators would set them. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: `${SLACK_API_ORIGIN}/api/`,
    ANALYTICS_CHANNEL_ID: TEST_CHANNEL,
    GITHUB_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    DATA_DIR: tempDir(),
    PORT: '0',
    LOG_LEVEL: 'debug',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(testEnv(overrides));
}
