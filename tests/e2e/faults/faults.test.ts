import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testSeed } from '@padmesh/server/testing';
import { formatStats, runFaults } from './harness.js';
import { postgresFaultStore } from './postgres.js';

const SECONDS = Number(process.env.FAULT_SECONDS ?? 30);

describe('Fault injection (single node)', () => {
  it('D1 D2 P4 sqlite: kill -9, dropped sockets and truncated frames lose no edit', async (t) => {
    const seed = testSeed('faults sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'padmesh-faults-'));
    try {
      const stats = await runFaults({
        seed,
        seconds: SECONDS,
        clients: 8,
        pads: 3,
        env: { DATA_DIR: dir },
        verify: ['--storage', `sqlite:${join(dir, 'padmesh.db')}`],
        log: (l) => t.diagnostic(l),
      });
      t.diagnostic(formatStats(stats));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Restarting PostgreSQL disrupts anything else using it (other engineers' test runs), so
  // the short suite runs this only when asked; `npm run soak` always does.
  const pg = process.env.PADMESH_FAULTS_PG === '1';
  it(
    'D1 D2 P4 postgres: the same faults plus a database restart',
    { skip: !pg && 'set PADMESH_FAULTS_PG=1 (restarts the local PostgreSQL)' },
    async (t) => {
      const seed = testSeed('faults postgres');
      const store = await postgresFaultStore();
      try {
        const stats = await runFaults({
          seed,
          seconds: SECONDS,
          clients: 8,
          pads: 3,
          env: { STORAGE_URL: store.url },
          verify: ['--storage', store.url],
          restartDatabase: store.restart,
          log: (l) => t.diagnostic(l),
        });
        t.diagnostic(formatStats(stats));
      } finally {
        await store.drop();
      }
    },
  );
});
