/** The console's and the CLI's readable form of Slack messages: as Slack would show them, nothing raw. */
import { mrkdwnToText, renderBlocks, renderMessage } from '../../src/console/render.js';
import { createMetricService } from '../../src/queries/metric-service.js';
import { QuestionParser } from '../../src/queries/question.js';
import type { QueryResult, Warehouse } from '../../src/queries/warehouse.js';
import { createTelemetry } from '../../src/telemetry.js';
import { actions, button, context, section } from '../../src/views/blocks.js';
import { dataVisualization, tableBlock, xyChart } from '../../src/views/charts.js';
import { metricAnswerMessage } from '../../src/views/metric-answer.js';
import { shippedCatalog, TEST_NOW } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';

describe('mrkdwnToText', () => {
  it('renders bold, italics, strikethrough and code as their words, leaving snake_case and 2*3 alone', () => {
    expect(mrkdwnToText('*Weekly actives* are _up_ ~a lot~ (see `weekly_active_users`)')).toBe(
      'Weekly actives are up a lot (see weekly_active_users)',
    );
    expect(mrkdwnToText('*a* *b*, _c_.')).toBe('a b, c.');
    expect(mrkdwnToText('weekly_active_users and 2*3*4 stay')).toBe('weekly_active_users and 2*3*4 stay');
    expect(mrkdwnToText('```\nSELECT *\nFROM t\n```')).toBe('    SELECT *\n    FROM t');
  });

  it('shows links as label (url), mentions as names, channels, emoji, and entities decoded', () => {
    const names = (id: string) => ({ U0LOCAL: 'ada' })[id];
    expect(
      mrkdwnToText(
        ':white_check_mark: <https://x.test/1|#1 A &amp; B> for <@U0LOCAL> and <@U0OTHER> in <#C1|analytics> <!here> :unknown_code:',
        { userName: names },
      ),
    ).toBe('✅ #1 A & B (https://x.test/1) for @ada and @U0OTHER in #analytics @here :unknown_code:');
  });

  it('strips terminal control characters someone else typed (escape sequences, bells)', () => {
    expect(mrkdwnToText('title \u001b[2J\u001b]0;pwned\u0007 end\r')).toBe('title [2J]0;pwned end');
  });
});

describe('renderBlocks', () => {
  const blocks = [
    section('*Signups* last 7 days'),
    context('_Preview_ only'),
    actions('a', [
      button('Share in channel', 'share', { value: 'v' }),
      button('Open', 'open', { url: 'https://x.test' }),
    ]),
  ];

  it('numbers buttons as choices when they can be pressed', () => {
    let n = 0;
    expect(renderBlocks(blocks, { registerButton: () => ++n })).toEqual([
      'Signups last 7 days',
      '  Preview only',
      '  [1] Share in channel   [2] Open ↗ https://x.test',
    ]);
  });

  it('lists buttons without numbers when nothing can press them (the CLI)', () => {
    expect(renderBlocks(blocks).at(-1)).toBe('  [Share in channel]   [Open] ↗ https://x.test');
    expect(renderMessage({ text: '*no blocks*' })).toEqual(['no blocks']);
  });
});

describe('newer blocks', () => {
  it('renders a table block as aligned columns, a chart as its description, and emoji in button labels', () => {
    const blocks = [
      tableBlock(
        [{ header: 'Plan' }, { header: 'Sign-ups', align: 'right' }],
        [
          ['enterprise', '43'],
          ['free', '1,248'],
        ],
      ),
      dataVisualization('Sign-ups by plan', xyChart('bar', ['free', 'pro'], [{ name: 'Sign-ups', values: [10, 2] }])),
      actions('f', [button(':+1:', 'up'), button(':-1:', 'down')]),
    ];
    expect(renderBlocks(blocks)).toEqual([
      '  Plan        Sign-ups',
      '  ──────────  ────────',
      '  enterprise        43',
      '  free           1,248',
      '📊 Bar chart: Sign-ups by plan. free 10, pro 2.',
      '  [👍]   [👎]',
    ]);
  });
});

describe('metric answers as text', () => {
  const catalog = shippedCatalog();
  const parse = (text: string) => {
    const r = new QuestionParser(catalog).parse(text, { now: TEST_NOW, timezone: 'UTC' });
    if (!r.ok) throw new Error(r.error.kind);
    return r.question;
  };
  const warehouse = (withPrevious: boolean): Warehouse => ({
    kind: 'duckdb',
    async query(): Promise<QueryResult> {
      return {
        rows: [
          { part: 'total', period: 'current', value: 30, latest: '2026-11-28 12:00:00+00' },
          ...(withPrevious ? [{ part: 'total', period: 'previous', value: 20, latest: null }] : []),
          { part: 'series', period: 'current', bucket: '2026-11-26', value: 10, latest: null },
          { part: 'series', period: 'current', bucket: '2026-11-27', value: 12, latest: null },
          { part: 'series', period: 'current', bucket: '2026-11-28', value: 8, latest: null },
        ],
        bytesProcessed: 0,
        bytesBilled: 0,
        cacheHit: false,
      };
    },
    async dryRun() {
      return { bytesProcessed: 0 };
    },
    async close() {},
  });
  const answer = async (withPrevious: boolean) => {
    const metrics = createMetricService({
      catalog,
      warehouse: warehouse(withPrevious),
      telemetry: createTelemetry({ defaultMetrics: false }),
      logger: captureLogs().logger,
      ttlMs: 0,
      clock: () => TEST_NOW,
    });
    return metricAnswerMessage(await metrics.answer(parse('signups per day last 3 days'), { userId: 'U1' }));
  };

  it('calls a day series "daily" and says once that there is no previous period', async () => {
    const without = await answer(false);
    const text = renderMessage(without).join('\n');
    expect(text).toContain('daily, 2026-11-26 → 2026-11-28');
    expect(text).not.toContain('dayly');
    expect(text).toMatch(/No data for the previous period \(Nov 23 – Nov 25, 2026\) to compare with\./);
    expect(text).not.toMatch(/no comparison/i);
    expect(without.text).not.toMatch(/no comparison/i);
    // No raw mrkdwn (the placeholder for a chart block is the renderer's own, not mrkdwn).
    expect(text.replace(/\[\w+ block\]/g, '')).not.toMatch(/[*_`]\w/);

    const withPrevious = renderMessage(await answer(true)).join('\n');
    expect(withPrevious).toMatch(/▲ 50% vs 20 sign-ups in the previous period/);
  });
});
