import { buildTriage } from '../../src/digest/triage.js';
import type { BoardItem, BoardSnapshot } from '../../src/github/board.js';
import { triageDigestMessage } from '../../src/views/triage-digest.js';
import { assertBlockKit } from '../helpers/block-kit.js';

const NOW = new Date('2026-11-30T09:00:00Z'); // a Monday
let n = 0;
function item(over: Partial<Omit<BoardItem, 'issue'>> & { issue?: Partial<BoardItem['issue']> } = {}): BoardItem {
  n++;
  return {
    id: `PVTI_${n}`,
    status: 'Triage',
    neededBy: null,
    necessity: null,
    ...over,
    issue: {
      number: n,
      title: `Request ${n}`,
      url: `https://github.com/acme/analytics/issues/${n}`,
      state: 'OPEN',
      author: 'octocat',
      assignees: [],
      labels: ['data-request'],
      createdAt: '2026-11-20T10:00:00Z',
      updatedAt: '2026-11-25T10:00:00Z',
      closedAt: null,
      ...over.issue,
    },
  };
}
const snapshot = (items: BoardItem[]): BoardSnapshot => ({
  title: 'Analytics',
  url: 'https://github.com/orgs/acme/projects/63',
  items,
  missingFields: [],
  requests: 1,
});
const opts = { now: NOW, timezone: 'UTC', triageStatus: 'Triage', since: new Date('2026-11-27T09:00:00Z') };

describe('triage digest', () => {
  it('sorts every section with exact counts', () => {
    const items = [
      item({ status: null, issue: { createdAt: '2026-11-10T00:00:00Z' } }), // triage, 20 days old
      item({ status: 'Triage', issue: { createdAt: '2026-11-28T00:00:00Z' } }), // triage + new
      item({ status: 'In progress', neededBy: '2026-11-25', issue: { assignees: ['ana'] } }), // overdue 5 days
      item({ status: 'In progress', neededBy: '2026-12-04', issue: { assignees: ['ana'] } }), // due in 4 days
      item({ status: 'In progress', neededBy: '2026-11-30', issue: { assignees: ['bo'] } }), // due today
      item({ status: 'In progress', issue: { assignees: ['bo'], updatedAt: '2026-11-01T00:00:00Z' } }), // stale 29 d
      item({ status: 'Done', neededBy: '2026-11-01', issue: { state: 'CLOSED', closedAt: '2026-11-28T12:00:00Z' } }),
      item({ status: 'Backlog', necessity: 'Necessity' }), // unassigned necessity
      item({ status: 'Backlog', necessity: 'Nice-to-have' }),
    ];
    const d = buildTriage(snapshot(items), opts);
    expect(d.total).toBe(9);
    expect(d.open).toBe(8);
    expect(d.needsTriage.map((x) => [x.item.issue.number, x.days])).toEqual([
      [items[0]!.issue.number, 20],
      [items[1]!.issue.number, 2],
    ]);
    expect(d.overdue.map((x) => x.days)).toEqual([5]);
    expect(d.dueSoon.map((x) => x.days)).toEqual([0, 4]);
    expect(d.stale.map((x) => x.days)).toEqual([29]);
    expect(d.newSince.map((i) => i.issue.number)).toEqual([items[1]!.issue.number]);
    expect(d.closedSince.map((i) => i.issue.number)).toEqual([items[6]!.issue.number]);
    expect(d.unassignedNecessities.map((i) => i.issue.number)).toEqual([items[7]!.issue.number]);
    expect(d.byStatus).toEqual([
      { status: 'In progress', count: 4 },
      { status: 'Backlog', count: 2 },
      { status: 'Done', count: 1 },
      { status: 'No status', count: 1 },
      { status: 'Triage', count: 1 },
    ]);
    expect(d.allClear).toBe(false);
  });

  it('says all clear for an empty board and for a board with nothing to act on', () => {
    const empty = triageDigestMessage(buildTriage(snapshot([]), opts), {
      boardUrl: 'https://github.com/orgs/acme/projects/63',
      boardTitle: 'Analytics',
      day: '2026-11-30',
      timezone: 'UTC',
    });
    expect(empty.text).toContain('all clear');
    expect(JSON.stringify(empty.blocks)).toContain('The board is empty');
    const calm = buildTriage(snapshot([item({ status: 'In progress', issue: { assignees: ['a'] } })]), opts);
    expect(calm.allClear).toBe(true);
  });

  it('stays within Slack limits for 2,000 items, ending long sections with "…and N more"', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      item({
        status: i % 3 === 0 ? null : 'In progress',
        neededBy: i % 2 === 0 ? '2026-11-01' : '2026-12-02',
        necessity: 'Necessity',
        issue: { title: `A very long request title number ${i} `.repeat(6), createdAt: '2026-11-29T00:00:00Z' },
      }),
    );
    const message = triageDigestMessage(buildTriage(snapshot(many), opts), {
      boardUrl: 'https://github.com/orgs/acme/projects/63',
      boardTitle: 'Analytics',
      day: '2026-11-30',
      timezone: 'UTC',
    });
    assertBlockKit(message, 'message');
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const text = JSON.stringify(message.blocks);
    expect(text).toMatch(/…and \d+ more on <https:\/\/github.com\/orgs\/acme\/projects\/63\|the board>/);
    expect(message.text).toMatch(/^Analytics triage 2026-11-30: 667 need triage, 1000 overdue, 1000 due this week/);
  });
});

