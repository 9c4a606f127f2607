import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnNode, type NodeProcess } from '../testing/process.js';
import { waitFor } from '../testing/wait.js';

const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

async function inBatches(n: number, size: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += size)
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => fn(i + k)));
}

/**
 * Process memory (M3) needs a real process and its RSS. The pad memory budget and LRU
 * eviction (M2) run on the harness in test/room/eviction.test.ts.
 */
describe('Memory', () => {
  let node: NodeProcess | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-mem-'));
  after(async () => {
    await node?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'M3 bursts of 10k pads: memory returns to a steady level after each, ' + 'so a second burst does not grow it',
    async () => {
      node = await spawnNode({ DATA_DIR: dir, PAD_IDLE_MS: '100', MAX_NEW_PADS_PER_IP_PER_MIN: '1000000' });
      const pid = node.child.pid!;
      await inBatches(200, 50, (i) => fetch(`${node!.url}/warm-${i}.txt`));
      const base = rss(pid);
      const burst = async (tag: string) => {
        let peak = rss(pid);
        await inBatches(10_000, 100, async (i) => {
          await fetch(`${node!.url}/api/pads/${tag}-${i}/text`, { method: 'PUT', body: `pad number ${i}` });
          if (i % 1000 === 0) peak = Math.max(peak, rss(pid));
        });
        await waitFor(
          async () => /padmesh_open_pads 0\n/.test(await (await fetch(`${node!.url}/metrics`)).text()),
          'all pads unloaded',
          30_000,
          100,
        );
        // The settled level is the lowest RSS over 3 s: one sample lands before or after a GC
        // by chance (a 26 MiB difference seen between two samples a second apart).
        let after = rss(pid);
        for (let t = 0; t < 30; t++) {
          await new Promise((r) => setTimeout(r, 100));
          after = Math.min(after, rss(pid));
        }
        return { peak: Math.max(peak, after), after };
      };
      const first = await burst('one');
      const second = await burst('two');
      process.stdout.write(
        `# M3: RSS baseline ${mib(base)}; burst 1 peak ${mib(first.peak)}, after ${mib(first.after)}; ` +
          `burst 2 peak ${mib(second.peak)}, after ${mib(second.after)} (10k pads each)\n`,
      );
      // V8 and malloc keep freed pages for reuse, so RSS settles above the baseline once; a leak
      // would show as growth from the first burst to the second.
      assert.ok(
        second.after - first.after < 32 * 2 ** 20,
        `no growth between bursts (${mib(second.after - first.after)}; peaks ${mib(second.peak - first.peak)})`,
      );
      // Where RSS settles after the first burst follows its peak (malloc's high-water mark), not
      // a leak: 120 MiB for cc3a236, 123-138 MiB over five runs of 2026-11-26's last commits,
      // so 128 failed about half the runs. The leak check is the one above.
      assert.ok(
        first.after - base < 160 * 2 ** 20,
        `RSS after a burst within 160 MiB of baseline (${mib(first.after - base)})`,
      );
    },
  );
});
