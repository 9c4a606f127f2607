// The node's longest event-loop stall while it takes max-cap updates (HS1-HS3), in process:
// a test server on loopback, a client sending each update and waiting for its `saved`.
//   node --conditions=source --import tsx packages/server/scripts/measure-stall.ts
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer } from '../testing/test-server.js';
import { baseText, mapKeys, scatteredInserts } from '../testing/big-updates.js';

function mainThreadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

const dir = mkdtempSync(join(tmpdir(), 'padmesh-stall-'));
const server = await startTestServer({ DATA_DIR: dir, MAX_NEW_PADS_PER_IP_PER_MIN: '1000' });
const base = baseText(10_000);
const cases: [string, Uint8Array | null, Uint8Array][] = [
  ['map 199,999 keys', null, mapKeys(199_999)],
  ['scattered 199,000 inserts, 64 clients', Y.encodeStateAsUpdate(base), scatteredInserts(base, 199_000, 64, 1)],
  [
    'small edit (honest path)',
    null,
    (() => {
      const d = new Y.Doc();
      d.getText('content').insert(0, 'hello');
      return Y.encodeStateAsUpdate(d);
    })(),
  ],
];
try {
  let n = 0;
  for (const [name, first, update] of cases) {
    const c = await new RawClient(server.wsUrl, `stall-${n++}`).ready(10_000);
    if (first) {
      c.sendCounted({ type: 'update', update: first });
      await c.saved(10_000);
    }
    await new Promise((r) => setTimeout(r, 200));
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    // The main thread's CPU time between two runs of an immediate (Linux schedstat: worker
    // threads, SQLite and the compactor, are not counted): the longest turn in CPU, which a
    // loaded machine (wall-clock delays stretch with the load) does not inflate.
    let maxTurnCpuMs = 0;
    let ticking = true;
    let last = mainThreadCpuNs();
    const tick = () => {
      const now = mainThreadCpuNs();
      maxTurnCpuMs = Math.max(maxTurnCpuMs, (now - last) / 1e6);
      last = now;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const t = performance.now();
    c.sendCounted({ type: 'update', update });
    await c.saved(120_000);
    const took = performance.now() - t;
    ticking = false;
    loop.disable();
    console.log(
      `${name}: ${update.length} B, saved after ${took.toFixed(0)} ms; event-loop delay max ${(loop.max / 1e6).toFixed(1)} ms, ` +
        `p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; longest turn ${maxTurnCpuMs.toFixed(1)} ms CPU`,
    );
    c.close();
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
