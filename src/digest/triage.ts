/**
 * What the daily triage needs to see, computed from a board snapshot. Pure: `now` and the time of the last
 * digest come in as arguments.
 */
import { DateTime } from 'luxon';
import type { BoardItem, BoardSnapshot } from '../github/board.js';

export interface TriageOptions {
  now: Date;
  timezone: string;
  /** When the previous digest was posted; "new" and "closed" are measured from here (default: 24 h ago). */
  since?: Date;
  triageStatus: string;
  /** Status names that count as finished. */
  doneStatuses?: string[];
  staleDays?: number;
  dueSoonDays?: number;
}

export interface AgedItem {
  item: BoardItem;
  /** Whole days: age since creation (triage), days overdue, days until due, or days since update (stale). */
  days: number;
}

export interface TriageDigest {
  total: number;
  open: number;
  byStatus: Array<{ status: string; count: number }>;
  needsTriage: AgedItem[];
  overdue: AgedItem[];
  dueSoon: AgedItem[];
  newSince: BoardItem[];
  stale: AgedItem[];
  closedSince: BoardItem[];
  unassignedNecessities: BoardItem[];
  since: Date;
  /** Requests opened and closed per week (Monday start, in the digest's time zone), oldest first, this week last. */
  weekly: Array<{ week: string; opened: number; closed: number }>;
  /** Nothing needs attention today. */
  allClear: boolean;
}

const DONE_DEFAULT = ['done', 'closed', 'shipped', 'delivered', "won't do", 'wont do'];
const isNecessity = (v: string | null) => v !== null && /necess|must|high|urgent|p0|p1/i.test(v);
const isInProgress = (v: string | null) => v !== null && /progress|doing|active|working/i.test(v);

const DAY_MS = 86_400_000;

export function buildTriage(board: BoardSnapshot, opts: TriageOptions): TriageDigest {
  // Plain millisecond and calendar-string arithmetic: a 2,000-item board must not build 10,000 luxon objects.
  const nowMs = opts.now.getTime();
  const today = DateTime.fromJSDate(opts.now, { zone: opts.timezone }).toISODate()!;
  const todayUtc = Date.parse(`${today}T00:00:00Z`);
  const since = opts.since ?? new Date(nowMs - DAY_MS);
  const sinceMs = since.getTime();
  const done = new Set((opts.doneStatuses ?? DONE_DEFAULT).map((s) => s.toLowerCase()));
  const staleDays = opts.staleDays ?? 14;
  const dueSoonDays = opts.dueSoonDays ?? 7;
  const triage = opts.triageStatus.toLowerCase();

  const isOpen = (i: BoardItem) => i.issue.state === 'OPEN' && !done.has((i.status ?? '').toLowerCase());
  const ageDays = (iso: string) => Math.floor((nowMs - Date.parse(iso)) / DAY_MS);
  /** Calendar days from today to a YYYY-MM-DD date (negative when past). */
  const daysUntil = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - todayUtc) / DAY_MS);

  const counts = new Map<string, number>();
  for (const i of board.items) {
    const key = i.status ?? 'No status';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const open = board.items.filter(isOpen);

  const needsTriage = open
    .filter((i) => i.status === null || i.status.toLowerCase() === triage)
    .map((item) => ({ item, days: ageDays(item.issue.createdAt) }))
    .sort((a, b) => a.item.issue.createdAt.localeCompare(b.item.issue.createdAt));
  const overdue = open
    .filter((i) => i.neededBy !== null && i.neededBy < today)
    .map((item) => ({ item, days: -daysUntil(item.neededBy!) }))
    .sort((a, b) => b.days - a.days);
  const dueSoon = open
    .filter((i) => i.neededBy !== null && i.neededBy >= today && daysUntil(i.neededBy) <= dueSoonDays)
    .map((item) => ({ item, days: daysUntil(item.neededBy!) }))
    .sort((a, b) => a.days - b.days);
  const newSince = board.items
    .filter((i) => Date.parse(i.issue.createdAt) > sinceMs)
    .sort((a, b) => a.issue.createdAt.localeCompare(b.issue.createdAt));
  const stale = open
    .filter((i) => isInProgress(i.status) && ageDays(i.issue.updatedAt) >= staleDays)
    .map((item) => ({ item, days: ageDays(item.issue.updatedAt) }))
    .sort((a, b) => b.days - a.days);
  const closedSince = board.items
    .filter((i) => i.issue.closedAt !== null && Date.parse(i.issue.closedAt) > sinceMs)
    .sort((a, b) => (a.issue.closedAt ?? '').localeCompare(b.issue.closedAt ?? ''));
  const unassignedNecessities = open.filter((i) => isNecessity(i.necessity) && i.issue.assignees.length === 0);
  const weekly = weeklyFlow(board.items, opts.now, opts.timezone, WEEKS);

  return {
    total: board.items.length,
    open: open.length,
    byStatus: [...counts]
      .map(([status, count]) => ({ status, count }))
      .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status)),
    needsTriage,
    overdue,
    dueSoon,
    newSince,
    stale,
    closedSince,
    unassignedNecessities,
    since,
    weekly,
    allClear: needsTriage.length + overdue.length + dueSoon.length + stale.length + unassignedNecessities.length === 0,
  };
}

const WEEKS = 8;

/** Opened and closed counts per week over the last `weeks` weeks; eight week boundaries, not a date per item. */
export function weeklyFlow(items: BoardItem[], now: Date, timezone: string, weeks: number) {
  const thisWeek = DateTime.fromJSDate(now, { zone: timezone }).startOf('week');
  const starts = Array.from({ length: weeks }, (_, i) => thisWeek.minus({ weeks: weeks - 1 - i }));
  const edges = [...starts.map((d) => d.toMillis()), thisWeek.plus({ weeks: 1 }).toMillis()];
  const rows = starts.map((d) => ({ week: d.toISODate()!, opened: 0, closed: 0 }));
  const bucket = (iso: string | null) => {
    if (!iso) return -1;
    const ms = Date.parse(iso);
    if (ms < edges[0]! || ms >= edges[weeks]!) return -1;
    let i = 0;
    while (ms >= edges[i + 1]!) i++;
    return i;
  };
  for (const item of items) {
    const opened = bucket(item.issue.createdAt);
    if (opened >= 0) rows[opened]!.opened++;
    const closed = bucket(item.issue.closedAt);
    if (closed >= 0) rows[closed]!.closed++;
  }
  return rows;
}
