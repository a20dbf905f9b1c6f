/**
 * Button values carry a question so "Share in channel", "Show SQL", ask-back choices and one-click alternatives can
 * answer it. Values come back from Slack as untrusted input: they are validated against the schema and the catalog.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { GRAINS, type MetricCatalog } from './catalog.js';
import type { MetricQuestion, QueryFilter } from './question.js';
import { MAX_RANGE_DAYS } from './time-range.js';

/** Shown in messages (also shared to channels): plain words only, so a forged value cannot ping anyone. */
const plain = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[\p{L}\p{N} ,.:'’()/–?=!-]*$/u);
const iso = z.string().max(40);

const schema = z
  .object({
    m: z.string().max(100),
    s: iso,
    e: iso,
    l: plain(100),
    g: z.enum(GRAINS),
    z: z.string().max(64),
    b: z.array(z.string().max(100)).max(2).optional(),
    f: z
      .array(
        z.tuple([
          z.string().max(100),
          z.enum(['eq', 'neq', 'in', 'not_in', 'prefix']),
          z.array(z.string().max(100)).min(1).max(20),
        ]),
      )
      .max(10)
      .optional(),
    c: z
      .object({
        s: iso,
        e: iso,
        k: z.enum(['previous_period', 'previous_calendar', 'previous_year', 'same_weekday_last_week']),
        lf: z.boolean(),
      })
      .strict()
      .optional(),
    o: z.tuple([z.enum(['desc', 'asc']), z.number().int().min(1).max(100)]).optional(),
    r: z.enum(['total', 'average']).optional(),
    d: z.boolean().optional(),
    u: z.array(plain(60)).max(5).optional(),
  })
  .strict();

type Encoded = z.infer<typeof schema>;

const safeText = (s: string) => s.replace(/[^\p{L}\p{N} ,.:'’()/–?=!-]/gu, ' ').slice(0, 60);

export function encodeQuestion(q: MetricQuestion): string {
  const value: Encoded = {
    m: q.metric.name,
    s: q.range.start.toISO()!,
    e: q.range.end.toISO()!,
    l: safeText(q.range.label).slice(0, 100),
    g: q.grain,
    z: q.range.start.zoneName ?? 'UTC',
    ...(q.breakdowns.length > 0 ? { b: q.breakdowns.map((d) => d.name) } : {}),
    ...(q.filters.length > 0
      ? { f: q.filters.map((f) => [f.dimension.name, f.op, f.values.map((v) => v.slice(0, 100))] as const) }
      : {}),
    ...(q.comparison
      ? {
          c: {
            s: q.comparison.range.start.toISO()!,
            e: q.comparison.range.end.toISO()!,
            k: q.comparison.kind,
            lf: q.comparison.likeForLike,
          },
        }
      : {}),
    ...(q.order ? { o: [q.order.direction, q.order.limit] as const } : {}),
    ...(q.rollup !== q.metric.rollup ? { r: q.rollup } : {}),
    ...(q.defaultRange ? { d: true } : {}),
    ...(q.unused.length > 0 ? { u: q.unused.slice(0, 5).map(safeText) } : {}),
  } as Encoded;
  return JSON.stringify(value);
}

/** Null when the value is not one this app produced for the current catalog. */
export function decodeQuestion(value: string | undefined, catalog: MetricCatalog): MetricQuestion | null {
  if (!value || value.length > 2000) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return null;
  const v = parsed.data;
  const metric = catalog.metric(v.m);
  if (!metric) return null;
  const span = (s: string, e: string) => {
    const start = DateTime.fromISO(s, { zone: v.z });
    const end = DateTime.fromISO(e, { zone: v.z });
    // A forged value must not buy a bigger scan than a typed question could.
    if (!start.isValid || !end.isValid || end <= start || end.diff(start, 'days').days > MAX_RANGE_DAYS) return null;
    return { start, end };
  };
  const range = span(v.s, v.e);
  if (!range) return null;
  const dimension = (name: string) => (metric.dimensions.includes(name) ? catalog.dimension(name) : undefined);
  const breakdowns = (v.b ?? []).map(dimension);
  if (breakdowns.some((d) => !d)) return null;
  const filters: QueryFilter[] = [];
  for (const [name, op, values] of v.f ?? []) {
    const d = dimension(name);
    if (!d) return null;
    filters.push({ dimension: d, op, values });
  }
  let comparison: MetricQuestion['comparison'];
  if (v.c) {
    const c = span(v.c.s, v.c.e);
    if (!c) return null;
    const last = c.end.minus({ days: 1 });
    const label = last.equals(c.start) ? c.start.toISODate()! : `${c.start.toISODate()} to ${last.toISODate()}`;
    comparison = { range: { ...c, label }, kind: v.c.k, likeForLike: v.c.lf };
  }
  return {
    metric,
    range: { ...range, label: v.l },
    defaultRange: v.d ?? false,
    grain: v.g,
    rollup: v.r ?? metric.rollup,
    breakdowns: breakdowns as NonNullable<(typeof breakdowns)[number]>[],
    filters,
    ...(comparison ? { comparison } : {}),
    ...(v.o ? { order: { direction: v.o[0], limit: v.o[1] } } : {}),
    unused: v.u ?? [],
  };
}