describe('triage digest: opened and closed per week', () => {
  it('counts the last eight weeks (Monday start, this week last) and draws them as one grouped bar chart', () => {
    const items = [
      item({ issue: { createdAt: '2026-11-30T08:00:00Z' } }), // this week (NOW is Monday 09:00)
      item({ issue: { createdAt: '2026-11-23T00:00:00Z', closedAt: '2026-11-29T23:59:00Z', state: 'CLOSED' } }),
      item({ issue: { createdAt: '2026-10-06T12:00:00Z', closedAt: '2026-11-24T10:00:00Z', state: 'CLOSED' } }),
      item({ issue: { createdAt: '2026-10-04T12:00:00Z' } }), // the Sunday before the first week: not counted
    ];
    const digest = buildTriage(snapshot(items), opts);
    expect(digest.weekly.map((w) => w.week)).toEqual(
      [
        '2026-10-05',
        '2026-10-12',
        '2026-10-19',
        '2026-10-26',
        '2026-11-02',
        '2026-11-09',
        '2026-11-16',
        '2026-11-23',
        '2026-11-30',
      ].slice(1),
    );
    expect(digest.weekly.map((w) => [w.opened, w.closed])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 2],
      [1, 0],
    ]);
    const message = triageDigestMessage(digest, {
      boardUrl: 'https://github.com/orgs/acme/projects/63',
      boardTitle: 'Analytics',
      day: '2026-11-30',
      timezone: 'UTC',
    });
    assertBlockKit(message, 'message');
    const charts = message.blocks.filter((b) => b.type === 'data_visualization') as unknown as Array<{
      title: string;
      chart: { type: string; series: Array<{ name: string; data: Array<{ label: string; value: number }> }> };
    }>;
    expect(charts).toHaveLength(1);
    expect(charts[0]!.title).toBe('Requests opened and closed, last 8 weeks');
    expect(charts[0]!.chart.type).toBe('bar');
    expect(charts[0]!.chart.series.map((s) => s.name)).toEqual(['Opened', 'Closed']);
    expect(charts[0]!.chart.series[1]!.data.at(-2)).toEqual({ label: 'Nov 23', value: 2 });
    // The same numbers in text, for clients without the chart block.
    expect(JSON.stringify(message.blocks)).toContain('Nov 23 +1/−2 · Nov 30 +1/−0');
  });
});
