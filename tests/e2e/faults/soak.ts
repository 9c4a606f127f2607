// `npm run soak`: the fault-injection harness for minutes instead of seconds, on SQLite and
// PostgreSQL (restarting the database too). Bounded: SOAK_SECONDS in total (default 300),
// split across SOAK_BACKENDS (default "sqlite,postgres"). Prints the counts of each run;
// exits non-zero (with the seed) on any lost or divergent edit.
//
// Endurance (issue 17): SOAK_KILLS=1000 repeats rounds of SOAK_SECONDS on the same store until
// that many kill -9 restarts were survived. Each round uses fresh pads, because the harness
// checks every acknowledged token after every restart and that check grows with the text;
// the store keeps every earlier round's pads, so restarts and verify see a growing database.
// SOAK_KILL_EVERY sets the mean seconds between kills (default 6).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStats, runFaults, type FaultOptions, type FaultStats } from './harness.js';
import { postgresFaultStore } from './postgres.js';

const total = Number(process.env.SOAK_SECONDS ?? 300);
const backends = (process.env.SOAK_BACKENDS ?? 'sqlite,postgres')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : Date.now() % 1_000_000_007;
const targetKills = Number(process.env.SOAK_KILLS ?? 0);
const seconds = Math.max(10, Math.floor(targetKills > 0 ? total : total / backends.length));
const base = {
  seconds,
  clients: Number(process.env.SOAK_CLIENTS ?? 16),
  pads: Number(process.env.SOAK_PADS ?? 4),
  killEvery: Number(process.env.SOAK_KILL_EVERY ?? 6),
  log: (l: string) => console.log(l),
};

/** The totals over every round of one backend. */
function add(sum: FaultStats | null, s: FaultStats): FaultStats {
  if (!sum) return { ...s };
  const out = { ...sum };
  for (const k of Object.keys(s) as (keyof FaultStats)[]) if (k !== 'seed') out[k] += s[k];
  return out;
}

let failed = false;
for (const backend of backends) {
  const started = Date.now();
  let cleanup = async () => {};
  let sum: FaultStats | null = null;
  let round = 0;
  let roundSeed = seed;
  try {
    let store: Omit<FaultOptions, keyof typeof base | 'seed'>;
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'padmesh-soak-'));
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
      store = { env: { DATA_DIR: dir }, verify: ['--storage', `sqlite:${join(dir, 'padmesh.db')}`] };
    } else if (backend === 'postgres') {
      const pg = await postgresFaultStore();
      cleanup = pg.drop;
      store = { env: { STORAGE_URL: pg.url }, verify: ['--storage', pg.url], restartDatabase: pg.restart };
    } else throw new Error(`unknown soak backend ${backend} (sqlite, postgres)`);
    do {
      roundSeed = seed + round * 1000;
      round++;
      console.log(
        `\n== soak: ${backend} round ${round}, ${seconds} s of faults, seed ${roundSeed} (replay with TEST_SEED=${roundSeed} SOAK_BACKENDS=${backend})`,
      );
      const stats = await runFaults({ ...base, ...store, seed: roundSeed });
      console.log(formatStats(stats));
      sum = add(sum, stats);
      if (targetKills > 0) console.log(`${backend}: ${sum.kills} of ${targetKills} kills so far`);
    } while (sum.kills < targetKills);
    console.log(`\n== ${backend} totals over ${round} round(s):\n${formatStats(sum)}`);
    console.log(
      `${backend}: PASS in ${Math.round((Date.now() - started) / 1000)} s, ${round} round(s), ${sum.kills} kill -9 restarts (attempted ${sum.attempted} = present ${sum.present})`,
    );
  } catch (err) {
    failed = true;
    console.log(`${backend}: FAIL in round ${round} (seed ${roundSeed}): ${(err as Error).stack ?? err}`);
  } finally {
    await cleanup().catch((err: unknown) => console.log(`cleanup failed: ${String(err)}`));
  }
}
process.exit(failed ? 1 : 0);
