/** Number, byte, date and sparkline formatting for answers. Pure. */
import type { Grain, Metric } from '../queries/catalog.js';

const formatters = new Map<string, Intl.NumberFormat>();

/** Intl.NumberFormat is slow to construct; one per distinct option set is enough. */
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', options);
    formatters.set(key, f);
  }
  return f;
}

export function formatValue(value: number | null, format: Metric['format']): string {
  if (value === null || !Number.isFinite(value)) return '–';
  switch (format.style) {
    case 'percent':
      return numberFormat({
        style: 'percent',
        minimumFractionDigits: format.decimals,
        maximumFractionDigits: format.decimals,
      }).format(value);
    case 'currency':
      return numberFormat({
        style: 'currency',
        currency: format.currency,
        maximumFractionDigits: format.decimals,
        minimumFractionDigits: format.decimals,
      }).format(value);
    default: {
      // Averages of counts (weekly actives) get one decimal only when it matters.
      const decimals = format.decimals || (Math.abs(value) < 100 && !Number.isInteger(value) ? 1 : 0);
      return numberFormat({ maximumFractionDigits: decimals }).format(value);
    }
  }
}

export function formatWithUnit(value: number | null, format: Metric['format']): string {
  const v = formatValue(value, format);
  return format.style === 'number' && format.unit && value !== null ? `${v} ${format.unit}` : v;
}

/** "daily", "weekly", …: how a series of this grain is described. */
export function grainAdverb(grain: Grain): string {
  return grain === 'day' ? 'daily' : `${grain}ly`;
}

export function formatChange(change: number | null): string {
  if (change === null || !Number.isFinite(change)) return 'no comparison';
  const pct = numberFormat({ style: 'percent', maximumFractionDigits: 1 }).format(Math.abs(change));
  if (Math.abs(change) < 0.0005) return '→ no change';
  return change > 0 ? `▲ ${pct}` : `▼ ${pct}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline: one bar per point, scaled between the series' min and max. Gaps show as spaces. */
export function sparkline(values: Array<number | null>): string {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (nums.length === 0) return '';
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (max === min) return BARS[3];
      return BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))];
    })
    .join('');
}
