import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema';
import { prepareSqliteActivePortalCheck } from '../portals/portal.repository';
import { type NewWebhookEvent, prepareSqliteEventInsert } from './webhook-event.repository';

/** One verified batch to store: all of it, or (a portal not installed) none of it. */
export interface InboxWrite {
  readonly portalIds: readonly number[];
  readonly rows: readonly NewWebhookEvent[];
}

export type InboxWriteResult =
  | { readonly ok: true; readonly stored: number }
  | { readonly ok: false; readonly unknownPortalIds: readonly number[] };

interface Waiting {
  readonly write: InboxWrite;
  resolve(result: InboxWriteResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the SQLite inbox. Batches that arrive while the event loop is busy (HubSpot keeps up to 10
 * requests in flight) are written in ONE transaction, and each request is answered only after that transaction
 * committed, so an acknowledged event is as durable as with one transaction per batch. A commit has a fixed cost
 * (the WAL frames of the touched pages, and with `synchronous = FULL` an fsync) that grouping pays once.
 *
 * Each batch keeps its own all-or-nothing rule: its portals are checked inside the same transaction (a batch
 * naming a portal that is not installed stores nothing and does not affect the others), and if the group's
 * transaction fails, every batch is retried in a transaction of its own so one bad batch fails alone.
 */
export class SqliteInboxWriter {
  private waiting: Waiting[] = [];
  private flushScheduled = false;
  private readonly writeGroup: (group: readonly InboxWrite[]) => InboxWriteResult[];

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
  ) {
    const insert = prepareSqliteEventInsert(sqlite);
    const isActive = prepareSqliteActivePortalCheck(sqlite);
    this.writeGroup = sqlite.transaction((group: readonly InboxWrite[]) =>
      group.map((write): InboxWriteResult => {
        const unknownPortalIds = write.portalIds.filter((portalId) => !isActive(portalId));
        if (unknownPortalIds.length > 0) return { ok: false, unknownPortalIds };
        let stored = 0;
        for (const row of write.rows) stored += insert(row);
        return { ok: true, stored };
      }),
    );
  }

  write(write: InboxWrite): Promise<InboxWriteResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      // setImmediate runs after the current poll phase, so every request body that completed in it joins.
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const group = this.waiting;
    this.waiting = [];
    this.flushScheduled = false;
    // Kysely's lock on the one connection: no other statement may land inside this transaction.
    this.db
      .connection()
      .execute(async () => this.commit(group))
      .catch((error: unknown) => {
        for (const waiting of group) waiting.reject(error);
      });
  }

  private commit(group: readonly Waiting[]): void {
    try {
      const results = this.writeGroup(group.map((waiting) => waiting.write));
      group.forEach((waiting, index) => waiting.resolve(results[index]!));
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
    }
    for (const waiting of group) {
      try {
        waiting.resolve(this.writeGroup([waiting.write])[0]!);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}

const writers = new WeakMap<SQLite.Database, SqliteInboxWriter>();

/** The one group-commit writer of a SQLite connection (the route and `truce replay` share it). */
export function sqliteInboxWriter(
  db: Kysely<Database>,
  sqlite: SQLite.Database,
): SqliteInboxWriter {
  let writer = writers.get(sqlite);
  if (!writer) {
    writer = new SqliteInboxWriter(db, sqlite);
    writers.set(sqlite, writer);
  }
  return writer;
}
