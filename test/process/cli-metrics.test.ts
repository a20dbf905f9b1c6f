import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/config.js';
import { runCli } from '../helpers/process.js';

describe('analytics-bot ask / metrics check / digest', () => {
  const dataDir = tempDir();

  it('prints an answer as the bot would', async () => {
    const run = runCli(['ask', 'weekly active users last 4 weeks by plan'], { DATA_DIR: dataDir });
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    // The interpretation line first, then the same readable form as the console: formatting rendered, no raw mrkdwn.
    expect(run.stdout()).toMatch(/^ *🔍 Weekly active users · by plan · \w{3} \d+ – \w{3} \d+, \d{4} \(UTC\)/);
    expect(run.stdout()).toMatch(/^[\d,]+ users \(average per week\)/m);
    expect(run.stdout()).toMatch(/free +[\d,]+/);
    expect(run.stdout()).toContain('[Share in channel]');
    expect(run.stdout()).not.toMatch(/(^|\s)[*_`]\w/m);
    // The charts in words, and drawn as PNG files under DATA_DIR/charts/.
    expect(run.stdout()).toMatch(/^📊 Bar chart: Weekly active users by plan\. free [\d,.]+/m);
    const images = [...run.stdout().matchAll(/^chart image: (.+\.png)$/gm)].map((m) => m[1]!);
    expect(images).toHaveLength(2);
    for (const file of images) {
      expect(file.startsWith(path.join(dataDir, 'charts'))).toBe(true);
      expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    }
    // A cold CLI start plus loading the chart renderer: room for a busy machine.
  }, 60_000);

  it('explains an unknown metric and exits 1', async () => {
    const run = runCli(['ask', 'revenue'], { DATA_DIR: dataDir });
    expect((await run.exited).code).toBe(1);
    expect(run.stdout()).toContain("I won't guess a number");
  });

  it('ask --json prints the choices and exits 3 when it would ask back', async () => {
    const run = runCli(['ask', '--json', 'searches or code navigation last week?'], { DATA_DIR: dataDir });
    expect((await run.exited).code).toBe(3);
    const body = JSON.parse(run.stdout());
    expect(body.interpretation).toMatchObject({ intent: 'ask_back', reason: 'ambiguous_metric' });
    expect(body.choices.map((c: { metric: string }) => c.metric)).toEqual(['searches', 'code_navigation_events']);
    expect(body.numbers).toBeNull();
  });

  it('validates the catalog and dry-runs every metric', async () => {
    const run = runCli(['metrics', 'check'], { DATA_DIR: dataDir });
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toMatch(/12 metrics, valid/);
    expect(run.stdout()).toMatch(/✓ weekly_active_users +compiles and binds/);
    expect(run.stdout()).toContain('All metrics passed.');
  });

  it('names the metric and field of every catalog problem and exits 2', async () => {
    const file = path.join(tempDir(), 'metrics.yml');
    writeFileSync(
      file,
      [
        'version: 1',
        'sources: { hubspot: { label: HubSpot } }',
        'metrics:',
        '  - name: signups',
        '    label: Sign-ups',
        '    description: New accounts',
        '    source: hubspot',
        '    table: signups',
        '    time_column: "signed_up_at; DROP TABLE signups"',
        '    aggregation: { type: count }',
        '  - name: leads',
        '    label: Leads',
        '    description: Leads',
        '    source: salesforce',
        '    table: leads',
        '    time_column: created_at',
        '    aggregation: { type: sum }',
      ].join('\n'),
    );
    const run = runCli(['metrics', 'check'], { DATA_DIR: dataDir, METRICS_FILE: file });
    expect((await run.exited).code).toBe(2);
    const err = run.stderr();
    expect(err).toContain('metric "signups".time_column: expected a column name');
    expect(err).toMatch(/metric "leads"\.aggregation/);
  });

  it('digest --dry-run prints the embedded board’s digest when no GitHub credentials are set', async () => {
    const run = runCli(['digest', '--dry-run'], { DATA_DIR: dataDir });
    expect((await run.exited).code).toBe(0);
    const out = run.stdout();
    expect(out).toMatch(/Local board \(http:\/\/localhost:3000\/board\): \d+ open requests/);
    for (const section of ['Needs triage', 'Overdue', 'Due in the next 7 days', 'Stale', 'New since', 'Closed since']) {
      expect(out).toContain(section);
    }
  });

  it('digest --dry-run explains a missing board and exits 1', async () => {
    const run = runCli(['digest', '--dry-run'], { DATA_DIR: dataDir, GITHUB_TOKEN: 'test-token' });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain('the digest could not be built: GITHUB_PROJECT_URL is not set');
  });

  it('digest without a channel says where it would post and exits 1; unknown options exit 2', async () => {
    const run = runCli(['digest'], { DATA_DIR: dataDir });
    expect((await run.exited).code).toBe(1);
    expect(run.stdout()).toContain('ANALYTICS_CHANNEL_ID is not set');
    const bad = runCli(['digest', '--now'], { DATA_DIR: dataDir });
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toContain('Usage: analytics-bot digest [--dry-run]');
  }, 60_000); // two cold CLI starts in a row
});
