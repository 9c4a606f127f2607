// `npm run soak`: the fault-injection harness for minutes instead of seconds, on SQLite and
// PostgreSQL (restarting the database too). Bounded: SOAK_SECONDS in total (default 300),
// split across SOAK_BACKENDS (default "sqlite,postgres"). Prints the counts of each run;
// exits non-zero (with the seed) on any lost or divergent edit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStats, runFaults, type FaultOptions } from './harness.js';
import { postgresFaultStore } from './postgres.js';

const total = Number(process.env.SOAK_SECONDS ?? 300);
const backends = (process.env.SOAK_BACKENDS ?? 'sqlite,postgres')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : Date.now() % 1_000_000_007;
const seconds = Math.max(10, Math.floor(total / backends.length));
const base = {
  seconds,
  clients: Number(process.env.SOAK_CLIENTS ?? 16),
  pads: Number(process.env.SOAK_PADS ?? 4),
  killEvery: 6,
  log: (l: string) => console.log(l),
};

let failed = false;
for (const backend of backends) {
  console.log(
    `\n== soak: ${backend}, ${seconds} s of faults, seed ${seed} (replay with TEST_SEED=${seed} SOAK_BACKENDS=${backend})`,
  );
  const started = Date.now();
  let cleanup = async () => {};
  try {
    let opts: FaultOptions;
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'padmesh-soak-'));
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
      opts = { ...base, seed, env: { DATA_DIR: dir }, verify: ['--storage', `sqlite:${join(dir, 'padmesh.db')}`] };
    } else if (backend === 'postgres') {
      const store = await postgresFaultStore();
      cleanup = store.drop;
      opts = {
        ...base,
        seed,
        env: { STORAGE_URL: store.url },
        verify: ['--storage', store.url],
        restartDatabase: store.restart,
      };
    } else throw new Error(`unknown soak backend ${backend} (sqlite, postgres)`);
    const stats = await runFaults(opts);
    console.log(formatStats(stats));
    console.log(
      `${backend}: PASS in ${Math.round((Date.now() - started) / 1000)} s (attempted ${stats.attempted} = present ${stats.present})`,
    );
  } catch (err) {
    failed = true;
    console.log(`${backend}: FAIL (seed ${seed}): ${(err as Error).stack ?? err}`);
  } finally {
    await cleanup().catch((err: unknown) => console.log(`cleanup failed: ${String(err)}`));
  }
}
process.exit(failed ? 1 : 0);
