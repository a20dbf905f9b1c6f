/**
 * Compiles a metric question to SQL for one dialect. Identifiers come only from the validated catalog; every value
 * (range bounds, time zone, filter values, catalog constants) is a bound parameter. The time column is always
 * bounded on both sides, which is what lets BigQuery prune partitions.
 *
 * One statement answers everything the view needs, as rows tagged by `part`:
 *   series    — value per (period, bucket), for the current and the previous period
 *   total     — value per period over its whole range, plus the latest timestamp seen (data freshness)
 *   breakdown — value per dimension value, current period only (when asked)
 */
import type { DateTime } from 'luxon';
import type { Filter, Grain, Measure, Metric, MetricCatalog } from './catalog.js';
import type { MetricQuestion, QueryFilter } from './question.js';
import { previousRange, type TimeRange } from './time-range.js';
import type { CompiledQuery, Dialect, QueryParam } from './warehouse.js';

interface Builder {
  dialect: Dialect;
  params: Record<string, QueryParam>;
  n: number;
}

function bind(b: Builder, prefix: string, param: QueryParam): string {
  const name = `${prefix}${b.n++}`;
  b.params[name] = param;
  return b.dialect === 'bigquery' ? `@${name}` : `$${name}`;
}

function scalarParam(value: string | number | boolean): QueryParam {
  if (typeof value === 'boolean') return { type: 'BOOL', value };
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'INT64', value } : { type: 'FLOAT64', value };
  return { type: 'STRING', value };
}

/** Identifiers were validated by the catalog schema; quoting still guards reserved words. */
function quoteIdent(dialect: Dialect, ident: string): string {
  return dialect === 'bigquery' ? `\`${ident}\`` : `"${ident}"`;
}

function quoteTable(dialect: Dialect, table: string): string {
  return dialect === 'bigquery'
    ? `\`${table}\``
    : table
        .split('.')
        .map((p) => `"${p}"`)
        .join('.');
}

function filterSql(b: Builder, f: Filter): string {
  const col = quoteIdent(b.dialect, f.column);
  switch (f.op) {
    case 'is_null':
      return `${col} IS NULL`;
    case 'not_null':
      return `${col} IS NOT NULL`;
    case 'in':
    case 'not_in': {
      const list = f.values.map((v) => bind(b, 'f', scalarParam(v))).join(', ');
      return `${col} ${f.op === 'in' ? 'IN' : 'NOT IN'} (${list})`;
    }
    default: {
      const ops = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
      return `${col} ${ops[f.op]} ${bind(b, 'f', scalarParam(f.value))}`;
    }
  }
}

function measureSql(b: Builder, m: Measure): string {
  const cond = m.filters.length > 0 ? m.filters.map((f) => filterSql(b, f)).join(' AND ') : null;
  const col = m.type === 'count' ? null : quoteIdent(b.dialect, m.column);
  switch (m.type) {
    case 'count':
      return cond ? `COUNT(CASE WHEN ${cond} THEN 1 END)` : 'COUNT(*)';
    case 'count_distinct':
      return cond ? `COUNT(DISTINCT CASE WHEN ${cond} THEN ${col} END)` : `COUNT(DISTINCT ${col})`;
    case 'sum':
      return cond ? `SUM(CASE WHEN ${cond} THEN ${col} END)` : `SUM(${col})`;
    case 'average':
      return cond ? `AVG(CASE WHEN ${cond} THEN ${col} END)` : `AVG(${col})`;
  }
}

function valueSql(b: Builder, metric: Metric): string {
  const float = b.dialect === 'bigquery' ? 'FLOAT64' : 'DOUBLE';
  const a = metric.aggregation;
  if (a.type === 'ratio') {
    const num = measureSql(b, a.numerator);
    const den = measureSql(b, a.denominator);
    return b.dialect === 'bigquery'
      ? `SAFE_DIVIDE(CAST(${num} AS FLOAT64), ${den})`
      : `CAST(${num} AS DOUBLE) / NULLIF(${den}, 0)`;
  }
  return `CAST(${measureSql(b, a)} AS ${float})`;
}

