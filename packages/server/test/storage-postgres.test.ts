import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { storageContract } from '../testing/storage-contract.js';
import { POSTGRES_MIGRATIONS } from '../src/storage/migrations/postgres.js';
import { LOG_READ_ROWS } from '../src/storage/postgres-log-read.js';
import { PostgresStorage, guardClients } from '../src/storage/postgres.js';
import type { Storage } from '../src/storage/types.js';

// Local PostgreSQL (trust auth). Unreachable = a failing test with the reason, never a skip:
// CI has PostgreSQL, so its absence is a broken environment, not an optional backend.
const url = process.env.PADMESH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// One schema per run, so concurrent runs (other engineers, CI) never see each other's rows.
const schema = `padmesh_t_${process.pid}_${Date.now().toString(36)}`;
const fixture = fileURLToPath(new URL('./fixtures/storage-writer.ts', import.meta.url));
const run = promisify(execFile);

async function restartPostgres(): Promise<void> {
  // Without systemd (containers, CI) pg_ctlcluster must be told not to redirect to systemctl.
  const versions = (await run('ls', ['/etc/postgresql'])).stdout.trim().split(/\s+/);
  const version = versions.at(-1);
  if (!version) throw new Error('no cluster under /etc/postgresql to restart');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { timeout: 60_000 });
}

const open = () => PostgresStorage.open({ url, schema, poolSize: 4 });

storageContract('postgres', {
  open: async () => {
    try {
      return await open();
    } catch (err) {
      throw new Error(`PostgreSQL unreachable at ${url} (set PADMESH_TEST_POSTGRES_URL): ${(err as Error).message}`);
    }
  },
  reopen: async (old: Storage) => {
    await old.close();
    return open();
  },
  shared: { url, options: { schema, poolSize: 2 }, fixture },
  restart: process.env.PADMESH_TEST_PG_RESTART === '0' ? undefined : restartPostgres,
  restartSkip: 'PADMESH_TEST_PG_RESTART=0',
  corrupt: async (_s, pad, kind, seq) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const table = `${schema}.${kind === 'snapshot' ? 'snapshots' : 'updates'}`;
      const r = await c.query(
        `UPDATE ${table} SET data = set_byte(data, length(data) / 2, get_byte(data, length(data) / 2) # 255) WHERE pad = $1 AND seq = $2`,
        [pad, seq],
      );
      if (r.rowCount !== 1) throw new Error(`no ${kind} ${pad}@${seq} to corrupt`);
    } finally {
      await c.end();
    }
  },
});

after(async () => {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // Unreachable: the contract already failed with the reason.
  } finally {
    await c.end().catch(() => {});
  }
});

describe('PostgresStorage start-up', () => {
  const fresh = `${schema}_mig`;
  after(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`).finally(() => c.end());
  });

  it('three nodes starting at once migrate a fresh schema exactly once', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStorage.open({ url, schema: fresh, poolSize: 1 })));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ version: number }>(
        `SELECT version FROM ${fresh}.schema_migrations ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await c.end();
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await assert.rejects(PostgresStorage.open({ url, schema: 'x; DROP TABLE y' }), /invalid PostgreSQL schema name/);
  });
});

describe('PostgresStorage when the server drops connections', () => {
  it('R9 PG5 a client checked out of the pool still has an error listener, so a terminated connection cannot crash the node', async () => {
    // The PostgreSQL endurance soak ended a node with an 'error' a client emitted with no
    // listener left (pg-pool removes its own while a client is checked out).
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const seen: Error[] = [];
    guardClients(pool, (err) => seen.push(err));
    const client = await pool.connect();
    try {
      assert.ok(client.listenerCount('error') >= 1, 'checked-out client has a listener');
      client.emit('error', new Error('terminating connection due to administrator command'));
      client.emit('error', new Error('Connection terminated unexpectedly'));
      assert.equal(seen.length, 2);
    } finally {
      client.release(true);
      await pool.end();
    }
  });
});

