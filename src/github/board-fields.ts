/**
 * The board field and option names the bot looks for, resolved once from configuration (GITHUB_*_FIELD) for the
 * tracker and the board reader alike: the configured name first, then common alternatives, so a board that calls
 * its date field 'Due' still works with the defaults. Matched case-insensitively.
 */
import type { Config } from '../config.js';

export interface BoardFieldNames {
  status: string;
  /** The status option a new request gets. */
  triageStatus: string;
  /** Tried in order; the first DATE field on the board wins. */
  neededBy: string[];
  /** Tried in order; the first single-select field on the board wins. */
  necessity: string[];
}

const ALTERNATIVES = {
  neededBy: ['Needed by', 'Due date', 'Due', 'Deadline'],
  necessity: ['Necessity', 'Priority'],
};

export function boardFieldNames(fields: Config['github']['fields']): BoardFieldNames {
  const candidates = (first: string, rest: string[]) => [...new Set([first, ...rest].filter((n) => n.length > 0))];
  return {
    status: fields.status,
    triageStatus: fields.triageStatus,
    neededBy: candidates(fields.neededBy, ALTERNATIVES.neededBy),
    necessity: candidates(fields.necessity, ALTERNATIVES.necessity),
  };
}