function bucketSql(dialect: Dialect, metric: Metric, t: string, tz: string, grain: Grain): string {
  if (dialect === 'bigquery') {
    const day = metric.time_type === 'date' ? t : `DATE(${t}, ${tz})`;
    const part = { day: null, week: 'WEEK(MONDAY)', month: 'MONTH', quarter: 'QUARTER' }[grain];
    return part ? `DATE_TRUNC(${day}, ${part})` : day;
  }
  const local = metric.time_type === 'date' ? t : `timezone(${tz}, ${t})`;
  return grain === 'day' ? `CAST(${local} AS DATE)` : `CAST(date_trunc('${grain}', ${local}) AS DATE)`;
}

function boundParam(metric: Metric, at: DateTime): QueryParam {
  return metric.time_type === 'date'
    ? { type: 'DATE', value: at.toISODate()! }
    : { type: 'TIMESTAMP', value: at.toUTC().toISO()! };
}

/** The period the answer compares with: the one asked for, else the same length just before (for context). */
export function comparisonRange(question: MetricQuestion): TimeRange {
  return question.comparison?.range ?? previousRange(question.range);
}

function questionFilterSql(b: Builder, f: QueryFilter): string {
  const str = b.dialect === 'bigquery' ? 'STRING' : 'VARCHAR';
  const col = `CAST(${quoteIdent(b.dialect, f.dimension.column)} AS ${str})`;
  const v = (value: string) => bind(b, 'v', { type: 'STRING', value });
  switch (f.op) {
    case 'eq':
      return `${col} = ${v(f.values[0]!)}`;
    case 'neq':
      // "not free" keeps rows with no plan recorded.
      return `${col} IS DISTINCT FROM ${v(f.values[0]!)}`;
    case 'in':
      return `${col} IN (${f.values.map(v).join(', ')})`;
    case 'not_in':
      return `(${col} IS NULL OR ${col} NOT IN (${f.values.map(v).join(', ')}))`;
    case 'prefix': {
      // "5.1" means 5.1 itself and every 5.1.x, not 5.10.
      const starts = b.dialect === 'bigquery' ? 'STARTS_WITH' : 'starts_with';
      return `(${col} = ${v(f.values[0]!)} OR ${starts}(${col}, ${v(`${f.values[0]!}.`)}))`;
    }
  }
}

/**
 * What every statement over both periods shares: the bound period edges (the asked range and the period it is
 * compared with, which need not be adjacent), the table, and the metric's and question's filters (values bound).
 * `tz` is bound only when the caller buckets by local day.
 */
function periodScan(catalog: MetricCatalog, question: MetricQuestion, dialect: Dialect, bindTz: boolean) {
  const { metric, range } = question;
  const b: Builder = { dialect, params: {}, n: 0 };
  const t = quoteIdent(dialect, metric.time_column);
  const table = quoteTable(dialect, catalog.tableFor(metric, dialect));
  const str = dialect === 'bigquery' ? 'STRING' : 'VARCHAR';
  const prev = comparisonRange(question);
  b.params.range_start = boundParam(metric, range.start);
  b.params.range_end = boundParam(metric, range.end);
  b.params.prev_start = boundParam(metric, prev.start);
  b.params.prev_end = boundParam(metric, prev.end);
  // Only bound where used: BigQuery rejects parameters the statement does not reference.
  if (bindTz && metric.time_type === 'timestamp')
    b.params.tz = { type: 'STRING', value: range.start.zoneName ?? 'UTC' };
  const p = (name: string) => (dialect === 'bigquery' ? `@${name}` : `$${name}`);
  const fixed = metric.filters.map((f) => filterSql(b, f));
  for (const f of question.filters) fixed.push(questionFilterSql(b, f));
  const inCurrent = `${t} >= ${p('range_start')} AND ${t} < ${p('range_end')}`;
  const inPrevious = `${t} >= ${p('prev_start')} AND ${t} < ${p('prev_end')}`;
  /** Rows of both periods (or the current one only), each bounded on both sides for partition pruning. */
  const where = (both: boolean) =>
    [both ? `((${inCurrent}) OR (${inPrevious}))` : inCurrent, ...fixed].join('\n    AND ');
  const period = `CASE WHEN ${inCurrent} THEN 'current' ELSE 'previous' END`;
  return { b, t, table, str, p, where, period };
}

