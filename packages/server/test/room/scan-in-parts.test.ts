import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { readUpdateShape, shapeLimits, ShapeError, type Anchor } from '../../src/crdt/update-shape.js';
import { SCAN_PART, ScanInParts, scanCost, type Prescan } from '../../src/room/scan-probe.js';
import { baseText, scatteredInserts } from '../../testing/big-updates.js';

const LIMITS = shapeLimits({ maxUpdateStructs: 200_000, maxUpdateClients: 64 });

function inParts(doc: Y.Doc, anchors: readonly Anchor[]): { result: Prescan; parts: number } {
  const scan = new ScanInParts(anchors, Infinity);
  for (let parts = 1; ; parts++) {
    const result = scan.step(doc);
    if (result) return { result, parts };
  }
}

/** One client's one-character inserts after `origins[i]`, each naming `rights[i]` as its right origin (client 1's base text). */
function insertsAt(origins: number[], rights: number[], client = 900): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, origins.length);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0);
  origins.forEach((o, i) => {
    encoding.writeUint8(e, 0b1100_0100); // origin, right origin, ContentString
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, o);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, rights[i]!);
    encoding.writeVarString(e, 'x');
  });
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

describe('A big update scanned a part per turn (HI1, HS1)', () => {
  it('charges what one scan charges and leaves the same inserts for HI13', () => {
    const base = baseText(20_000);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
    // Another writer's character after each of the base's: every insert below walks past one.
    const every = Array.from({ length: 19_999 }, (_, i) => i);
    Y.applyUpdate(
      doc,
      insertsAt(
        every,
        every.map((o) => o + 1),
      ),
    );
    // 30,000 inserts of 64 clients at random places: ~15,000 positions, many with items of several clients.
    const shape = readUpdateShape(scatteredInserts(base, 30_000, 64, 3), LIMITS);
    assert.ok(shape.anchors.length > 2 * SCAN_PART, `${shape.anchors.length} anchors`);
    const placed: Anchor[] = [];
    const whole = scanCost(doc, shape.anchors, Infinity, placed);
    assert.ok(whole > 0);
    const { result, parts } = inParts(doc, shape.anchors);
    assert.equal(parts, Math.ceil(shape.anchors.length / SCAN_PART));
    assert.equal(result.error, null);
    assert.equal(result.steps, whole, 'the same charge');
    assert.deepEqual(result.placed, placed);

    // Into a doc without the base, every insert waits for its origins: all left for HI13.
    const empty = inParts(new Y.Doc(), shape.anchors).result;
    assert.equal(empty.steps, 0);
    assert.equal(empty.placed.length, shape.anchors.length);
  });

  it('stops at the part that passes the budget, and at the part that holds an insert between non-neighbours', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(baseText(20_000)));
    const n = 3 * SCAN_PART;
    const origins = Array.from({ length: n }, (_, i) => i);
    const rights = origins.map((o) => o + 1);
    rights[n - 1] = 10_000; // the last one claims a right origin ~7,700 characters away
    const shape = readUpdateShape(insertsAt(origins, rights), LIMITS);
    const scan = new ScanInParts(shape.anchors, Infinity);
    assert.equal(scan.step(doc), null);
    assert.equal(scan.step(doc), null);
    const last = scan.step(doc)!;
    assert.ok(last.error instanceof ShapeError, 'refused in the third part');
    assert.match(last.error.message, /never neighbours/);

    // Charged past its budget in the first part: no more parts are scanned.
    const far = readUpdateShape(
      insertsAt(
        origins,
        origins.map((o) => o + 5_000),
      ),
      LIMITS,
    );
    const tight = new ScanInParts(far.anchors, 1_000).step(doc)!;
    assert.ok(tight.steps > 1_000 || tight.error !== null, 'settled in the first part');
  });
});