describe('PostgresStorage log reads in batches', () => {
  it('R1 a log longer than one batch loads whole and in order; a corrupt entry in the middle is reported, an entry without a checksum passes', async () => {
    const s = await open();
    const pad = `batches-${Date.now().toString(36)}`;
    const n = LOG_READ_ROWS * 2 + 100;
    try {
      const entries = Array.from({ length: n }, (_, i) => ({ pad, update: new TextEncoder().encode(`entry ${i}`) }));
      for (let i = 0; i < n; i += 5_000) await s.append(entries.slice(i, i + 5_000));
      const first = await s.load(pad);
      assert.equal(first.updates.length, n);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const corruptSeq = first.seqs[LOG_READ_ROWS + 7]!;
      try {
        await c.query(`UPDATE ${schema}.updates SET data = set_byte(data, 0, 33) WHERE pad = $1 AND seq = $2`, [
          pad,
          corruptSeq,
        ]);
        await c.query(`UPDATE ${schema}.updates SET crc = NULL WHERE pad = $1 AND seq = $2`, [pad, first.seqs[3]!]);
      } finally {
        await c.end();
      }
      const again = await s.load(pad);
      assert.deepEqual(again.corrupt, [{ pad, kind: 'update', seq: corruptSeq, reason: 'checksum' }]);
      assert.equal(again.updates.length, n - 1);
      const texts = again.updates.map((u) => new TextDecoder().decode(u));
      assert.deepEqual(
        texts,
        entries.filter((_, i) => i !== LOG_READ_ROWS + 7).map((e) => new TextDecoder().decode(e.update)),
      );
      assert.ok(
        again.seqs.every((q, i) => i === 0 || q > again.seqs[i - 1]!),
        'seqs ascend',
      );
      assert.equal(again.lastSeq, first.lastSeq);
    } finally {
      await s.close();
    }
  });

  it('R1 entries first and last in a batch can be corrupt; a checksum off by 2^32, or past 2^53, is reported; a seq past 2^53 is read row by row', async () => {
    const s = await open();
    const pad = `batch-edges-${Date.now().toString(36)}`;
    const n = LOG_READ_ROWS + 20;
    const big = 2 ** 60;
    try {
      const entries = Array.from({ length: n }, (_, i) => ({ pad, update: new TextEncoder().encode(`entry ${i}`) }));
      for (let i = 0; i < n; i += 5_000) await s.append(entries.slice(i, i + 5_000));
      const { seqs } = await s.load(pad);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const addToCrc = `UPDATE ${schema}.updates SET crc = crc + $3::bigint WHERE pad = $1 AND seq = $2`;
        await c.query(addToCrc, [pad, seqs[0]!, 2 ** 32]);
        await c.query(addToCrc, [pad, seqs[LOG_READ_ROWS - 1]!, big]);
        await c.query(`UPDATE ${schema}.updates SET data = set_byte(data, 0, 33) WHERE pad = $1 AND seq = $2`, [
          pad,
          seqs[LOG_READ_ROWS]!,
        ]);
        // A seq the batch cannot hold exactly as a number: the second batch is read row by row.
        await c.query(`UPDATE ${schema}.updates SET seq = $3 WHERE pad = $1 AND seq = $2`, [pad, seqs[n - 1]!, big]);
      } finally {
        await c.end();
      }
      const bad = [0, LOG_READ_ROWS - 1, LOG_READ_ROWS];
      const again = await s.load(pad);
      assert.deepEqual(
        again.corrupt,
        bad.map((i) => ({ pad, kind: 'update', seq: seqs[i], reason: 'checksum' })),
      );
      assert.deepEqual(
        again.updates.map((u) => new TextDecoder().decode(u)),
        entries.filter((_, i) => !bad.includes(i)).map((e) => new TextDecoder().decode(e.update)),
      );
      assert.deepEqual(again.seqs, [...seqs.slice(0, -1).filter((_, i) => !bad.includes(i)), big]);
      assert.equal(again.lastSeq, big);
    } finally {
      await s.close();
    }
  });
});
