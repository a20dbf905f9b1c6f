/** Warehouse bytes billed per person and UTC day, in DATA_DIR's SQLite: the bytes budgets survive restarts. */
import type { Db } from './database.js';

export class BytesLedger {
  constructor(private readonly db: Db) {}

  add(day: string, user: string, bytes: number): void {
    if (bytes <= 0) return;
    this.db
      .prepare(
        `INSERT INTO bytes_spent (day, user, bytes) VALUES (?, ?, ?)
         ON CONFLICT (day, user) DO UPDATE SET bytes = bytes + excluded.bytes`,
      )
      .run(day, user, Math.round(bytes));
    // Only today's rows matter; older days go once a new day has started.
    this.db.prepare('DELETE FROM bytes_spent WHERE day < ?').run(day);
  }

  /** Bytes one person spent on `day`. */
  spent(day: string, user: string): number {
    const row = this.db.prepare('SELECT bytes FROM bytes_spent WHERE day = ? AND user = ?').get(day, user) as
      | { bytes: number }
      | undefined;
    return row?.bytes ?? 0;
  }

  /** Bytes the whole bot spent on `day`. */
  total(day: string): number {
    const row = this.db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM bytes_spent WHERE day = ?').get(day) as {
      n: number;
    };
    return row.n;
  }
}
