import { CloseCode, PRESENCE_DEFAULT_COLOR, PRESENCE_NAME_MAX } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  decodeEntries,
  PRESENCE_DEPARTED_KEEP,
  PRESENCE_FRAME_MAX_ENTRIES,
  PRESENCE_IDS_PER_CONN,
  PRESENCE_PER_PAD,
  PRESENCE_STATE_MAX_BYTES,
} from '../../src/room/presence-guard.js';
import { AWARENESS_TICK_MS } from '../../src/room/fanout.js';
import type { Room } from '../../src/room/room.js';
import { Sim, type SimNode } from '../../testing/sim/sim.js';
import type { SimClient } from '../../testing/sim/sim-client.js';
import { awarenessFrame } from '../../testing/hostile-frames.js';

const user = (name: string, color = '#1f6feb') => ({ user: { name, color } });
const sims: Sim[] = [];

/** A node with a pad under attack and, on another pad of the same node, two bystanders already in sync. */
async function world() {
  const sim = new Sim();
  sims.push(sim);
  const node = sim.node();
  const bx = await node.connect('bystander');
  const by = await node.connect('bystander');
  await sim.run();
  const room = async (pad: string): Promise<Room> => {
    const r = await node.rooms.acquire(pad);
    node.rooms.release(r);
    return r;
  };
  /** The bystander's edit round-trips and is acknowledged: the attack next door changed nothing for it. */
  const bystanderWorks = async () => {
    bx.insert(bx.text.length, 'still here. ');
    await sim.run();
    assert.equal(by.text, bx.text, 'bystander edit reached the other bystander');
    assert.equal(bx.acked, bx.sent, 'bystander edit acknowledged');
    assert.equal(bx.closeCode, null);
    assert.equal(by.closeCode, null);
  };
  /** Delivers everything and lets the presence fan-out window close (AWARENESS_TICK_MS), no more: no renewals. */
  const tick = async () => {
    await sim.run();
    await sim.advance(AWARENESS_TICK_MS);
  };
  return { sim, tick, node, room, bystanderWorks };
}

