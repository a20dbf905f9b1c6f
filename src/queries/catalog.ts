/**
 * The governed metric catalog (METRICS_FILE): a small semantic layer in the spirit of LookML / dbt metrics.
 * It is untrusted input like any other: every identifier is checked here, so compiled SQL only ever contains
 * identifiers that passed this schema, and every value travels as a bound parameter.
 */
import { z } from 'zod';
import { type FileProblem, type PathProblem, parseYamlWith, readYamlFile, YamlFileError } from '../lib/yaml-file.js';
import type { Dialect } from './warehouse.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** project.dataset.table (BigQuery allows dashes in project ids) or a plain table name. */
const TABLE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,2}$/;
const NAME = /^[a-z][a-z0-9_]*$/;

const ident = z.string().regex(IDENT, 'expected a column name (letters, digits, underscore)');
const tableName = z.string().regex(TABLE, 'expected a table name like dataset.table or project.dataset.table');
const scalar = z.union([z.string().max(200), z.number().finite(), z.boolean()]);

export const GRAINS = ['day', 'week', 'month', 'quarter'] as const;
export type Grain = (typeof GRAINS)[number];
export const WINDOW_UNITS = ['day', 'week', 'month', 'quarter', 'year'] as const;

const filterSchema = z.discriminatedUnion('op', [
  z.object({ column: ident, op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']), value: scalar }).strict(),
  z.object({ column: ident, op: z.enum(['in', 'not_in']), values: z.array(scalar).min(1).max(100) }).strict(),
  z.object({ column: ident, op: z.enum(['is_null', 'not_null']) }).strict(),
]);
export type Filter = z.infer<typeof filterSchema>;

const measureSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('count'), filters: z.array(filterSchema).default([]) }).strict(),
  z
    .object({
      type: z.enum(['count_distinct', 'sum', 'average']),
      column: ident,
      filters: z.array(filterSchema).default([]),
    })
    .strict(),
]);
export type Measure = z.infer<typeof measureSchema>;

const aggregationSchema = z.discriminatedUnion('type', [
  measureSchema,
  z.object({ type: z.literal('ratio'), numerator: measureSchema, denominator: measureSchema }).strict(),
]);
export type Aggregation = z.infer<typeof aggregationSchema>;

const accessSchema = z
  .object({
    channels: z.array(z.string().regex(/^[CGD][A-Z0-9]+$/, 'expected channel IDs like C0123ABCD')).default([]),
    usergroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'expected user group IDs like S0123ABCD')).default([]),
    reason: z.string().min(1).max(300),
  })
  .strict()
  .refine((a) => a.channels.length + a.usergroups.length > 0, 'name at least one channel or user group');

const metricSchema = z
  .object({
    name: z.string().regex(NAME, 'expected snake_case, starting with a letter'),
    label: z.string().min(1).max(75),
    description: z.string().min(1).max(600),
    synonyms: z.array(z.string().min(1).max(75)).default([]),
    source: z.string().regex(NAME, 'expected a source key'),
    table: z.union([tableName, z.object({ bigquery: tableName, duckdb: tableName }).strict()]),
    time_column: ident,
    time_type: z.enum(['timestamp', 'date']).default('timestamp'),
    aggregation: aggregationSchema,
    filters: z.array(filterSchema).default([]),
    dimensions: z.array(z.string().regex(NAME)).default([]),
    default_window: z
      .object({ last: z.number().int().min(1).max(1000), unit: z.enum(WINDOW_UNITS) })
      .strict()
      .default({ last: 4, unit: 'week' }),
    default_grain: z.enum(GRAINS).default('week'),
    /** How the headline number summarises the range: the aggregate over it, or the average of its periods. */
    rollup: z.enum(['total', 'average']).default('total'),
    format: z
      .object({
        style: z.enum(['number', 'percent', 'currency']).default('number'),
        unit: z.string().max(30).optional(),
        decimals: z.number().int().min(0).max(4).default(0),
        currency: z.string().length(3).default('USD'),
      })
      .strict()
      .default({ style: 'number', decimals: 0, currency: 'USD' }),
    looker_url: z.string().url().startsWith('https://').max(3000).optional(),
    access: accessSchema.optional(),
  })
  .strict();
export type Metric = z.infer<typeof metricSchema>;

const dimensionSchema = z
  .object({
    label: z.string().min(1).max(75),
    column: ident.optional(),
    synonyms: z.array(z.string().min(1).max(75)).default([]),
    /**
     * Known values and the words people use for them (`US: [united states, usa]`). The warehouse's own distinct
     * values are added at run time by the value index; these add aliases, and values the index has not seen yet.
     */
    values: z
      .record(z.string().min(1).max(100), z.array(z.string().min(1).max(75)).max(30).nullable().default([]))
      .default({}),
  })
  .strict();
