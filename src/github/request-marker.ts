/**
 * How a filed data request is recognised on the tracker: its label, and the hidden marker in the issue body that
 * carries its idempotency key (so a retry finds the issue an earlier attempt created). Pure.
 */

/** Every data request asks for this label (GitHub drops it silently for tokens without triage access). */
export const DATA_REQUEST_LABEL = 'data-request';

const MARKER_OPEN = '<!-- analytics-bot:request';
const MARKER_PREFIX = `${MARKER_OPEN} `;
const MARKER_CLOSE = ' -->';

export interface RequestMarker {
  v: 1;
  key: string;
  requester: string;
  team?: string;
  channel?: string;
  thread?: string;
}

/** The marker as an HTML comment: invisible in the rendered issue. */
export function writeMarker(marker: RequestMarker): string {
  return `${MARKER_PREFIX}${JSON.stringify(marker)}${MARKER_CLOSE}`;
}

/** True when `body` carries the marker for `key`, inside the HTML comment (quoted user text cannot fake it). */
export function hasMarker(body: string | null | undefined, key: string): boolean {
  if (!body) return false;
  const needle = `"key":${JSON.stringify(key)}`;
  let from = 0;
  for (;;) {
    const start = body.indexOf(MARKER_OPEN, from);
    if (start < 0) return false;
    const end = body.indexOf('-->', start + MARKER_OPEN.length);
    const comment = body.slice(start, end < 0 ? undefined : end);
    if (comment.includes(needle)) return true;
    if (end < 0) return false;
    from = end;
  }
}

/** Reads the marker back out of an issue body; null for issues the bot did not file (or a tampered marker). */
export function readMarker(body: string | null | undefined): RequestMarker | null {
  if (!body) return null;
  const start = body.lastIndexOf(MARKER_PREFIX);
  if (start < 0) return null;
  const end = body.indexOf(MARKER_CLOSE, start);
  if (end < 0) return null;
  try {
    const parsed = JSON.parse(body.slice(start + MARKER_PREFIX.length, end)) as Partial<RequestMarker>;
    if (parsed.v !== 1 || typeof parsed.key !== 'string' || typeof parsed.requester !== 'string') return null;
    if (!/^U[A-Z0-9]+$|^W[A-Z0-9]+$/.test(parsed.requester)) return null;
    return parsed as RequestMarker;
  } catch {
    return null;
  }
}
