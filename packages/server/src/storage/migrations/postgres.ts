/**
 * Versioned PostgreSQL schema. Each step runs once, in order, inside the start-up
 * transaction that holds the migration advisory lock (see `migrate` in ../postgres.ts), and
 * is recorded in `schema_migrations`. Steps are written to be idempotent as well (IF NOT
 * EXISTS), so a half-recorded run can never wedge a later start. Never edit a released step:
 * append a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'update log and snapshots',
    sql: `
      CREATE TABLE IF NOT EXISTS updates (
        seq  bigserial PRIMARY KEY,
        pad  text  NOT NULL,
        data bytea NOT NULL
      );
      CREATE INDEX IF NOT EXISTS updates_pad_seq ON updates (pad, seq);
      CREATE TABLE IF NOT EXISTS snapshots (
        pad  text   PRIMARY KEY,
        seq  bigint NOT NULL,
        data bytea  NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'idempotency key on log entries (no duplicate after a retried append)',
    sql: `
      ALTER TABLE updates ADD COLUMN IF NOT EXISTS id text;
      CREATE UNIQUE INDEX IF NOT EXISTS updates_pad_id ON updates (pad, id) WHERE id IS NOT NULL;`,
  },
  {
    version: 3,
    name: 'CRC32 per log entry and snapshot; quarantine for entries that fail verification (R1, R2)',
    sql: `
      ALTER TABLE updates ADD COLUMN IF NOT EXISTS crc bigint;
      ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS crc bigint;
      CREATE TABLE IF NOT EXISTS quarantine (
        id     bigserial   PRIMARY KEY,
        pad    text        NOT NULL,
        kind   text        NOT NULL,
        seq    bigint      NOT NULL,
        reason text        NOT NULL,
        data   bytea       NOT NULL,
        at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS quarantine_pad ON quarantine (pad);`,
  },
  {
    version: 4,
    name: 'keyed records for side data (access settings, history), removable by key or prefix (K1)',
    // COLLATE "C": keys order by bytes whatever the database's collation, so a prefix is a
    // key range the primary key index serves (see record-keys.ts).
    sql: `
      CREATE TABLE IF NOT EXISTS records (
        key   text COLLATE "C" PRIMARY KEY,
        value bytea NOT NULL
      );`,
  },
  {
    version: 5,
    name: 'last append per pad, for the idle-expiry sweep (PAD_EXPIRE_DAYS)',
    // Pads stored before count as written now, so an upgrade never expires one on its first sweep.
    sql: `
      CREATE TABLE IF NOT EXISTS pad_activity (
        pad text PRIMARY KEY,
        at  timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO pad_activity (pad) SELECT pad FROM snapshots UNION SELECT pad FROM updates
        ON CONFLICT DO NOTHING;`,
  },
];