export function compileMetricQuery(catalog: MetricCatalog, question: MetricQuestion, dialect: Dialect): CompiledQuery {
  const { metric, grain } = question;
  const { b, t, table, str, p, where, period } = periodScan(catalog, question, dialect, true);
  const bucket = bucketSql(dialect, metric, t, p('tz'), grain);
  const latest = `CAST(MAX(${t}) AS ${str})`;
  const value = () => valueSql(b, metric);
  const none = `CAST(NULL AS ${str})`;

  const parts = [
    `SELECT 'series' AS part, ${period} AS period, ${bucket} AS bucket, ${none} AS dim, ${none} AS dim2,\n` +
      `  ${value()} AS value, ${latest} AS latest\n  FROM ${table}\n  WHERE ${where(true)}\n  GROUP BY period, bucket`,
    `SELECT 'total' AS part, ${period} AS period, CAST(NULL AS DATE) AS bucket, ${none} AS dim, ${none} AS dim2,\n` +
      `  ${value()} AS value, ${latest} AS latest\n  FROM ${table}\n  WHERE ${where(true)}\n  GROUP BY period`,
  ];
  const [first, second] = question.breakdowns;
  if (first) {
    const dim = `CAST(${quoteIdent(dialect, first.column)} AS ${str})`;
    const dim2 = second ? `CAST(${quoteIdent(dialect, second.column)} AS ${str})` : none;
    // Averages per period break down per period too (the view averages them like the headline); counts and sums do
    // as well, since their per-period parts add up to the total and draw the breakdown over time for free.
    const additive = metric.aggregation.type === 'count' || metric.aggregation.type === 'sum';
    const perPeriod = question.rollup === 'average' || additive;
    const groups = [perPeriod ? 'bucket' : null, 'dim', second ? 'dim2' : null].filter(Boolean).join(', ');
    parts.push(
      `SELECT 'breakdown' AS part, 'current' AS period, ${perPeriod ? bucket : 'CAST(NULL AS DATE)'} AS bucket, ${dim} AS dim, ${dim2} AS dim2,\n` +
        `  ${value()} AS value, ${latest} AS latest\n  FROM ${table}\n  WHERE ${where(false)}\n` +
        `  GROUP BY ${groups}`,
    );
  }
  return { sql: `${parts.join('\nUNION ALL\n')}\nORDER BY part, period, bucket, dim, dim2`, params: b.params };
}

/**
 * One query per dimension for "what changed?": the metric's parts per (period, dimension value), both periods in one
 * scan, with the same bounds and filters as the answer. Counts and sums return their value; ratios and averages their
 * numerator and denominator (so mix and rate can be told apart); distinct counts their value, per bucket when the
 * metric is an average of periods.
 */
export function compileChangeQuery(
  catalog: MetricCatalog,
  question: MetricQuestion,
  dimension: { column: string },
  dialect: Dialect,
): CompiledQuery {
  const { metric, grain } = question;
  const a = metric.aggregation;
  const perBucket = metric.rollup === 'average' && a.type === 'count_distinct';
  const { b, t, table, str, p, where, period } = periodScan(catalog, question, dialect, perBucket);
  const float = dialect === 'bigquery' ? 'FLOAT64' : 'DOUBLE';
  let num: string;
  let den = `CAST(NULL AS ${float})`;
  if (a.type === 'ratio') {
    num = `CAST(${measureSql(b, a.numerator)} AS ${float})`;
    den = `CAST(${measureSql(b, a.denominator)} AS ${float})`;
  } else if (a.type === 'average') {
    const notNull: Filter = { column: a.column, op: 'not_null' };
    num = `CAST(${measureSql(b, { type: 'sum', column: a.column, filters: a.filters })} AS ${float})`;
    den = `CAST(${measureSql(b, { type: 'count', filters: [...a.filters, notNull] })} AS ${float})`;
  } else {
    num = `CAST(${measureSql(b, a)} AS ${float})`;
  }
  const bucket = perBucket ? bucketSql(dialect, metric, t, p('tz'), grain) : 'CAST(NULL AS DATE)';
  const sql =
    `SELECT ${period} AS period,\n` +
    `  CAST(${quoteIdent(dialect, dimension.column)} AS ${str}) AS dim, ${bucket} AS bucket,\n` +
    `  ${num} AS num, ${den} AS den\n  FROM ${table}\n  WHERE ${where(true)}\n` +
    `  GROUP BY period, dim${perBucket ? ', bucket' : ''}\n  ORDER BY period, dim${perBucket ? ', bucket' : ''}`;
  return { sql, params: b.params };
}
