/** The watch and alert wording around a question: schedule, time, destination, condition, floor. */
import { parseAlert, parseWatch } from '../../src/watches/grammar.js';

const watch = (text: string) => {
  const r = parseWatch(text);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
};
const alert = (text: string) => {
  const r = parseAlert(text);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
};

describe('watch grammar', () => {
  it('takes the last daily|weekly|monthly word as the schedule; an earlier one stays the grain', () => {
    const s = watch('signups weekly by source daily at 9:00');
    expect(s.question).toBe('signups weekly by source');
    expect(s.schedule).toMatchObject({ every: 'daily', hour: 9, minute: 0 });
    expect(s.destination).toBe('here');
  });

  it('keeps "daily active users" as the metric name', () => {
    expect(watch('daily active users weekly').question).toBe('daily active users');
    expect(parseWatch('daily active users').ok).toBe(false); // no schedule said
    expect(parseWatch('signups by source').ok).toBe(false);
  });

  it('reads time, zone and destination in either order', () => {
    expect(watch('searches monthly at 5pm dm')).toMatchObject({
      destination: 'dm',
      schedule: { every: 'monthly', hour: 17, minute: 0 },
    });
    expect(watch('searches weekly here at 7:45 Europe/Berlin')).toMatchObject({
      destination: 'here',
      schedule: { every: 'weekly', weekday: 1, hour: 7, minute: 45, timezone: 'Europe/Berlin' },
    });
    expect(watch('searches weekly on fridays').schedule.weekday).toBe(5);
    expect(watch('searches daily').schedule).toMatchObject({ hour: 9, minute: 0 });
    expect(watch('searches daily').schedule.timezone).toBeUndefined();
  });

  it('refuses impossible times and unknown zones with the words named', () => {
    expect(parseWatch('searches daily at 25:00')).toMatchObject({
      ok: false,
      error: expect.stringContaining('at 25:00'),
    });
    expect(parseWatch('searches daily at 9:00 Mars/Olympus')).toMatchObject({
      ok: false,
      error: expect.stringContaining('Mars/Olympus'),
    });
    expect(parseWatch('daily').ok).toBe(false);
  });
});

describe('alert grammar', () => {
  it('reads relative change week over week (weekly by default)', () => {
    const s = alert('when signups drop more than 20% week over week');
    expect(s.question).toBe('signups');
    expect(s.condition).toEqual({
      type: 'change',
      direction: 'drop',
      percent: 20,
      baseline: 'week_over_week',
      weeks: 1,
    });
    expect(s.schedule.every).toBe('weekly');
    expect(s.floor).toBeUndefined();
    expect(alert('if signups fall by 15% w/w').condition).toMatchObject({ direction: 'drop', percent: 15 });
    expect(alert('when signups goes above 80')).toMatchObject({
      condition: { type: 'threshold', op: 'above', value: 80 },
    });
  });

  it('reads the same weekday over the last N weeks, and an absolute floor', () => {
    const s = alert('when searches rise more than 30% vs the same weekday over the last 4 weeks and by at least 50');
    expect(s.condition).toEqual({ type: 'change', direction: 'rise', percent: 30, baseline: 'same_weekday', weeks: 4 });
    expect(s.floor).toBe(50);
    expect(s.schedule.every).toBe('daily');
  });

  it('reads thresholds and anomalies with sensitivity', () => {
    expect(alert('when bounce rate is above 60%')).toMatchObject({
      question: 'bounce rate',
      condition: { type: 'threshold', op: 'above', value: 60, percent: true },
    });
    expect(alert('when searches look unusual')).toMatchObject({
      question: 'searches',
      condition: { type: 'anomaly', sensitivity: 'medium' },
    });
    expect(alert('when searches look unusual with high sensitivity dm')).toMatchObject({
      destination: 'dm',
      condition: { type: 'anomaly', sensitivity: 'high' },
    });
  });

  it('names words it did not understand instead of dropping them', () => {
    const r = parseAlert('when signups drop more than 20% week over week on tuesdays please');
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('on tuesdays please') });
    expect(parseAlert('when signups are nice').ok).toBe(false);
    expect(parseAlert('when signups drop more than 20% vs the same weekday over the last 4 weeks weekly').ok).toBe(
      false,
    );
  });
});