export type Dimension = Omit<z.infer<typeof dimensionSchema>, 'values'> & {
  name: string;
  column: string;
  values: Record<string, string[]>;
};

const sourceSchema = z
  .object({ label: z.string().min(1).max(75), description: z.string().max(600).default('') })
  .strict();

const catalogSchema = z
  .object({
    version: z.literal(1),
    sources: z.record(z.string().regex(NAME), sourceSchema),
    dimensions: z.record(z.string().regex(NAME), dimensionSchema).default({}),
    metrics: z.array(metricSchema).min(1).max(500),
  })
  .strict();

export interface MetricCatalog {
  readonly metrics: readonly Metric[];
  readonly sources: Readonly<Record<string, { label: string; description: string }>>;
  metric(name: string): Metric | undefined;
  dimension(name: string): Dimension | undefined;
  readonly dimensions: readonly Dimension[];
  tableFor(metric: Metric, dialect: Dialect): string;
}

/** Every problem, each naming the metric and the field. */
export class CatalogError extends YamlFileError {
  override readonly name = 'CatalogError';
  constructor(file: string, problems: FileProblem[]) {
    super('Metric catalog', file, problems);
  }
}

const fail = (file: string, problems: FileProblem[]) => new CatalogError(file, problems);

export function loadCatalogFile(file: string): MetricCatalog {
  return parseCatalog(readYamlFile(file, fail), file);
}

export function parseCatalog(text: string, file = 'catalog'): MetricCatalog {
  // Cross-reference problems are reported alongside shape problems, so one fix-up pass sees them all.
  const data = parseYamlWith(text, file, {
    schema: catalogSchema,
    describe: describePath,
    more: (raw) => crossReferenceProblems(raw as RawCatalog),
    fail,
  });

  const byName = new Map(data.metrics.map((m) => [m.name, m]));
  const dimensions = new Map(
    Object.entries(data.dimensions).map(([name, d]) => [
      name,
      {
        ...d,
        name,
        column: d.column ?? name,
        values: Object.fromEntries(Object.entries(d.values).map(([v, aliases]) => [v, aliases ?? []])),
      },
    ]),
  );
  return {
    metrics: data.metrics,
    sources: data.sources,
    dimensions: [...dimensions.values()],
    metric: (name) => byName.get(name),
    dimension: (name) => dimensions.get(name),
    tableFor: (metric, dialect) => (typeof metric.table === 'string' ? metric.table : metric.table[dialect]),
  };
}

interface RawCatalog {
  sources?: unknown;
  dimensions?: unknown;
  metrics?: unknown;
}

/** Names that must refer to something defined elsewhere in the file. Tolerates a malformed file. */
function crossReferenceProblems(raw: RawCatalog | null | undefined): PathProblem[] {
  const problems: PathProblem[] = [];
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.metrics)) return problems;
  const sources = raw.sources && typeof raw.sources === 'object' ? Object.keys(raw.sources) : [];
  const dimensions = raw.dimensions && typeof raw.dimensions === 'object' ? Object.keys(raw.dimensions) : [];
  const seen = new Set<string>();
  (raw.metrics as Array<Record<string, unknown>>).forEach((m, i) => {
    if (!m || typeof m !== 'object' || typeof m.name !== 'string') return;
    const at = (...path: PropertyKey[]) => ['metrics', i, ...path];
    if (seen.has(m.name)) problems.push({ path: at('name'), message: 'duplicate metric name' });
    seen.add(m.name);
    if (typeof m.source === 'string' && !sources.includes(m.source)) {
      problems.push({ path: at('source'), message: `unknown source "${m.source}" (known: ${sources.join(', ')})` });
    }
    for (const d of Array.isArray(m.dimensions) ? m.dimensions : []) {
      if (typeof d === 'string' && !dimensions.includes(d))
        problems.push({ path: at('dimensions'), message: `unknown dimension "${d}"` });
    }
  });
  return problems;
}

/** `metric "signups".aggregation.column` rather than `metrics.3.aggregation.column`. */
function describePath(raw: unknown, path: PropertyKey[]): string {
  if (path[0] === 'metrics' && typeof path[1] === 'number') {
    const entry = (raw as { metrics?: Array<{ name?: unknown }> }).metrics?.[path[1]];
    const name = typeof entry?.name === 'string' ? `"${entry.name}"` : `#${path[1] + 1}`;
    const rest = path.slice(2).map(String);
    return [`metric ${name}`, ...rest].join('.');
  }
  return path.length > 0 ? path.map(String).join('.') : 'catalog';
}
