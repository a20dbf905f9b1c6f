/** Alert conditions on a series: change with a floor, thresholds, and the median/MAD anomaly rule. */

import { defaultFloor, evaluate } from '../../src/watches/detect.js';
import { shippedCatalog } from '../helpers/harness.js';

const catalog = shippedCatalog();
const searches = catalog.metric('searches')!;
const bounce = catalog.metric('bounce_rate')!;

/** Same-weekday values, 8 weeks back to the latest (2026-11-28). */
function weekly(values: number[], latest: number): Map<string, number> {
  const m = new Map<string, number>();
  values.forEach((v, i) => {
    const d = new Date(Date.UTC(2026, 10, 28) - (i + 1) * 7 * 86_400_000);
    m.set(d.toISOString().slice(0, 10), v);
  });
  m.set('2026-11-28', latest);
  return m;
}

describe('alert detection', () => {
  it('fires on a drop beyond the percentage only when the absolute change clears the floor', () => {
    const c = { type: 'change', direction: 'drop', percent: 20, baseline: 'week_over_week', weeks: 1 } as const;
    const base = { metric: searches, condition: c, grain: 'day' as const, bucket: '2026-11-28' };
    expect(evaluate({ ...base, values: weekly([100], 70) })).toMatchObject({ fired: true, reference: 100, floor: 30 });
    expect(evaluate({ ...base, values: weekly([10], 5) })).toMatchObject({ fired: false, floor: 10 });
    expect(evaluate({ ...base, values: weekly([10], 5), floor: 3 }).fired).toBe(true);
    expect(evaluate({ ...base, values: weekly([100], 90) }).fired).toBe(false);
  });

  it('derives the default floor from typical volume', () => {
    expect(defaultFloor(searches, 10_000)).toBe(300);
    expect(defaultFloor(bounce, 0.4)).toBe(0.01);
  });

  it('reads percentage thresholds in the metric’s own units', () => {
    const c = { type: 'threshold', op: 'above', value: 60, percent: true } as const;
    const base = { metric: bounce, condition: c, grain: 'day' as const, bucket: '2026-11-28' };
    expect(evaluate({ ...base, values: new Map([['2026-11-28', 0.61]]) })).toMatchObject({
      fired: true,
      reference: 0.6,
    });
    expect(evaluate({ ...base, values: new Map([['2026-11-28', 0.59]]) }).fired).toBe(false);
  });

  it('flags a value far outside the median ± k·MAD band, and not one inside it', () => {
    const c = { type: 'anomaly', sensitivity: 'medium' } as const;
    const base = { metric: searches, condition: c, grain: 'day' as const, bucket: '2026-11-28' };
    const history = [480, 510, 447, 482, 437, 541, 506, 452];
    const quiet = evaluate({ ...base, values: weekly(history, 473) });
    expect(quiet.fired).toBe(false);
    const loud = evaluate({ ...base, values: weekly(history, 200) });
    expect(loud.fired).toBe(true);
    expect(loud.reference).toBe(481);
    expect(loud.anomaly!.score).toBeLessThan(-3.5);
    expect(loud.anomaly!.low).toBeGreaterThan(200);
    // One wild week in the baseline does not hide the next anomaly (the median ignores it).
    expect(evaluate({ ...base, values: weekly([5000, ...history.slice(1)], 200) }).fired).toBe(true);
  });

  it('stays quiet without enough history', () => {
    const c = { type: 'anomaly', sensitivity: 'medium' } as const;
    const ev = evaluate({
      metric: bounce,
      condition: c,
      grain: 'day',
      bucket: '2026-11-28',
      values: new Map([['2026-11-28', 0.5]]),
    });
    expect(ev).toMatchObject({ fired: false, quiet: expect.stringContaining('not enough history') });
  });
});
