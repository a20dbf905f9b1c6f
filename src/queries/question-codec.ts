/**
 * Button values carry a question so "Share in channel" and "Show SQL" can re-answer it (from the cache).
 * Values come back from Slack as untrusted input: they are validated against the schema and the catalog.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { GRAINS, type MetricCatalog } from './catalog.js';
import type { MetricQuestion } from './question.js';
import { MAX_RANGE_DAYS } from './time-range.js';

const schema = z
  .object({
    m: z.string().max(100),
    s: z.string().max(40),
    e: z.string().max(40),
    // Shown in messages (also shared to channels): plain words only, so a forged value cannot ping anyone.
    l: z
      .string()
      .max(100)
      .regex(/^[\w ,.:-]+$/),
    g: z.enum(GRAINS),
    z: z.string().max(64),
    b: z.string().max(100).optional(),
    f: z.tuple([z.string().max(100), z.string().max(100)]).optional(),
    c: z.boolean().optional(),
    d: z.boolean().optional(),
  })
  .strict();

export function encodeQuestion(q: MetricQuestion): string {
  return JSON.stringify({
    m: q.metric.name,
    s: q.range.start.toISO()!,
    e: q.range.end.toISO()!,
    l: q.range.label,
    g: q.grain,
    z: q.range.start.zoneName ?? 'UTC',
    ...(q.breakdown ? { b: q.breakdown.name } : {}),
    ...(q.filter ? { f: [q.filter.dimension.name, q.filter.value] } : {}),
    ...(q.compare ? { c: true } : {}),
    ...(q.defaultRange ? { d: true } : {}),
  } satisfies z.infer<typeof schema>);
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
  const start = DateTime.fromISO(v.s, { zone: v.z });
  const end = DateTime.fromISO(v.e, { zone: v.z });
  if (!start.isValid || !end.isValid || end <= start) return null;
  // A forged value must not buy a bigger scan than a typed question could.
  if (end.diff(start, 'days').days > MAX_RANGE_DAYS) return null;
  const dimension = (name?: string) => (name && metric.dimensions.includes(name) ? catalog.dimension(name) : undefined);
  const breakdown = dimension(v.b);
  if (v.b && !breakdown) return null;
  const filterDim = dimension(v.f?.[0]);
  if (v.f && !filterDim) return null;
  return {
    metric,
    range: { start, end, label: v.l },
    defaultRange: v.d ?? false,
    grain: v.g,
    breakdown,
    filter: v.f && filterDim ? { dimension: filterDim, value: v.f[1] } : undefined,
    compare: v.c ?? false,
  };
}
