import { sleep } from '../clock.ts';
import type { BenchFixtures } from '../fixtures.ts';

export interface StorageCounters {
  xactCommit: number;
  tupInserted: number;
  tupUpdated: number;
  tupDeleted: number;
  relationBytes: number;
  walBytes: number | null;
}

/** Cumulative write counters of the benchmark database (pg_stat_database, pg_stat_user_tables, sizes, WAL). */
export async function readCounters(fixtures: BenchFixtures): Promise<StorageCounters> {
  const [tables] = await fixtures.query<{ ins: string; upd: string; del: string; bytes: string }>(
    `select coalesce(sum(n_tup_ins), 0) as ins, coalesce(sum(n_tup_upd), 0) as upd, coalesce(sum(n_tup_del), 0) as del,
            coalesce(sum(pg_total_relation_size(relid)), 0) as bytes
     from pg_stat_user_tables where schemaname not in ('pg_catalog', 'information_schema')`,
  );
  let walBytes: number | null;
  try {
    const [wal] = await fixtures.query<{ wal_bytes: string }>('select wal_bytes from pg_stat_wal');
    walBytes = wal ? Number(wal.wal_bytes) : null;
  } catch {
    walBytes = null;
  }
  return {
    xactCommit: await fixtures.committedTransactions(),
    tupInserted: Number(tables?.ins ?? 0),
    tupUpdated: Number(tables?.upd ?? 0),
    tupDeleted: Number(tables?.del ?? 0),
    relationBytes: Number(tables?.bytes ?? 0),
    walBytes,
  };
}

/**
 * Waits until the database stops changing: Postgres publishes a backend's statistics up to ~10 s after
 * it goes idle, and servers flush on their own schedules, so counters are read only once they are stable.
 */
export async function waitForQuiet(fixtures: BenchFixtures, options = { minMs: 11_000, stableReads: 3, maxMs: 60_000 }) {
  const started = Date.now();
  let last = '';
  let stable = 0;
  await sleep(options.minMs);
  while (Date.now() - started < options.maxMs) {
    const counters = await readCounters(fixtures);
    const fingerprint = `${counters.tupInserted}/${counters.tupUpdated}/${counters.tupDeleted}/${counters.relationBytes}`;
    stable = fingerprint === last ? stable + 1 : 0;
    last = fingerprint;
    if (stable >= options.stableReads) break;
    await sleep(1000);
  }
}
