import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnNode, type NodeProcess } from '../testing/process.js';
import { RawClient } from '../testing/raw-client.js';
import { prng, testSeed, waitFor } from '../testing/wait.js';

/** Inserts `token` at a token boundary so tokens are never split and stay findable. */
function insertAtBoundary(c: RawClient, token: string, rand: () => number): number {
  const text = c.text;
  const bounds = [0];
  for (let i = text.indexOf('|'); i >= 0; i = text.indexOf('|', i + 1)) bounds.push(i + 1);
  return c.insert(bounds[Math.floor(rand() * bounds.length)]!, token);
}

describe('Crash recovery (single node)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-crash-'));
  const nodes: NodeProcess[] = [];
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    for (const n of nodes) await n.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('D1 kill -9 in the middle of a burst loses no acknowledged edit; clients re-send the rest', async () => {
    const seed = testSeed('D1');
    const rand = prng(seed);
    const pad = 'burst';
    const env = { DATA_DIR: dir, COMPACT_EVERY: '100' };
    const first = await spawnNode(env);
    nodes.push(first);
    const writers = await Promise.all([0, 1, 2].map(() => new RawClient(first.wsUrl, pad).ready()));
    clients.push(...writers);
    const sentAt = writers.map(() => new Map<string, number>());
    let n = 0;
    const typing = setInterval(() => {
      writers.forEach((w, i) => {
        const token = `w${i}-${n}|`;
        sentAt[i]!.set(token, insertAtBoundary(w, token, rand));
      });
      n++;
    }, 2);
    await waitFor(() => writers.every((w) => w.acked > 20), 'some acknowledged edits before the kill');
    await new Promise((r) => setTimeout(r, rand() * 100));
    await first.kill('SIGKILL');
    clearInterval(typing);
    const ackedAtKill = writers.map((w) => w.acked);
    const durable = writers.flatMap((_, i) =>
      [...sentAt[i]!].filter(([, seq]) => seq <= ackedAtKill[i]!).map(([t]) => t),
    );
    const all = writers.flatMap((_, i) => [...sentAt[i]!.keys()]);
    assert.ok(durable.length > 0);

    const second = await spawnNode(env);
    nodes.push(second);
    const reader = await new RawClient(second.wsUrl, pad).ready();
    clients.push(reader);
    const missing = durable.filter((t) => !reader.text.includes(t));
    assert.deepEqual(missing, [], `acknowledged edits missing after kill -9 (seed ${seed})`);
    process.stdout.write(
      `# D1: ${all.length} edits typed, ${durable.length} acknowledged before the kill, all present after restart\n`,
    );

    // Writers reconnect with their documents: Yjs sync delivers what the server never stored.
    const back = writers.map((w) => {
      w.close();
      return new RawClient(second.wsUrl, pad, { doc: w.doc });
    });
    clients.push(...back);
    await Promise.all(back.map((b) => b.ready()));
    await Promise.all(back.map((b) => b.saved()));
    await waitFor(() => all.every((t) => reader.text.includes(t)), 'every typed edit present after reconnect');
    await waitFor(() => back.every((b) => b.text === reader.text), 'all clients converge');
  });
});
