import { encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { spawnNode, type NodeProcess } from '../testing/process.js';
import { RawClient } from '../testing/raw-client.js';
import { prng, testSeed, waitFor } from '../testing/wait.js';

const FUZZ_MS = Number(process.env.FUZZ_MS ?? 8_000);

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Valid messages of every kind, to mutate. */
function seeds(): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  doc.getText('content').insert(0, 'fuzz seed text');
  doc.getText('content').delete(2, 3);
  doc.getMap('other').set('k', 42);
  const aw = new awarenessProtocol.Awareness(doc);
  aw.setLocalStateField('user', { name: 'F', color: '#123456' });
  const awUpdate = awarenessProtocol.encodeAwarenessUpdate(aw, [doc.clientID]);
  aw.destroy();
  return [
    ...updates.map((update) => encodeMessage({ type: 'update', update })),
    encodeMessage({ type: 'sync-step1', stateVector: Y.encodeStateVector(doc) }),
    encodeMessage({ type: 'sync-step2', update: Y.encodeStateAsUpdate(doc) }),
    encodeMessage({ type: 'awareness', update: awUpdate }),
    encodeMessage({ type: 'query-awareness' }),
  ];
}

function mutate(msg: Uint8Array, rand: () => number): Uint8Array {
  const m = msg.slice();
  switch (Math.floor(rand() * 6)) {
    case 0: // flip bytes
      for (let i = 0; i < 1 + rand() * 4; i++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
      return m;
    case 1: // truncate
      return m.slice(0, Math.floor(rand() * m.length));
    case 2: // extend with garbage
      return new Uint8Array([
        ...m,
        ...Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)),
      ]);
    case 3: // pure noise
      return Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
    case 4: // huge declared length
      return new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
    default: // valid message sent as-is (keeps the server doing real work)
      return m;
  }
}

describe('Fuzz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-fuzz-'));
  let node: NodeProcess | null = null;
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    await node?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`F1 random and mutated frames for ${FUZZ_MS} ms: no crash, bounded memory, pads intact, bystanders unaffected`, async () => {
    const seed = testSeed('F1');
    const rand = prng(seed);
    node = await spawnNode({
      DATA_DIR: dir,
      MAX_CONNECTIONS_PER_IP: '10000',
      MAX_NEW_PADS_PER_IP_PER_MIN: '100000',
      RATE_MESSAGES_PER_SEC: '100000',
      RATE_BURST: '100000',
      RATE_MESSAGES_PER_SEC_PER_IP: '1000000',
      RATE_BURST_PER_IP: '1000000',
    });
    const bystander = await new RawClient(node.wsUrl, 'fuzz-0').ready();
    clients.push(bystander);
    bystander.insert(0, 'precious text');
    await bystander.saved();
    const rssBefore = rssOf(node.child.pid!);
    const pool = seeds();
    const deadline = Date.now() + FUZZ_MS;
    let frames = 0;
    let sockets = 0;
    while (Date.now() < deadline) {
      const pad = `fuzz-${Math.floor(rand() * 3)}`;
      const ws = new WebSocket(`${node.wsUrl}/${pad}`);
      sockets++;
      await new Promise<void>((resolve) => {
        ws.on('error', () => resolve());
        ws.on('close', () => resolve());
        ws.on('open', () => {
          const n = 1 + Math.floor(rand() * 20);
          for (let i = 0; i < n && ws.readyState === WebSocket.OPEN; i++) {
            ws.send(mutate(pool[Math.floor(rand() * pool.length)]!, rand));
            frames++;
          }
          setTimeout(() => ws.terminate(), 20);
        });
      });
      if (sockets % 50 === 0) {
        bystander.insert(bystander.text.length, '.');
      }
    }
    process.stdout.write(`# F1: ${frames} frames on ${sockets} sockets in ${FUZZ_MS} ms\n`);
    assert.equal(node.child.exitCode, null, `server crashed:\n${node.output().slice(-2000)}`);
    assert.equal(
      bystander.closeCode,
      null,
      `the bystander stayed connected (closed ${bystander.closeCode} ${bystander.closeReason})`,
    );
    await bystander.saved();
    const res = await fetch(`${node.url}/fuzz-0.txt`);
    assert.ok((await res.text()).includes('precious text'), 'stored pad intact');
    const rssAfter = rssOf(node.child.pid!);
    process.stdout.write(
      `# F1: server RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB\n`,
    );
    assert.ok(rssAfter < rssBefore + 200 * 2 ** 20, 'memory stays bounded');
    // The node still serves fresh clients after all that.
    const fresh = await new RawClient(node.wsUrl, 'fuzz-0').ready();
    clients.push(fresh);
    await waitFor(() => fresh.text === bystander.text, 'fresh client sees the bystander text');
  });
});
