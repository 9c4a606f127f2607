// Preloaded into a bench server by BENCH_HEAP_PROF=<dir> (`--import`): V8's sampling heap
// profiler from BENCH_HEAP_PROF_FROM_S seconds after start until SIGINT, with the objects
// already collected kept in the profile. `--heap-prof` drops those, and the garbage is what a
// per-update cost is made of. Plain JS: the servers run from dist without tsx.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_HEAP_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  const start = () =>
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  session.post('HeapProfiler.enable', () =>
    setTimeout(start, Number(process.env.BENCH_HEAP_PROF_FROM_S ?? 0) * 1000).unref(),
  );
  // Before the server's own handler exits: a session on the main thread answers synchronously.
  process.prependListener('SIGINT', () =>
    session.post('HeapProfiler.stopSampling', (err, r) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(r.profile));
      // A server with no SIGINT handler of its own would otherwise no longer stop on it.
      if (process.listenerCount('SIGINT') === 1) process.exit(130);
    }),
  );
}
