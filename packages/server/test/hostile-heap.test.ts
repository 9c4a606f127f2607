import { CloseCode } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnNode, type NodeProcess } from '../testing/process.js';
import { RawClient } from '../testing/raw-client.js';
import { waitFor } from '../testing/wait.js';

/** Map entries per pad: ~150 KB on the wire, ~5 MB of heap (327 B each, scripts/measure-heap.mjs). */
const ENTRIES_PER_PAD = 15_000;
const MAX_PADS = 200;

describe('Heap ceiling in a real process (HI4)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'padmesh-heap-'));
  let node: NodeProcess | null = null;
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    await node?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('HI4 under --max-old-space-size=128, pads pushed until loads are refused with 4513; the node stays up and /healthz answers', async () => {
    node = await spawnNode(
      { DATA_DIR: dir, PAD_IDLE_MS: '600000', MAX_NEW_PADS_PER_IP_PER_MIN: '10000', MAX_CONNECTIONS_PER_IP: '10000' },
      30_000,
      ['--max-old-space-size=128'],
    );
    let refused: RawClient | null = null;
    for (let i = 0; i < MAX_PADS && !refused; i++) {
      const c = new RawClient(node.wsUrl, `heap${i}`);
      clients.push(c);
      await waitFor(() => c.synced || c.closeCode !== null, `pad ${i} synced or refused`, 20_000);
      if (c.closeCode !== null) {
        refused = c;
        break;
      }
      const m = c.doc.getMap('m');
      c.doc.transact(() => {
        for (let k = 0; k < ENTRIES_PER_PAD; k++) m.set(`k${k}`, k);
      });
      await waitFor(() => c.acked === c.sent || c.closeCode !== null, `pad ${i} saved`, 20_000);
      if (c.closeCode !== null) refused = c;
    }
    assert.ok(refused, `no refusal after ${MAX_PADS} pads`);
    assert.ok(
      refused.closeCode === CloseCode.NodeOverloaded,
      `refused with ${refused.closeCode} ${refused.closeReason} after ${clients.length - 1} pads`,
    );
    assert.equal(node.child.exitCode, null, 'still running');
    assert.equal(node.child.signalCode, null);
    const health = await fetch(`${node.url}/healthz`);
    assert.equal(health.status, 200);
    // A pad loaded before the ceiling still takes edits.
    const first = clients[0]!;
    first.doc.getText('content').insert(0, 'still editable');
    await waitFor(() => first.acked === first.sent, 'edit on a loaded pad saved', 20_000);
  });
});
