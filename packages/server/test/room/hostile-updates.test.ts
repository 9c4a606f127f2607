import { CloseCode, encodeMessage } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { OverloadedError } from '../../src/room/heap-guard.js';
import { Sim, type SimNode, type SimSettings } from '../../testing/sim/sim.js';
import type { SimClient } from '../../testing/sim/sim-client.js';
import { concatClientBlocks, concurrentInserts, updateFrame, waitingInsert } from '../../testing/hostile-frames.js';
import { baseText, deleteRanges, fragmentedText } from '../../testing/big-updates.js';
import { SLICE_STRUCTS } from '../../src/crdt/update-split.js';
import { SMALL_UPDATE_BYTES } from '../../src/transport/session.js';
import { MAX_UNPLACED_ANCHORS } from '../../src/crdt/unplaced.js';
import { compactPad } from '../../src/persistence/compaction.js';
import { inlineFolder, type Folder } from '../../src/persistence/compactor.js';

/** Writes one string item of one character or more, with both origins, in the v1 encoding. */
function writeItem(e: encoding.Encoder, origin: readonly number[], right: readonly number[], str: string): void {
  encoding.writeUint8(e, 0x80 | 0x40 | 4);
  for (const x of [...origin, ...right]) encoding.writeVarUint(e, x);
  encoding.writeVarString(e, str);
}

/** A fresh harness per scenario, so one attack's pads and limits never meet another's. */
async function scenario(settings: Partial<SimSettings>, body: (sim: Sim, node: SimNode) => Promise<void>) {
  const sim = new Sim();
  const node = sim.node({ settings });
  try {
    await body(sim, node);
  } finally {
    await sim.close();
  }
}

/** A bystander on another pad of the same node, connected and synced before the attack. */
async function bystander(sim: Sim, node: SimNode): Promise<SimClient> {
  const b = await node.connect('bystander');
  await sim.run();
  return b;
}

/** The bystander's next edit is applied and acknowledged: the attack did not reach it. */
async function assertBystanderSaved(sim: Sim, b: SimClient): Promise<void> {
  b.insert(b.text.length, '.');
  await sim.run();
  assert.ok(b.isConnected, 'bystander still connected');
  assert.equal(b.acked, b.sent, 'bystander edit acknowledged');
}

/** What storage holds for a pad, as text (the stored state, not the node's memory). */
async function storedText(sim: Sim, pad: string): Promise<{ text: string; entries: number }> {
  const stored = await sim.storage.load(pad);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return { text: doc.getText('content').toString(), entries: stored.updates.length + (stored.snapshot ? 1 : 0) };
}

async function connectedWith(sim: Sim, node: SimNode, pad: string, text: string): Promise<SimClient> {
  const c = await node.connect(pad);
  await sim.run();
  if (text) c.insert(0, text);
  await sim.run();
  return c;
}

