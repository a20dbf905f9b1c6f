import { tempDir } from '../helpers/config.js';
import { runCli } from '../helpers/process.js';

const httpEnv = () => ({
  NODE_ENV: 'production',
  SLACK_BOT_TOKEN: 'xoxb-process-secret-token',
  SLACK_SIGNING_SECRET: 'process-signing-secret',
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
  DATA_DIR: tempDir(),
  PORT: '0',
  LOG_LEVEL: 'info',
});

describe('analytics-bot CLI', () => {
  it('exits 2 with one line per bad variable and never prints secret values', async () => {
    const run = runCli(['serve'], {
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: 'xoxp-this-is-secret-123',
      PORT: 'abc',
      DIGEST_TIMEZONE: 'Nowhere/Land',
    });
    const { code } = await run.exited;
    expect(code).toBe(2);
    const err = run.stderr();
    expect(err).toContain('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    expect(err).toContain('PORT: expected a whole number');
    expect(err).toContain('DIGEST_TIMEZONE: expected an IANA time zone');
    expect(err).not.toContain('this-is-secret');
  });

  it('refuses to start in production without Slack credentials (no local fallback)', async () => {
    const run = runCli([], { NODE_ENV: 'production', DATA_DIR: tempDir() });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(/SLACK_BOT_TOKEN: required in production/);
  });

  it('prints usage for an unknown command and exits 2', async () => {
    const run = runCli(['frobnicate'], {});
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain('Usage: analytics-bot');
  });

  it('serves HTTP mode, then shuts down cleanly on SIGTERM within 10 s', async () => {
    const run = runCli(['serve'], httpEnv());
    const [, port] = await run.waitFor(/"port":(\d+)[^\n]*analytics-bot started/, 45_000);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const started = Date.now();
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.stdout()).toContain('stopped cleanly');
    // No GitHub credentials: the startup log says where requests go.
    expect(run.stdout()).toMatch(
      /"board":"[^"]*local-board\.sqlite","requests":40[^\n]*filed on the embedded local board/,
    );
    expect(run.stdout()).not.toContain('xoxb-process-secret-token');
    expect(run.stdout()).not.toContain('process-signing-secret');
  }, 60_000); // a cold start (demo data, chart renderer) on a busy machine; the 10 s bound is on shutdown only

  it('lands in the local console with no Slack config and answers /analytics help typed on stdin', async () => {
    const run = runCli([], { DATA_DIR: tempDir(), PORT: '0' });
    await run.waitFor(/local console/);
    expect(run.stdout()).toMatch(/Warehouse: +DuckDB, embedded/);
    expect(run.stdout()).toMatch(
      /GitHub: +none set, so requests go to the embedded local board \(.*local-board\.sqlite, \d+ requests\)/,
    );
    run.child.stdin.write('/analytics help\n');
    await run.waitFor(/only visible to you[\s\S]*\/analytics list/);
    run.child.stdin.end('exit\n');
    expect((await run.exited).code).toBe(0);
  }, 60_000); // a cold start on a busy machine

  it('answers a mention in the console and files a request through the form prompts on the local board', async () => {
    const run = runCli([], { DATA_DIR: tempDir(), PORT: '0' });
    await run.waitFor(/local console/);
    run.child.stdin.write('@analytics-bot where can I find website traffic numbers?\n');
    await run.waitFor(/#analytics \(thread\)[\s\S]*Google Analytics/);
    run.child.stdin.write('/analytics request Churn by plan\n');
    await run.waitFor(/Request title \[Enter keeps: Churn by plan\]/);
    // title (keep), purpose, look, sketch (skip), needed by, necessity, links, stakeholders, sources
    run.child.stdin.write('\nFor the QBR\nA table by plan\n\n2099-01-31\n2\n\n\n1\n');
    await run.waitFor(/filed as #41 Churn by plan[^\n]* on the local board/);
    run.child.stdin.end('exit\n');
    expect((await run.exited).code).toBe(0);
  }, 60_000); // a cold start on a busy machine
});
