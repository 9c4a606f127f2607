import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const ADMIN_URL = process.env.PADMESH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh database on the local PostgreSQL for one fault run, and a way to restart the server. */
export async function postgresFaultStore(): Promise<{
  url: string;
  restart: () => Promise<void>;
  drop: () => Promise<void>;
}> {
  const name = `padmesh_faults_${process.pid}_${Date.now().toString(36)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    restart: restartPostgres,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function admin(fn: (c: pg.Client) => Promise<unknown>): Promise<void> {
  // Right after a restart the server may still refuse connections: retry briefly.
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    try {
      await c.connect();
      await fn(c);
      return;
    } catch (err) {
      if (i >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await c.end().catch(() => {});
    }
  }
}

/**
 * Same as storage-postgres.test.ts: without systemd, pg_ctlcluster must not redirect to systemctl.
 * PADMESH_TEST_POSTGRES_CLUSTER names a Debian cluster other than "main" (with
 * PADMESH_TEST_POSTGRES_URL pointing at its port), so a long soak can restart a PostgreSQL of
 * its own while the cluster fault run or CI use the shared one.
 */
export async function restartPostgres(): Promise<void> {
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (!version) throw new Error('no cluster under /etc/postgresql to restart');
  const cluster = process.env.PADMESH_TEST_POSTGRES_CLUSTER ?? 'main';
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'restart'], { timeout: 60_000 });
}