async function rejected(node: SimNode, reason: string): Promise<number> {
  return (await node.metrics.rejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

interface Seen {
  user?: { name?: string; color?: string; colorLight?: string; viewer?: boolean };
  cursor?: unknown;
}
const stateOf = (c: SimClient, id: number) => c.awareness.getStates().get(id) as Seen | undefined;

describe('Presence guard (SPEC PR)', () => {
  after(async () => {
    for (const s of sims) await s.close();
  });

  it('PR1 a presence state over PRESENCE_STATE_MAX_BYTES closes that connection (4422) and applies nothing; one at the limit passes', async () => {
    const { tick, node, room, bystanderWorks } = await world();
    const watcher = await node.connect('pr1');
    const honest = await node.connect('pr1');
    const attacker = await node.connect('pr1');
    await tick();
    const fill = (total: number) => {
      const base = JSON.stringify({ ...user('Big'), pad: '' }).length;
      return { ...user('Big'), pad: 'x'.repeat(total - base) };
    };
    assert.equal(JSON.stringify(fill(PRESENCE_STATE_MAX_BYTES)).length, PRESENCE_STATE_MAX_BYTES);
    honest.sendRaw(awarenessFrame([{ id: honest.doc.clientID, clock: 1, state: fill(PRESENCE_STATE_MAX_BYTES) }]));
    attacker.sendRaw(
      awarenessFrame([{ id: attacker.doc.clientID, clock: 1, state: fill(PRESENCE_STATE_MAX_BYTES + 1) }]),
    );
    await tick();
    assert.equal(attacker.closeCode, CloseCode.PresenceRejected);
    assert.equal(honest.closeCode, null);
    assert.equal(stateOf(watcher, honest.doc.clientID)?.user?.name, 'Big', 'a state at the limit is relayed');
    assert.equal((await room('pr1')).awareness.getStates().has(attacker.doc.clientID), false);
    assert.equal(stateOf(watcher, attacker.doc.clientID), undefined);
    assert.equal(await rejected(node, 'presence_too_large'), 1);
    await bystanderWorks();
  });

  it('PR2 an entry flood in one frame, or more than PRESENCE_IDS_PER_CONN ids on a connection, closes it (4422) and applies nothing', async () => {
    const { tick, node, room, bystanderWorks } = await world();
    const watcher = await node.connect('pr2');
    const flooder = await node.connect('pr2');
    const hoarder = await node.connect('pr2');
    await tick();
    const many = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({ id: from + i, clock: 1, state: user(`p${i}`) }));
    flooder.sendRaw(awarenessFrame(many(PRESENCE_FRAME_MAX_ENTRIES + 1, 1_000_000)));
    hoarder.sendRaw(awarenessFrame(many(PRESENCE_IDS_PER_CONN + 1, 2_000_000)));
    await tick();
    assert.equal(flooder.closeCode, CloseCode.PresenceRejected);
    assert.equal(hoarder.closeCode, CloseCode.PresenceRejected);
    assert.equal((await room('pr2')).awareness.getStates().size, 0, 'not even the first entries applied');
    assert.equal(watcher.awareness.getStates().size, 0);
    assert.equal(await rejected(node, 'presence_flood'), 1);
    assert.equal(await rejected(node, 'presence_ids'), 1);
    await bystanderWorks();
  });

  it('PR2 a pad shows at most PRESENCE_PER_PAD people (newcomers still edit), and departed ids do not grow its memory', async () => {
    const { tick, node, room, bystanderWorks } = await world();
    const members: SimClient[] = [];
    for (let i = 0; i < PRESENCE_PER_PAD / PRESENCE_IDS_PER_CONN; i++) {
      const c = await node.connect('pr2-full');
      const ids = Array.from({ length: PRESENCE_IDS_PER_CONN }, (_, k) => 10_000 + i * 10 + k);
      c.sendRaw(awarenessFrame(ids.map((id) => ({ id, clock: 1, state: user(`m${id}`) }))));
      members.push(c);
    }
    const late = await node.connect('pr2-full');
    await tick();
    late.setPresence(user('Late'));
    late.insert(0, 'late but editing');
    await tick();
    late.setPresence(user('Late, moved')); // counted once per connection, not per cursor move
    await tick();
    const pad = await room('pr2-full');
    assert.equal(pad.awareness.getStates().size, PRESENCE_PER_PAD);
    assert.equal(pad.awareness.getStates().has(late.doc.clientID), false);
    assert.equal(late.closeCode, null, 'a full pad is not the newcomer’s fault');
    assert.equal(late.acked, late.sent);
    assert.equal(await rejected(node, 'presence_pad_full'), 1);
    // Churn: connections that each bring ids and leave. The pad keeps a bounded number of old clocks.
    for (const c of members) c.disconnect();
    for (let i = 0; i < PRESENCE_DEPARTED_KEEP / PRESENCE_IDS_PER_CONN + 64; i++) {
      const c = await node.connect('pr2-full');
      const ids = Array.from({ length: PRESENCE_IDS_PER_CONN }, (_, k) => 500_000 + i * 10 + k);
      c.sendRaw(awarenessFrame(ids.map((id) => ({ id, clock: 1, state: user('churn') }))));
      await tick();
      c.disconnect();
    }
    assert.ok(
      pad.awareness.meta.size <= PRESENCE_DEPARTED_KEEP + pad.awareness.getStates().size + 1,
      `awareness meta holds ${pad.awareness.meta.size} clocks`,
    );
    await bystanderWorks();
  });

  it("PR3 a connection can't overwrite or remove another connection's id: refused (4509), the victim's presence intact; echoes pass quietly", async () => {
    const { tick, node, room, bystanderWorks } = await world();
    const victim = await node.connect('pr3');
    const watcher = await node.connect('pr3');
    const echoer = await node.connect('pr3');
    const overwriter = await node.connect('pr3');
    const remover = await node.connect('pr3', { readOnly: true });
    await tick();
    victim.setPresence(user('Victim'));
    await tick();
    const id = victim.doc.clientID;
    const known = (await room('pr3')).awareness.meta.get(id)!.clock;
    // What a stock y-websocket client does: echo what it heard, time others out at the clock it heard.
    echoer.sendRaw(awarenessFrame([{ id, clock: known, state: user('Victim') }]));
    echoer.sendRaw(awarenessFrame([{ id, clock: known, state: null }]));
    overwriter.sendRaw(awarenessFrame([{ id, clock: known + 1, state: user('Mallory', '#000000') }]));
    remover.sendRaw(awarenessFrame([{ id, clock: known + 1, state: null }]));
    await tick();
    assert.equal(echoer.closeCode, null, 'an echo changes nothing and is not an attack');
    assert.equal(overwriter.closeCode, CloseCode.PresenceNotOwned);
    assert.equal(remover.closeCode, CloseCode.PresenceNotOwned, 'read-only connections included');
    assert.equal(stateOf(watcher, id)?.user?.name, 'Victim');
    assert.equal((await room('pr3')).awareness.getStates().get(id)?.user?.name, 'Victim');
    assert.equal(await rejected(node, 'presence_not_owned'), 2);
    // The victim still moves freely.
    victim.setPresence(user('Victim moved'));
    await tick();
    assert.equal(stateOf(watcher, id)?.user?.name, 'Victim moved');
    await bystanderWorks();
  });

  it("PR3 a connection on another node can't remove a person whose presence came over the bus", async () => {
    const sim = new Sim();
    sims.push(sim);
    const one = sim.node({ cluster: true });
    const two = sim.node({ cluster: true });
    const victim = await one.connect('pr3-bus');
    const watcher = await two.connect('pr3-bus');
    const remover = await two.connect('pr3-bus');
    const tick = async () => {
      await sim.run();
      await sim.advance(AWARENESS_TICK_MS);
    };
    await tick();
    victim.setPresence(user('Far away'));
    await tick();
    const id = victim.doc.clientID;
    assert.equal(stateOf(watcher, id)?.user?.name, 'Far away');
    const known = watcher.awareness.meta.get(id)!.clock;
    remover.sendRaw(awarenessFrame([{ id, clock: known + 1, state: null }]));
    await tick();
    assert.equal(stateOf(watcher, id)?.user?.name, 'Far away', 'not removed on its node');
    assert.equal(remover.closeCode, null, 'dropped, not refused: no connection here owns it');
  });

  it('PR4 a read-only connection appears as a viewer; a writer cannot claim to be one', async () => {
    const { tick, node, bystanderWorks } = await world();
    const viewer = await node.connect('pr4', { readOnly: true });
    const writer = await node.connect('pr4');
    const watcher = await node.connect('pr4');
    await tick();
    viewer.setPresence(user('Reader'));
    writer.setPresence({ user: { name: 'Writer', color: '#3d8b37', viewer: true } });
    await tick();
    assert.equal(viewer.closeCode, null);
    assert.deepEqual(stateOf(watcher, viewer.doc.clientID)?.user, { name: 'Reader', color: '#1f6feb', viewer: true });
    assert.deepEqual(stateOf(watcher, writer.doc.clientID)?.user, { name: 'Writer', color: '#3d8b37' });
    await bystanderWorks();
  });

  it('PR5 a colour that is not #rrggbb is replaced, names are bounded and cleaned, before anyone sees them', async () => {
    const { tick, node, bystanderWorks } = await world();
    const attacker = await node.connect('pr5');
    const caps = await node.connect('pr5');
    const watcher = await node.connect('pr5');
    await tick();
    attacker.setPresence({
      user: {
        name: `\u202e${'N'.repeat(200)}`,
        color: 'red;position:fixed;inset:0',
        colorLight: 'url(javascript:alert(1))',
        extra: '<img src=x onerror=alert(1)>',
      },
      cursor: null,
    });
    caps.setPresence({ user: { name: '  Ada   Lovelace ', color: '#ABCDEF', colorLight: '#ABCDEF33' } });
    await tick();
    assert.equal(attacker.closeCode, null, 'a bad colour is normalised, not refused');
    const seen = stateOf(watcher, attacker.doc.clientID)!;
    assert.deepEqual(seen.user, { name: 'N'.repeat(PRESENCE_NAME_MAX), color: PRESENCE_DEFAULT_COLOR });
    assert.equal(seen.cursor, null, 'other fields pass unchanged');
    assert.deepEqual(stateOf(watcher, caps.doc.clientID)?.user, {
      name: 'Ada Lovelace',
      color: '#abcdef',
      colorLight: '#abcdef33',
    });
    await bystanderWorks();
  });

  it('PR5 a device id (E9) passes only as a short URL-safe token; anything else is dropped', async () => {
    const { tick, node, bystanderWorks } = await world();
    const good = await node.connect('pr5-id');
    const bad = await node.connect('pr5-id');
    const watcher = await node.connect('pr5-id');
    await tick();
    good.setPresence({ user: { name: 'Tab', color: '#123456', id: '3f2a9c1e-7b4d-4e8a-9f00-1234567890ab' } });
    bad.setPresence({ user: { name: 'Odd', color: '#123456', id: '<img src=x onerror=alert(1)>' } });
    await tick();
    assert.equal(
      (stateOf(watcher, good.doc.clientID)?.user as { id?: string } | undefined)?.id,
      '3f2a9c1e-7b4d-4e8a-9f00-1234567890ab',
    );
    assert.equal((stateOf(watcher, bad.doc.clientID)?.user as { id?: string } | undefined)?.id, undefined);
    await bystanderWorks();
  });

  it('PR6 a reconnected client re-announcing an unchanged clock is visible to others at once', async () => {
    const { tick, node, bystanderWorks } = await world();
    const a = await node.connect('pr6');
    const watcher = await node.connect('pr6');
    await tick();
    a.setPresence(user('Returning'));
    await tick();
    const id = a.doc.clientID;
    const clock = a.awareness.meta.get(id)!.clock;
    assert.equal(stateOf(watcher, id)?.user?.name, 'Returning');
    a.disconnect();
    await tick();
    assert.equal(stateOf(watcher, id), undefined, 'gone when the socket went');
    // The same client on a new socket: its awareness clock has not moved (the bug's trigger).
    const again = await node.connect('pr6', { doc: a.doc });
    again.sendRaw(awarenessFrame([{ id, clock, state: user('Returning') }]));
    await tick(); // one fan-out window, far from the 15 s renewal
    assert.equal(stateOf(watcher, id)?.user?.name, 'Returning');
    // And its next move still goes through (our clock for it runs ahead of its own).
    again.sendRaw(awarenessFrame([{ id, clock: clock + 1, state: user('Moved') }]));
    await tick();
    assert.equal(stateOf(watcher, id)?.user?.name, 'Moved');
    assert.equal(again.closeCode, null);
    // It never hears its own id back: our clock for it is ahead of its own and would overwrite its local state.
    const echoed = again.received.flatMap((m) => (m.type === 'awareness' ? decodeEntries(m.update) : []));
    assert.equal(
      echoed.some((e) => e.id === id),
      false,
    );
    // A fresh Awareness on the reconnect (clock from scratch) is the same case.
    again.disconnect();
    await tick();
    const third = await node.connect('pr6', { doc: a.doc });
    third.setPresence(user('Third'));
    await tick();
    assert.equal(stateOf(watcher, id)?.user?.name, 'Third');
    await bystanderWorks();
  });

  it('PR6 an echo of someone who just left does not bring them back as a ghost', async () => {
    const { tick, node, bystanderWorks } = await world();
    const leaver = await node.connect('pr6-ghost');
    const echoer = await node.connect('pr6-ghost');
    const watcher = await node.connect('pr6-ghost');
    await tick();
    leaver.setPresence(user('Leaver'));
    await tick();
    const id = leaver.doc.clientID;
    const clock = echoer.awareness.meta.get(id)!.clock;
    leaver.disconnect();
    await tick();
    echoer.sendRaw(awarenessFrame([{ id, clock, state: user('Leaver') }]));
    await tick();
    assert.equal(stateOf(watcher, id), undefined);
    assert.equal(echoer.closeCode, null);
    await bystanderWorks();
  });

  it('PR8 history authors come only from presence the editor owns; viewers and other connections cannot rename them', async () => {
    const { tick, node, room, bystanderWorks } = await world();
    const editor = await node.connect('pr8');
    const viewer = await node.connect('pr8', { readOnly: true });
    const attacker = await node.connect('pr8');
    await tick();
    editor.setPresence(user('Eve', '#d1495b'));
    editor.insert(0, 'written by Eve');
    await tick();
    const id = editor.doc.clientID;
    const known = (await room('pr8')).awareness.meta.get(id)!.clock;
    attacker.sendRaw(awarenessFrame([{ id, clock: known + 1, state: user('Mallory') }]));
    await tick();
    assert.equal(attacker.closeCode, CloseCode.PresenceNotOwned);
    // Eve leaves; a viewer takes her (now free) id and names it Mallory: shown as a viewer, never an author.
    editor.disconnect();
    await tick();
    viewer.sendRaw(awarenessFrame([{ id, clock: known + 5, state: user('Mallory') }]));
    await tick();
    const version = await sims.at(-1)!.until((await room('pr8')).recordVersion('request', null), 'version');
    assert.deepEqual(version.authors, [{ name: 'Eve', color: '#d1495b' }]);
    await bystanderWorks();
  });
});