describe('Hostile input (HI)', () => {
  it('HI1 20,000 concurrent inserts from distinct client ids in one update: 4415 at once, nothing stored, bystander saved', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const honest = await connectedWith(sim, node, 'cpu', 'honest text');
      const base = Y.encodeStateAsUpdate(honest.doc);
      const attack = concurrentInserts(base, 20_000);
      const evil = await node.connect('cpu');
      await sim.run();
      const started = performance.now();
      evil.sendRaw(updateFrame(attack));
      evil.sendRaw(updateFrame(attack));
      await sim.run();
      assert.ok(performance.now() - started < 2_000, 'refused before integrating');
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex);
      assert.match(evil.closeReason, /client ids/);
      assert.equal((await storedText(sim, 'cpu')).text, 'honest text');
      assert.ok(honest.isConnected);
      await assertBystanderSaved(sim, b);
    }));

  it('HI1 concurrent inserts at one position under the client-id cap are refused past 256 (4415), nothing stored', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const honest = await connectedWith(sim, node, 'cpu2', 'abc');
      const attack = concurrentInserts(Y.encodeStateAsUpdate(honest.doc), 60, 1, 5);
      const evil = await node.connect('cpu2');
      await sim.run();
      evil.sendRaw(updateFrame(attack));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex);
      assert.match(evil.closeReason, /concurrent inserts/);
      assert.equal((await storedText(sim, 'cpu2')).text, 'abc');
      await assertBystanderSaved(sim, b);
    }));

  it('HI1 one-item updates at a spot the pad already crowds are refused once their scans pass the budget (4415)', () =>
    scenario({ messageBurst: 100_000 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const honest = await connectedWith(sim, node, 'crowded', 'R');
      const base = Y.encodeStateAsUpdate(honest.doc);
      const baseSv = Y.encodeStateVector(honest.doc);
      // 30,000 inserts at the start from one client: one update, no limit passed.
      const filler = new Y.Doc();
      filler.clientID = 42;
      Y.applyUpdate(filler, base);
      for (let i = 0; i < 30_000; i++) filler.getText('content').insert(0, 'a');
      const evil = await node.connect('crowded');
      await sim.run();
      evil.sendRaw(updateFrame(Y.encodeStateAsUpdate(filler, baseSv)));
      await sim.run();
      assert.equal(evil.closeCode, null, 'the filler itself passes');
      const entries = (await storedText(sim, 'crowded')).entries;
      // Then one insert per update at the same spot, each from a new client id: each would
      // make Yjs walk the 30,000 (200 of them held the loop 46 s before this check).
      const started = performance.now();
      for (let i = 0; i < 200; i++) evil.sendRaw(updateFrame(concurrentInserts(base, 1, 0, 1, 7_000 + i)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex);
      assert.match(evil.closeReason, /scan/);
      assert.ok(performance.now() - started < 10_000, 'bounded');
      assert.ok((await storedText(sim, 'crowded')).entries < entries + 10, 'refused after a few');
      await assertBystanderSaved(sim, b);
    }));

  it('HI1 frames of 256 items from 64 clients at one crowded spot are charged per item and refused (4415) within the budget', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const honest = await connectedWith(sim, node, 'contested', 'abc');
      const base = Y.encodeStateAsUpdate(honest.doc);
      // The hostile bench's frames: each at every per-update cap (64 ids × 4 inserts after 'a'),
      // every one at the spot the earlier ones crowd. Charged once per spot, all 20 passed.
      const frame = (k: number) => updateFrame(concurrentInserts(base, 64, 1, 4, 2_000_000 + 64 * k));
      const evil = await node.connect('contested');
      await sim.run();
      let k = 0;
      for (; k < 20 && evil.isConnected; k++) {
        evil.sendRaw(frame(k));
        await sim.run();
      }
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex);
      assert.match(evil.closeReason, /scan/);
      // Frame k walks 256 × the 256 (k - 1) items stored: 0, then 65,536 is past the 25,000
      // burst, so the second is refused.
      assert.equal(k, 2, 'refused at the second frame');
      // A fresh connection (a fresh burst) cannot place it either: it alone is past the burst.
      const again = await node.connect('contested');
      await sim.run();
      again.sendRaw(frame(1));
      await sim.run();
      assert.equal(again.closeCode, CloseCode.UpdateTooComplex);
      assert.match(again.closeReason, /scan/);
      assert.equal((await storedText(sim, 'contested')).text.length, 3 + 256, 'one frame stored, no more');
      await assertBystanderSaved(sim, b);
    }));

  it('HI1 a contested frame the pad already has is not charged again: a client may resend what was stored', () =>
    scenario({}, async (sim, node) => {
      const honest = await connectedWith(sim, node, 'resend', 'abc');
      const base = Y.encodeStateAsUpdate(honest.doc);
      const frames = [0, 1].map((k) => updateFrame(concurrentInserts(base, 64, 1, 4, 2_000_000 + 64 * k)));
      const first = await node.connect('resend');
      await sim.run();
      for (const f of frames) first.sendRaw(f);
      await sim.run();
      assert.equal(first.closeCode, null);
      // Each resend of frame 1 would walk 256 × 256 if charged: two would pass the burst.
      const resender = await node.connect('resend');
      await sim.run();
      for (let i = 0; i < 4; i++) {
        resender.sendRaw(frames[1]!);
        await sim.run();
      }
      assert.equal(resender.closeCode, null, `closed ${resender.closeCode} ${resender.closeReason}`);
      assert.equal((await storedText(sim, 'resend')).text.length, 3 + 2 * 256);
    }));

  it('HI13 inserts whose origins were never neighbours are refused (4401), nothing stored; honest resends pass', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const writer = await connectedWith(sim, node, 'origins', 'hello');
      const a = writer.doc.clientID;
      // One struct, as a crafted v1 update: (client, 0) "Z" between `origin` and `right`.
      const item = (client: number, clock: number, origin: [number, number], right: [number, number], str: string) => {
        const e = encoding.createEncoder();
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, client);
        encoding.writeVarUint(e, clock);
        encoding.writeUint8(e, 0x80 | 0x40 | 4);
        for (const n of [...origin, ...right]) encoding.writeVarUint(e, n);
        encoding.writeVarString(e, str);
        encoding.writeVarUint(e, 0);
        return encoding.toUint8Array(e);
      };
      const attacks: [string, Uint8Array][] = [
        ['right origin left of the origin', item(777, 0, [a, 3], [a, 1], 'Z')],
        ['a known clock between them', item(777, 0, [a, 1], [a, 3], 'Z')],
        // The fuzzer's find: an item the pad has in part is placed after its client's last
        // clock (a, 4), where its right origin (a, 1) lies to the left.
        ['known in part', item(a, 3, [a, 2], [a, 1], 'lozz')],
      ];
      for (const [what, update] of attacks) {
        const evil = await node.connect('origins');
        await sim.run();
        evil.sendRaw(updateFrame(update));
        await sim.run();
        assert.equal(evil.closeCode, CloseCode.InvalidUpdate, `${what}: closed ${evil.closeCode}`);
        assert.match(evil.closeReason, /never neighbours/);
        assert.equal((await storedText(sim, 'origins')).text, 'hello', what);
      }
      // An item the pad already has, sent again with an origin inside a character: Yjs would
      // split that character here alone (two U+FFFD on the node, "😀" on every client).
      const emoji = await connectedWith(sim, node, 'pair', 'a😀b');
      const v = await connectedWith(sim, node, 'pair', '');
      v.insert(4, 'z');
      await sim.run();
      const w = emoji.doc.clientID;
      const resent = await node.connect('pair');
      await sim.run();
      resent.sendRaw(updateFrame(item(v.doc.clientID, 0, [w, 1], [w, 2], 'z')));
      await sim.run();
      assert.equal(resent.closeCode, CloseCode.InvalidUpdate);
      assert.match(resent.closeReason, /inside a character/);
      assert.equal(node.rooms.peek('pair')!.text, 'a😀bz');
      assert.equal(emoji.text, 'a😀bz');
      // Honest: the writer's own run sent again from an older state vector, and a neighbour's insert.
      const sv = encoding.createEncoder();
      encoding.writeVarUint(sv, 1);
      encoding.writeVarUint(sv, a);
      encoding.writeVarUint(sv, 3);
      writer.insert(5, '!!');
      await sim.run();
      const resend = Y.encodeStateAsUpdate(writer.doc, encoding.toUint8Array(sv));
      const other = await node.connect('origins');
      await sim.run();
      other.sendRaw(updateFrame(resend));
      other.insert(2, 'X');
      await sim.run();
      assert.equal(other.closeCode, null, `closed ${other.closeCode} ${other.closeReason}`);
      assert.equal(writer.closeCode, null);
      assert.equal((await storedText(sim, 'origins')).text, 'heXllo!!');
      assert.equal(writer.text, 'heXllo!!');
      await assertBystanderSaved(sim, b);
    }));

  it('HI13 an insert whose origin comes in the same update, with a right origin it was never next to: 4401 once placed, nothing stored or sent, the pad reloads; an honest update of such inserts passes', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const writer = await connectedWith(sim, node, 'batch', 'hello');
      const a = writer.doc.clientID;
      // One block of client 777: "Y" after (a, 0), then "Z" after "Y" with right origin (a, 3),
      // while (a, 1) and (a, 2) lie between them: a creator that knew (a, 3) knew those too.
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint(e, 777);
      encoding.writeVarUint(e, 0);
      for (const [origin, right, str] of [
        [[a, 0], [a, 1], 'Y'],
        [[777, 0], [a, 3], 'Z'],
      ] as const) {
        encoding.writeUint8(e, 0x80 | 0x40 | 4);
        for (const n of [...origin, ...right]) encoding.writeVarUint(e, n);
        encoding.writeVarString(e, str);
      }
      encoding.writeVarUint(e, 0);
      const evil = await node.connect('batch');
      const watcher = await node.connect('batch');
      await sim.run();
      const seen = watcher.receivedOf('update').length;
      evil.sendRaw(updateFrame(encoding.toUint8Array(e)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.InvalidUpdate, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.match(evil.closeReason, /never neighbours/);
      assert.equal(watcher.receivedOf('update').length, seen, 'nothing of it sent to the others');
      assert.equal(watcher.closeCode, CloseCode.Reload, 'the others reconnect to the reloaded pad');
      assert.equal((await storedText(sim, 'batch')).text, 'hello', 'nothing of it stored');
      const again = await node.connect('batch');
      await sim.run();
      assert.equal(again.text, 'hello', 'the reloaded pad holds none of it');
      // Honest: offline typing sent as one update, where later inserts sit after earlier ones.
      const offline = new Y.Doc();
      Y.applyUpdate(offline, Y.encodeStateAsUpdate(again.doc));
      const t = offline.getText('content');
      const sv = Y.encodeStateVector(offline);
      t.insert(1, 'A');
      t.insert(2, 'B');
      t.insert(5, 'C');
      t.insert(3, 'D');
      t.insert(0, 'E');
      again.sendRaw(updateFrame(Y.encodeStateAsUpdate(offline, sv)));
      await sim.run();
      assert.equal(again.closeCode, null, `closed ${again.closeCode} ${again.closeReason}`);
      assert.equal((await storedText(sim, 'batch')).text, t.toString());
      await assertBystanderSaved(sim, b);
    }));

  it('HI13 an insert after an item whose position-mate (same origin, another right origin) was found well placed is still walked: 4401', () =>
    scenario({}, async (sim, node) => {
      const writer = await connectedWith(sim, node, 'mates', 'hello');
      const a = writer.doc.clientID;
      // After r0 = (777, 0): w = (1, 0) and r1 = (777, 1) before (a, 1), and y = (777, 2) before w.
      // Yjs puts w first (same origin and right origin as r1, and r1 gives way): r0 y w r1. Then
      // Z after r1 claims w as its right origin, though w lies to its left. y was found well
      // placed before w; r1 shares y's position but not its right origin.
      const e = encoding.createEncoder();
      const item = (origin: readonly number[], right: readonly number[], str: string) =>
        writeItem(e, origin, right, str);
      encoding.writeVarUint(e, 2);
      for (const x of [4, 777, 0]) encoding.writeVarUint(e, x);
      item([a, 0], [a, 1], 'r');
      item([777, 0], [a, 1], 'r');
      item([777, 0], [1, 0], 'y');
      item([777, 1], [1, 0], 'Z');
      for (const x of [1, 1, 0]) encoding.writeVarUint(e, x);
      item([777, 0], [a, 1], 'w');
      encoding.writeVarUint(e, 0);
      const evil = await node.connect('mates');
      await sim.run();
      evil.sendRaw(updateFrame(encoding.toUint8Array(e)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.InvalidUpdate, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.match(evil.closeReason, /777:1, 1:0/);
      assert.equal((await storedText(sim, 'mates')).text, 'hello', 'nothing of it stored');
    }));

  it('HI13 an update that makes its own checks walk past their budget is refused (4415) rather than let an insert through unchecked; text typed at its start is not', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const writer = await connectedWith(sim, node, 'dear-walks', 'hello');
      const a = writer.doc.clientID;
      // Client 777 types a run of m "r" between (a, 0) and (a, 1), and client 778 an "x" after
      // it. Then 777 puts a "y" after each r, before x: each walks over the rest of the run (and
      // the ys placed there), ~m²/2 structs, none its creator is known to have had, and no two
      // from the same item. Last, "Z" after the last y, claiming (a, 3) as its right origin
      // while (a, 1) and (a, 2) lie between. With the walks spent, Z went unchecked.
      const m = 1_000;
      const e = encoding.createEncoder();
      const item = (origin: readonly number[], right: readonly number[], str: string) =>
        writeItem(e, origin, right, str);
      encoding.writeVarUint(e, 2);
      for (const x of [2 * m + 1, 777, 0]) encoding.writeVarUint(e, x);
      for (let k = 0; k < m; k++) item(k === 0 ? [a, 0] : [777, k - 1], [a, 1], 'r');
      for (let k = 0; k < m; k++) item([777, k], [778, 0], 'y');
      item([777, 2 * m - 1], [a, 3], 'Z');
      for (const x of [1, 778, 0]) encoding.writeVarUint(e, x);
      item([777, m - 1], [a, 1], 'x');
      encoding.writeVarUint(e, 0);
      const evil = await node.connect('dear-walks');
      const watcher = await node.connect('dear-walks');
      await sim.run();
      evil.sendRaw(updateFrame(encoding.toUint8Array(e)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.match(evil.closeReason, /walk more than/);
      assert.equal(watcher.closeCode, CloseCode.Reload, 'the pad reloads without it');
      assert.equal((await storedText(sim, 'dear-walks')).text, 'hello', 'nothing of it stored');
      const counted = (await node.metrics.rejected.get()).values.find((v) => v.labels.reason === 'placed_walk');
      assert.equal(counted?.value, 1, 'counted');
      // Honest and alike in length: 20,000 characters typed at alternating ends, 10,000 of them
      // each before the last at the start (~n²/8 structs walked before walks were shared).
      const typist = await node.connect('dear-walks', { doc: fragmentedText(20_000, 888) });
      await sim.run();
      assert.equal(typist.closeCode, null, `closed ${typist.closeCode} ${typist.closeReason}`);
      assert.equal((await storedText(sim, 'dear-walks')).text.length, 20_005);
      await assertBystanderSaved(sim, b);
    }));

  it('HI13 the same in a big update applied in slices: the slice that places it is neither stored nor sent, the sender gets 4401', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const writer = await connectedWith(sim, node, 'sliced', 'hello');
      const a = writer.doc.clientID;
      // One block of client 777: a chain of "x" typed between (a, 0) and (a, 1), several slices
      // long, whose last insert "Z" claims (a, 3) as its right origin: (a, 1) and (a, 2) lie between.
      const n = 3 * SLICE_STRUCTS;
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, n);
      encoding.writeVarUint(e, 777);
      encoding.writeVarUint(e, 0);
      for (let k = 0; k < n; k++) {
        const last = k === n - 1;
        const origin = k === 0 ? [a, 0] : [777, k - 1];
        encoding.writeUint8(e, 0x80 | 0x40 | 4);
        for (const x of [...origin, a, last ? 3 : 1]) encoding.writeVarUint(e, x);
        encoding.writeVarString(e, last ? 'Z' : 'x');
      }
      encoding.writeVarUint(e, 0);
      const update = encoding.toUint8Array(e);
      assert.ok(update.length > SMALL_UPDATE_BYTES, 'read in steps and applied in slices');
      const evil = await node.connect('sliced');
      const watcher = await node.connect('sliced');
      await sim.run();
      evil.sendRaw(updateFrame(update));
      for (let t = 0; t < 200 && evil.closeCode === null; t++) await sim.advance(1);
      assert.equal(evil.closeCode, CloseCode.InvalidUpdate, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.match(evil.closeReason, /never neighbours/);
      assert.equal(watcher.closeCode, CloseCode.Reload);
      assert.ok(!watcher.text.includes('Z'), 'the slice that places it was not sent');
      assert.ok(!(await storedText(sim, 'sliced')).text.includes('Z'), 'nor stored');
      const again = await node.connect('sliced');
      await sim.run();
      assert.ok(!again.text.includes('Z'), 'the reloaded pad does not hold it');
      assert.ok(again.text.startsWith('h') && again.text.endsWith('ello'), again.text.slice(0, 20));
      await assertBystanderSaved(sim, b);
    }));

  it('HI13 an insert that waits for its origin and then lands between non-neighbours: refused when placed, its stored entry quarantined, the typist who sent the origin is saved on resending', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const writer = await connectedWith(sim, node, 'waits', 'hello');
      const evil = await node.connect('waits');
      const watcher = await node.connect('waits');
      await sim.run();
      // "Z" after (a, 6), which the writer has yet to type, with right origin (a, 3): whoever
      // knew (a, 6) knew (a, 4) to (a, 6) too, which lie between them.
      evil.sendRaw(updateFrame(waitingInsert(writer.doc.clientID, 6, 3)));
      await sim.run();
      assert.equal(evil.closeCode, null, 'it waits in Yjs, unchecked so far');
      writer.insert(5, '!!');
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.InvalidUpdate, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.match(evil.closeReason, /never neighbours/);
      assert.equal(writer.closeCode, CloseCode.Reload, 'the batch that placed it was discarded');
      assert.equal(watcher.closeCode, CloseCode.Reload);
      assert.ok(!watcher.text.includes('Z'), 'nothing of it sent');
      await sim.run();
      const jailed = await sim.storage.quarantined('waits');
      assert.deepEqual(
        jailed.map((q) => q.reason),
        ['misplaced'],
        'its entry, stored as received, is moved aside',
      );
      const back = await node.connect('waits', { doc: writer.doc });
      await sim.run();
      assert.equal(back.closeCode, null, `closed ${back.closeCode} ${back.closeReason}`);
      assert.equal(back.acked, back.sent, 'the resent typing is saved');
      assert.equal((await storedText(sim, 'waits')).text, 'hello!!');
      const fresh = await node.connect('waits');
      await sim.run();
      assert.equal(fresh.text, 'hello!!');
      await assertBystanderSaved(sim, b);
    }));

  it('HI13 the same insert left waiting by a load (after a crash; after an unload and a compaction that put it among the pending structs of a snapshot) is checked when placed', async () => {
    for (const how of ['crash', 'unload'] as const) {
      const sim = new Sim();
      try {
        const first = sim.node();
        const writer = await connectedWith(sim, first, 'reload', 'hello');
        const evil = await first.connect('reload');
        await sim.run();
        evil.sendRaw(updateFrame(waitingInsert(writer.doc.clientID, 6, 3)));
        await sim.run();
        if (how === 'crash') first.crash();
        else {
          writer.disconnect();
          evil.disconnect();
          await first.close();
          await compactPad(sim.storage, 'reload');
          assert.ok((await sim.storage.load('reload')).snapshot, 'the log folded, pending structs included');
        }
        const second = sim.node();
        const back = await second.connect('reload', { doc: writer.doc });
        await sim.run();
        back.insert(5, '!!');
        await sim.run();
        assert.equal(back.closeCode, CloseCode.Reload, `${how}: closed ${back.closeCode} ${back.closeReason}`);
        await sim.run();
        const again = await second.connect('reload', { doc: writer.doc });
        await sim.run();
        assert.equal(again.closeCode, null, `${how}: closed ${again.closeCode} ${again.closeReason}`);
        assert.equal(again.acked, again.sent, `${how}: the resent typing is saved`);
        const fresh = await second.connect('reload');
        await sim.run();
        assert.equal(fresh.text, 'hello!!', how);
        await second.close();
        assert.equal((await storedText(sim, 'reload')).text, 'hello!!', `${how}: stored without it`);
      } finally {
        await sim.storage.close();
      }
    }
  });

  it('HS5 HI13 a joiner of a big pad loaded with a waiting insert waits for the join answer folded without it (no encode of the pad on the loop)', async () => {
    const sim = new Sim();
    try {
      const first = sim.node();
      const writer = await first.connect('bigwait', { doc: fragmentedText(12_000) });
      await sim.run();
      const evil = await first.connect('bigwait');
      await sim.run();
      const last = writer.doc.store.clients.get(writer.doc.clientID)!.length;
      evil.sendRaw(updateFrame(waitingInsert(writer.doc.clientID, last + 5, 3)));
      await sim.run();
      first.crash();
      // Folds wait for the test, as one on the compactor thread takes its time.
      let go!: () => void;
      const gate = new Promise<void>((resolve) => (go = resolve));
      const folder: Folder = {
        fold: async (snapshot, updates, opts) => (await gate, inlineFolder.fold(snapshot, updates, opts)),
        merge: (updates) => inlineFolder.merge(updates),
      };
      const second = sim.node({ folder });
      const joiner = await second.connect('bigwait');
      await sim.run();
      assert.equal(joiner.receivedOf('sync-step2').length, 0, 'no answer until the fold is done');
      go();
      await sim.run();
      assert.equal(joiner.closeCode, null, `closed ${joiner.closeCode} ${joiner.closeReason}`);
      assert.equal(joiner.text.length, 12_000, 'answered, with the whole text');
      assert.equal(joiner.doc.store.pendingStructs, null, 'and nothing that waits');
      assert.ok(!joiner.text.includes('Z'));
      await second.close();
    } finally {
      await sim.storage.close();
    }
  });

  it('HI3 HI13 inserts that may wait past their batch are bounded per pad (4524)', () =>
    scenario({}, async (sim, node) => {
      const writer = await connectedWith(sim, node, 'many', 'hello');
      const a = writer.doc.clientID;
      const evil = await node.connect('many');
      await sim.run();
      // One update of MAX_UNPLACED_ANCHORS + 1 inserts, each at its own spot after a clock the
      // writer has yet to type (well placed or not, none can be checked before it is there).
      const n = MAX_UNPLACED_ANCHORS + 1;
      const e = encoding.createEncoder();
      for (const x of [1, n, 777, 0]) encoding.writeVarUint(e, x);
      for (let k = 0; k < n; k++) {
        encoding.writeUint8(e, 0x80 | 0x40 | 4);
        for (const x of [a, 100 + k, a, 101 + k]) encoding.writeVarUint(e, x);
        encoding.writeVarString(e, 'q');
      }
      encoding.writeVarUint(e, 0);
      evil.sendRaw(updateFrame(encoding.toUint8Array(e)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.MissingDependencies, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.match(evil.closeReason, /inserts waiting/);
      assert.equal((await sim.storage.load('many')).updates.length, 1, 'nothing of it stored');
    }));

  it('HI1 delete sets that make Yjs step over or split structs past the budget are refused (4415), nothing applied', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      // 10,000 copies of one range over 20,000 structs: each copy steps over all of them (1.2 s).
      const fragmented = await node.connect('steps', { doc: fragmentedText(20_000) });
      await sim.run();
      const evil = await node.connect('steps');
      await sim.run();
      evil.sendRaw(updateFrame(deleteRanges(5, Array(10_000).fill([0, 20_000]))));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex);
      assert.match(evil.closeReason, /scan/);
      assert.equal((await storedText(sim, 'steps')).text.length, 20_000, 'nothing deleted');
      assert.equal(fragmented.text.length, 20_000);
      // 100,000 one-clock ranges in reverse over one run: each split moves the whole array (47 s).
      const run = await node.connect('splits', { doc: baseText(200_000, 5) });
      await sim.run();
      const evil2 = await node.connect('splits');
      await sim.run();
      const reverse = Array.from({ length: 100_000 }, (_, i) => [200_000 - 2 * (i + 1), 1] as const);
      evil2.sendRaw(updateFrame(deleteRanges(5, reverse)));
      await sim.run();
      assert.equal(evil2.closeCode, CloseCode.UpdateTooComplex);
      assert.equal(run.text.length, 200_000, 'nothing deleted');
      await assertBystanderSaved(sim, b);
    }));

  it('HS2 HI1 a delete set under the budget but dear (500 copies of a range over 20,000 structs, with an insert) is applied a slice per turn; other pads move in between; the result is the whole update applied', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const fragmented = await node.connect('dear', { doc: fragmentedText(20_000) });
      await sim.run();
      const evil = await node.connect('dear');
      await sim.run();
      // One insert of client 9 at the end, then the dear delete set: one update.
      const ds = deleteRanges(5, Array(500).fill([0, 20_000]));
      const typist = new Y.Doc();
      typist.clientID = 9;
      Y.applyUpdate(typist, Y.encodeStateAsUpdate(fragmented.doc));
      const sv = Y.encodeStateVector(typist);
      typist.getText('content').insert(20_000, 'A');
      const insert = Y.encodeStateAsUpdate(typist, sv);
      // Its empty delete set (the last byte) replaced by the dear one.
      const update = new Uint8Array([...insert.subarray(0, insert.length - 1), ...ds.subarray(1)]);
      const expected = new Y.Doc();
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(fragmented.doc));
      Y.applyUpdate(expected, update);
      assert.equal(expected.getText('content').toString(), 'A');
      const watcher = await node.connect('bystander');
      await sim.run();
      const before = fragmented.receivedOf('update').length;
      evil.sendRaw(updateFrame(update));
      evil.flushUp();
      b.insert(b.text.length, 'x');
      b.flushUp();
      let bystanderFirst = false;
      for (let t = 0; t < 1_000 && (await sim.clock.step()); t++) {
        watcher.flushDown();
        fragmented.flushDown();
        if (watcher.text.endsWith('x') && fragmented.text !== 'A') bystanderFirst = true;
      }
      await sim.run();
      assert.equal(evil.closeCode, null, `closed ${evil.closeCode} ${evil.closeReason}`);
      assert.equal(fragmented.text, 'A');
      const slices = fragmented.receivedOf('update').length - before;
      // The insert, then the first ~1,000,000 visits' worth of ranges; Yjs merges what they
      // deleted when that transaction ends, so the copies after it cost little.
      assert.ok(slices >= 2, `applied in ${slices} slices`);
      assert.ok(bystanderFirst, "the bystander's edit went out while it was being applied");
      assert.equal((await storedText(sim, 'dear')).text, 'A');
      assert.deepEqual(Y.encodeStateVector(fragmented.doc), Y.encodeStateVector(expected));
    }));

  it('HS3 HI1 dear delete sets on two pads at once are applied one after the other: no turn holds slices of both', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const pads = ['dear-a', 'dear-b'];
      const holders = await Promise.all(pads.map((p) => node.connect(p, { doc: fragmentedText(20_000) })));
      await sim.run();
      const evil = await Promise.all(pads.map((p) => node.connect(p)));
      await sim.run();
      const before = holders.map((h) => h.receivedOf('update').length);
      // Each is ~10,000,000 visits, ~10 slices of ~1,000,000: range k covers one more struct than
      // range k - 1, so every slice deletes something and sends an update.
      const ranges = Array.from({ length: 500 }, (_, k) => [0, 19_501 + k] as const);
      for (const e of evil) e.sendRaw(updateFrame(deleteRanges(5, ranges)));
      for (const e of evil) e.flushUp();
      /** The turns in which each pad's holder got a slice. */
      const turns: number[][] = [[], []];
      for (let t = 0; t < 1_000 && (await sim.clock.step()); t++) {
        holders.forEach((h, i) => {
          const had = h.receivedOf('update').length;
          h.flushDown();
          if (h.receivedOf('update').length > had) turns[i]!.push(t);
        });
      }
      await sim.run();
      evil.forEach((e) => assert.equal(e.closeCode, null, `closed ${e.closeCode} ${e.closeReason}`));
      holders.forEach((h, i) => {
        assert.equal(h.text, '', `${pads[i]} all deleted`);
        assert.ok(h.receivedOf('update').length - before[i]! >= 2, `${pads[i]} in slices`);
      });
      const [first, second] = turns[0]![0]! < turns[1]![0]! ? turns : [turns[1]!, turns[0]!];
      assert.ok(
        first!.at(-1)! < second![0]!,
        `one pad's slices (turns ${first!.join(',')}) all before the other's (${second!.join(',')})`,
      );
      assert.equal(node.deleteSlices.load.active, 0, 'the slot is free again');
      await assertBystanderSaved(sim, b);
    }));

  it('HS3 HI1 two dear delete sets in one batch of one pad both apply: the first frees its place when it is done, not when the batch is', () =>
    scenario({}, async (sim, node) => {
      const holder = await node.connect('two', { doc: fragmentedText(20_000) });
      await sim.run();
      const evil = await Promise.all([node.connect('two'), node.connect('two')]);
      await sim.run();
      const half = (k: number) => Array.from({ length: 300 }, (_, i) => [0, 10_000 * k + 9_700 + i] as const);
      evil.forEach((e, k) => e.sendRaw(updateFrame(deleteRanges(5, half(k)))));
      for (const e of evil) e.flushUp();
      await sim.run();
      evil.forEach((e) => assert.equal(e.closeCode, null, `closed ${e.closeCode} ${e.closeReason}`));
      assert.equal(holder.text.length, 20_000 - 19_999, 'both applied');
      assert.deepEqual(node.deleteSlices.load, { active: 0, waiting: 0 });
    }));

  it('HS3 HI1 dear delete sets past the line (one applied, eight waiting) are refused with 4513; the rest apply', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      const pads = Array.from({ length: 10 }, (_, i) => `line-${i}`);
      // 250 copies of a range over 5,000 structs: 1,250,000 visits, past one delete slice.
      const text = Y.encodeStateAsUpdate(fragmentedText(5_000));
      const holders: SimClient[] = [];
      // One at a time: each holder's text is a big update, and those have a line of their own.
      for (const p of pads) {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, text);
        holders.push(await node.connect(p, { doc }));
        await sim.run();
      }
      const evil = await Promise.all(pads.map((p) => node.connect(p)));
      await sim.run();
      for (const e of evil) e.sendRaw(updateFrame(deleteRanges(5, Array(250).fill([0, 5_000]))));
      for (const e of evil) e.flushUp();
      await sim.run();
      const refused = evil.filter((e) => e.closeCode !== null);
      assert.equal(refused.length, 1, `one past the line: ${refused.map((e) => e.closeReason).join('; ')}`);
      assert.equal(refused[0]!.closeCode, CloseCode.NodeOverloaded, refused[0]!.closeReason);
      assert.match(refused[0]!.closeReason, /delete sets/);
      const pad = pads[evil.indexOf(refused[0]!)]!;
      assert.equal((await storedText(sim, pad)).text.length, 5_000, 'nothing of the refused one applied');
      for (const [i, h] of holders.entries()) if (pads[i] !== pad) assert.equal(h.text, '', `${pads[i]} deleted`);
      assert.deepEqual(node.deleteSlices.load, { active: 0, waiting: 0 });
      const counted = (await node.metrics.rejected.get()).values.find((v) => v.labels.reason === 'slicing_busy');
      assert.equal(counted?.value, 1, 'counted');
      await assertBystanderSaved(sim, b);
    }));

  it('HI1 honest deletes pass the delete charge: all of a fragmented pad in one range, 3,000 word deletes', () =>
    scenario({}, async (sim, node) => {
      const owner = await node.connect('deletes', { doc: fragmentedText(20_000) });
      await sim.run();
      const other = await node.connect('deletes');
      await sim.run();
      owner.delete(0, owner.text.length);
      await sim.run();
      assert.equal(other.text, '');
      const words = await node.connect('words', { doc: baseText(200_000, 5) });
      await sim.run();
      const sent = deleteRanges(
        5,
        Array.from({ length: 3_000 }, (_, i) => [60 * i, 5] as const),
      );
      words.sendRaw(updateFrame(sent));
      await sim.run();
      assert.equal(words.closeCode, null, `closed ${words.closeCode} ${words.closeReason}`);
      assert.equal((await storedText(sim, 'words')).text.length, 200_000 - 15_000);
    }));

  it('HI1 an update past the struct cap (map entries, cheap on the wire) is refused with 4415, nothing stored', () =>
    scenario({ maxUpdateStructs: 5_000 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const src = new Y.Doc();
      const m = src.getMap('m');
      src.transact(() => {
        for (let i = 0; i < 5_001; i++) m.set(`k${i}`, i);
      });
      const evil = await node.connect('heap1');
      await sim.run();
      evil.sendRaw(updateFrame(Y.encodeStateAsUpdate(src)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.UpdateTooComplex);
      assert.match(evil.closeReason, /structs/);
      assert.equal((await storedText(sim, 'heap1')).entries, 0);
      await assertBystanderSaved(sim, b);
    }));

  it('HI2 a pad past its struct cap refuses the update that would pass it (4414); earlier ones stay stored', () =>
    scenario({ maxPadStructs: 10_000 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const evil = await node.connect('heap2');
      await sim.run();
      const src = new Y.Doc();
      const m = src.getMap('m');
      let sv = Y.encodeStateVector(src);
      const chunk = () => {
        src.transact(() => {
          for (let i = 0; i < 4_000; i++) m.set(`k${m.size}`, i);
        });
        const u = Y.encodeStateAsUpdate(src, sv);
        sv = Y.encodeStateVector(src);
        return u;
      };
      evil.sendRaw(updateFrame(chunk()));
      evil.sendRaw(updateFrame(chunk()));
      await sim.run();
      assert.equal(evil.closeCode, null, 'two chunks fit');
      const before = (await storedText(sim, 'heap2')).entries;
      evil.sendRaw(updateFrame(chunk()));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.PadTooComplex);
      assert.match(evil.closeReason, /structs/);
      assert.equal((await storedText(sim, 'heap2')).entries, before, 'nothing of the refused update stored');
      await assertBystanderSaved(sim, b);
    }));

  it('HI2 a pad past its client-id cap refuses the update that brings new ids (4414)', () =>
    scenario({ maxPadClients: 100 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const honest = await connectedWith(sim, node, 'ids', 'x');
      const evil = await node.connect('ids');
      await sim.run();
      // Inserts at distinct positions: only the client-id cap is in play.
      const spread = (from: number) => {
        const parts: Uint8Array[] = [];
        const base = Y.encodeStateAsUpdate(honest.doc);
        for (let i = 0; i < 60; i++) {
          const d = new Y.Doc();
          d.clientID = from + i;
          Y.applyUpdate(d, base);
          d.getText('content').insert(1, String(i % 10));
          parts.push(Y.encodeStateAsUpdate(d, Y.encodeStateVectorFromUpdate(base)));
        }
        return concatClientBlocks(parts);
      };
      evil.sendRaw(updateFrame(spread(5_000)));
      await sim.run();
      assert.equal(evil.closeCode, null);
      const stored = (await storedText(sim, 'ids')).text;
      evil.sendRaw(updateFrame(spread(9_000)));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.PadTooComplex);
      assert.match(evil.closeReason, /client ids/);
      assert.equal((await storedText(sim, 'ids')).text, stored);
      await assertBystanderSaved(sim, b);
    }));

  it('HI3 updates with missing dependencies are bounded per pad (4524); the refused one is not stored', () =>
    scenario({ maxPendingBytes: 64 * 1024 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const evil = await node.connect('pending');
      await sim.run();
      const src = new Y.Doc();
      const t = src.getText('content');
      t.insert(0, 'the missing first edit');
      let sv = Y.encodeStateVector(src);
      const dependent = () => {
        t.insert(t.length, 'y'.repeat(20_000));
        const u = Y.encodeStateAsUpdate(src, sv);
        sv = Y.encodeStateVector(src);
        return u;
      };
      for (let i = 0; i < 3; i++) evil.sendRaw(updateFrame(dependent()));
      await sim.run();
      assert.equal(evil.closeCode, null, '60 KB pending fits');
      evil.sent += 3;
      assert.equal(evil.acked, evil.sent - 3, 'updates waiting for a dependency are not acknowledged (P2)');
      const entries = (await storedText(sim, 'pending')).entries;
      assert.ok(entries >= 3, 'but they are stored as received (HI3)');
      evil.sendRaw(updateFrame(dependent()));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.MissingDependencies);
      assert.equal((await storedText(sim, 'pending')).entries, entries, 'refused update not stored');
      await assertBystanderSaved(sim, b);
    }));

  it('HI3 P2 an update sent before its dependency is stored, not acknowledged, survives a crash, and completes when the dependency arrives', async () => {
    const sim = new Sim();
    try {
      const first = sim.node();
      const author = new Y.Doc();
      const t = author.getText('content');
      t.insert(0, 'hello');
      const dependency = Y.encodeStateAsUpdate(author);
      const sv = Y.encodeStateVector(author);
      t.insert(5, ' world');
      const dependent = Y.encodeStateAsUpdate(author, sv);
      const c = await first.connect('order');
      await sim.run();
      c.sendRaw(updateFrame(dependent));
      c.sent++;
      await sim.run();
      assert.equal(c.acked, c.sent - 1, 'no saved: a reload would not show the dependent update yet');
      first.crash();
      const second = sim.node();
      const d = await second.connect('order');
      await sim.run();
      d.sendRaw(updateFrame(dependency));
      await sim.run();
      const e = await second.connect('order');
      await sim.run();
      assert.equal(e.text, 'hello world');
      await second.close();
      assert.equal((await storedText(sim, 'order')).text, 'hello world', 'complete in storage too');
    } finally {
      await sim.storage.close();
    }
  });

  it('P2 D1 saved for an update that waited covers it once its dependency is stored: a crash then loses neither', async () => {
    // The reconnect race the PostgreSQL soak found: a client types before answering the new
    // node's sync step 1, so its edit depends on what its sync step 2 brings a moment later.
    const sim = new Sim();
    try {
      const first = sim.node();
      const author = new Y.Doc();
      const t = author.getText('content');
      t.insert(0, 'offline ');
      const dependency = Y.encodeStateAsUpdate(author);
      const sv = Y.encodeStateVector(author);
      t.insert(8, 'typed');
      const dependent = Y.encodeStateAsUpdate(author, sv);
      const other = await first.connect('race');
      const c = await first.connect('race');
      await sim.run();
      c.sendRaw(updateFrame(dependent));
      c.sent++;
      other.insert(0, '>');
      await sim.run();
      assert.equal(c.acked, c.sent - 1, 'the dependent update waits');
      assert.equal(other.acked, other.sent, 'a bystander on the pad is acknowledged meanwhile');
      c.sendRaw(updateFrame(dependency));
      c.sent++;
      await sim.run();
      assert.equal(c.acked, c.sent, 'one saved covers both once the dependency is stored');
      first.crash();
      const second = sim.node();
      const e = await second.connect('race');
      await sim.run();
      // '>' and 'offline ' were inserted concurrently at 0: their order depends on the client ids.
      assert.ok(['>offline typed', 'offline typed>'].includes(e.text), e.text);
      await second.close();
    } finally {
      await sim.storage.close();
    }
  });

  it('HI4 loads past the heap ceiling are refused (retryable), loaded pads keep working', () =>
    scenario({ heapLimit: 4 * 1024 * 1024, padIdleMs: 60_000_000 }, async (sim, node) => {
      const b = await bystander(sim, node);
      let refused: unknown = null;
      const held: SimClient[] = [];
      for (let i = 0; i < 50 && !refused; i++) {
        try {
          const c = await node.connect(`big${i}`);
          await sim.run();
          c.insert(0, 'z'.repeat(100_000));
          await sim.run();
          held.push(c);
        } catch (err) {
          refused = err;
        }
      }
      assert.ok(refused instanceof OverloadedError, `refused after ${held.length} pads`);
      assert.ok(held.length >= 2 && held.length < 50);
      const counted = (await node.metrics.rejected.get()).values.find((v) => v.labels.reason === 'node_overloaded');
      assert.ok((counted?.value ?? 0) > 0, 'counted in padmesh_rejected_total');
      await assertBystanderSaved(sim, b);
    }));

  it('HI5 sync step 1 frames past the burst close the connection (4529)', () =>
    scenario({}, async (sim, node) => {
      const b = await bystander(sim, node);
      await connectedWith(sim, node, 'sync', 'some text');
      const evil = await node.connect('sync');
      await sim.run();
      const sv = Y.encodeStateVector(evil.doc);
      for (let i = 0; i < 10; i++) evil.sendRaw(encodeMessage({ type: 'sync-step1', stateVector: sv }));
      await sim.run();
      assert.equal(evil.closeCode, CloseCode.RateLimited);
      assert.match(evil.closeReason, /sync/);
      await assertBystanderSaved(sim, b);
    }));

  it('HI5 clients that never read are cut once the node-wide send budget is passed (4508)', () =>
    scenario({ sendBufferBudgetBytes: 1024 * 1024, messageBurst: 10_000 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const w = await connectedWith(sim, node, 'sv', 'q'.repeat(300_000));
      const readers: SimClient[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await node.connect('sv');
        // A non-empty state vector: the answer is encoded for it (no cached frame).
        r.doc.clientID = 77 + i;
        r.doc.getText('other').insert(0, 'x');
        readers.push(r);
      }
      // They send their sync step 1 but never read what the server sends.
      for (const r of readers) r.paused = true;
      for (let t = 0; t < 50; t++) await sim.advance(100);
      const cut = readers.filter((r) => r.closeCode === CloseCode.SlowConsumer);
      assert.ok(cut.length >= 4, `${cut.length} cut`);
      assert.ok(node.sendBudget.queuedBytes <= 1024 * 1024 + 310_000, 'budget plus one frame');
      assert.ok(w.isConnected);
      await assertBystanderSaved(sim, b);
    }));
  it('HI5 HI6 a join storm past the node-wide send budget: answers wait for room, every reader gets the pad, one that never reads is cut while others wait', () =>
    scenario({ sendBufferBudgetBytes: 1024 * 1024, messageBurst: 10_000 }, async (sim, node) => {
      const b = await bystander(sim, node);
      const w = await connectedWith(sim, node, 'storm', 'q'.repeat(300_000));
      // First in line, so its answer goes out at once and then blocks the budget for the others.
      const stuck = await node.connect('storm');
      stuck.paused = true;
      const joiners: SimClient[] = [];
      for (let i = 0; i < 30; i++) {
        const j = await node.connect('storm');
        j.paused = true;
        joiners.push(j);
      }
      // Everyone asks at once, before anyone has read: 31 answers of 300 KB against 1 MiB.
      await sim.run();
      assert.ok(node.sendBudget.queuedBytes <= 1024 * 1024 + 310_000, `${node.sendBudget.queuedBytes} queued`);
      assert.ok(node.sendBudget.waitingAnswers >= 27, `${node.sendBudget.waitingAnswers} waiting`);
      // Slow links: each reads one frame per 200 ms. The budget lets ~3 answers out at a time,
      // so the last wait seconds (a reader that reads at once frees its room at once).
      for (let t = 0; t < 400 && !joiners.every((j) => j.text.length === 300_000); t++) {
        for (const j of joiners) {
          j.paused = false;
          j.flushDown(1);
          j.paused = true;
        }
        await sim.advance(200);
      }
      for (const j of joiners) {
        assert.equal(j.closeCode, null, `closed ${j.closeCode} ${j.closeReason}`);
        assert.equal(j.text.length, 300_000);
      }
      assert.equal(stuck.closeCode, CloseCode.SlowConsumer);
      assert.equal(node.sendBudget.waitingAnswers, 0);
      assert.ok(w.isConnected);
      await assertBystanderSaved(sim, b);
    }));
});

