import { decodeMessage, encodeMessage, type Message } from '@padmesh/protocol';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';

/** The y-websocket framing as lib0 writes it (what y-protocols' own encoders produce). */
function reference(head: number[], payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  for (const h of head) encoding.writeVarUint(e, h);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

describe('Frames with a payload are written in one allocation, byte for byte as lib0 writes them', () => {
  it('sync step 1 and 2, update and awareness, at every length where the varUint length grows', () => {
    // 0, one-byte lengths, the 2- and 3-byte boundaries, and a payload past 2^21 (4 bytes).
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 3_000_001]) {
      const payload = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff);
      const cases: [Message, number[]][] = [
        [{ type: 'sync-step1', stateVector: payload }, [0, 0]],
        [{ type: 'sync-step2', update: payload }, [0, 1]],
        [{ type: 'update', update: payload }, [0, 2]],
        [{ type: 'awareness', update: payload }, [1]],
      ];
      for (const [m, head] of cases) {
        const got = encodeMessage(m);
        assert.ok(Buffer.from(got).equals(Buffer.from(reference(head, payload))), `${m.type} of ${size} B`);
        assert.equal(got.buffer.byteLength, got.length, `${m.type} of ${size} B: exactly its own bytes`);
        assert.equal(decodeMessage(got).type, m.type);
      }
    }
  });
});
