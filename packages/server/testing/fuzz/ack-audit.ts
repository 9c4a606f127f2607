import { writeFileSync } from 'node:fs';
import { carriesUpdate, decodeMessage } from '@padmesh/protocol';
import * as Y from 'yjs';
import type { SimClient } from '../sim/sim-client.js';
import type { ObservedStorage } from './observed-storage.js';
import type { StallMeter } from './stall-meter.js';

/**
 * One connection under audit (HF3): every update-bearing frame the node reads is numbered
 * as the node numbers it, and when the node sends `saved {seq}` the updates up to seq must
 * already be in what storage committed, checked at that moment. Also times each frame's
 * handling (HF6).
 */
export class AuditedConn {
  /** Update-bearing frames the node has read from this connection. */
  seq = 0;
  /** Highest seq a `saved` covered. */
  saved = 0;
  private readonly unchecked: { seq: number; update: Uint8Array }[] = [];

  constructor(
    readonly client: SimClient,
    private readonly storage: ObservedStorage,
    private readonly meter: StallMeter,
    private readonly failures: string[],
  ) {
    const session = client.session;
    const receive = session.receive.bind(session);
    session.receive = (data) => {
      this.track(data);
      meter.time(() => receive(data));
    };
    const socket = client.socket;
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      this.sending(data);
      send(data);
    };
  }

  private track(data: Uint8Array): void {
    let m;
    try {
      m = decodeMessage(data);
    } catch {
      return; // the node closes on it (4400): it never gets a seq
    }
    if (carriesUpdate(m)) this.unchecked.push({ seq: ++this.seq, update: m.update });
  }

  private sending(data: Uint8Array): void {
    // `saved` is the only message type 100 (protocol/messages.ts); cheap to spot before decoding.
    let m;
    try {
      m = decodeMessage(data);
    } catch {
      this.failures.push(`node sent an undecodable frame to ${this.client.pad}`);
      return;
    }
    if (m.type !== 'saved') return;
    if (m.seq < this.saved || m.seq > this.seq)
      this.failures.push(`saved ${m.seq} out of order (had ${this.saved}, sent ${this.seq})`);
    this.saved = Math.max(this.saved, m.seq);
    const committed = this.storage.committed(this.client.pad);
    const snap = Y.snapshot(committed.doc);
    while (this.unchecked.length > 0 && this.unchecked[0]!.seq <= m.seq) {
      const { seq, update } = this.unchecked.shift()!;
      if (Y.snapshotContainsUpdate(snap, update)) continue;
      // Held pending by Yjs: stored as received (HI3), so it must be one of the committed entries.
      if (committed.entries.some((e) => sameBytes(e, update))) continue;
      if (process.env.FUZZ_DUMP) dump(process.env.FUZZ_DUMP, update, committed.doc);
      this.failures.push(
        `${this.meter.label}: ${this.client.pad}: untrue ack: saved ${m.seq} covers update #${seq} (${update.length} B), not in storage`,
      );
    }
  }
}

/** For a failing seed: the acked update and what storage held, to take apart outside the round. */
function dump(dir: string, update: Uint8Array, committed: Y.Doc): void {
  writeFileSync(`${dir}/acked.bin`, update);
  writeFileSync(`${dir}/committed.bin`, Y.encodeStateAsUpdate(committed));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