describe('Honest use under the HI limits', () => {
  it('HI6 a 5 M-character paste in one update is saved', () =>
    scenario({}, async (sim, node) => {
      const c = await connectedWith(sim, node, 'paste', 'a'.repeat(5_000_000 - 1));
      assert.equal(c.closeCode, null);
      assert.equal(c.acked, c.sent);
    }));

  it('HI6 400 clients each typing on one pad are all saved', () =>
    scenario({ messageBurst: 1_000 }, async (sim, node) => {
      const clients: SimClient[] = [];
      for (let i = 0; i < 400; i++) clients.push(await node.connect('crowd'));
      await sim.run();
      for (let round = 0; round < 3; round++) {
        for (const [i, c] of clients.entries()) c.insert(Math.min(c.text.length, i % 7), `${i % 10}`);
        await sim.run();
      }
      for (const c of clients) {
        assert.equal(c.closeCode, null, `client closed: ${c.closeReason}`);
        assert.equal(c.acked, c.sent);
      }
      assert.equal(clients[0]!.text.length, 1_200);
    }));

  it('HI6 an offline merge of 3,000 edits from several sessions is saved in one sync', () =>
    scenario({}, async (sim, node) => {
      const online = await connectedWith(sim, node, 'offline', 'shared start\n');
      const offline = new Y.Doc();
      Y.applyUpdate(offline, Y.encodeStateAsUpdate(online.doc));
      const t = offline.getText('content');
      // Five page loads while offline, each a new client id, 600 edits each, typed and deleted.
      for (let session = 0; session < 5; session++) {
        offline.clientID = 500 + session;
        for (let i = 0; i < 600; i++) {
          if (i % 10 === 9) t.delete(Math.floor(t.length / 2), 1);
          else t.insert((i * 7919) % (t.length + 1), 'o');
        }
      }
      online.insert(0, 'meanwhile ');
      await sim.run();
      const back = await node.connect('offline', { doc: offline });
      await sim.run();
      assert.equal(back.closeCode, null, back.closeReason);
      assert.equal(back.acked, back.sent);
      assert.equal(back.text, online.text);
    }));
});
