import { prng, testSeed } from '@padmesh/server/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { AuthorRuns, soleWriter, type TextDelta } from './runs.js';

/** The runs of a text walked from scratch: what the incremental index must always equal. */
const walked = (t: Y.Text) => [...AuthorRuns.of(t).segments(0, t.length)];

describe('Authorship runs (web)', () => {
  it('AU2 runs kept from each change equal a fresh walk after seeded random edits from three writers', () => {
    const seed = testSeed('AU2 runs');
    const rand = prng(seed);
    const writers = [1, 2, 3].map((id) => {
      const d = new Y.Doc();
      d.clientID = id;
      return d;
    });
    const viewer = new Y.Doc();
    const text = viewer.getText('content');
    let runs = AuthorRuns.of(text);
    let rebuilds = 0;
    text.observe((event, tr) => {
      if (runs.apply(event.delta as TextDelta, soleWriter(tr))) return;
      rebuilds++;
      runs = AuthorRuns.of(text);
    });
    const edit = (w: Y.Doc) => {
      const t = w.getText('content');
      const pos = Math.floor(rand() * (t.length + 1));
      if (rand() < 0.35 && t.length > 0) t.delete(pos === t.length ? pos - 1 : pos, 1 + Math.floor(rand() * 5));
      else t.insert(pos, 'abcdefghij'.slice(0, 1 + Math.floor(rand() * 9)));
    };
    for (let step = 0; step < 600; step++) {
      // Mostly one writer's change at a time, as typing arrives; now and then everyone's at
      // once (an offline merge), which the delta cannot attribute.
      const together = rand() < 0.1;
      const editing = together ? writers : [writers[Math.floor(rand() * writers.length)]!];
      for (const w of editing) edit(w);
      Y.applyUpdate(viewer, Y.mergeUpdates(editing.map((w) => Y.encodeStateAsUpdate(w, Y.encodeStateVector(viewer)))));
      for (const x of writers) Y.applyUpdate(x, Y.encodeStateAsUpdate(viewer, Y.encodeStateVector(x)));
      assert.equal(runs.length, text.length, `length at step ${step} (seed ${seed})`);
      assert.deepEqual([...runs.segments(0, text.length)], walked(text), `runs at step ${step} (seed ${seed})`);
    }
    assert.ok(rebuilds > 0 && rebuilds < 200, `merges walk again, typing does not (${rebuilds} walks)`);
  });

  it('AU2 segments clip to the range asked for (the viewport)', () => {
    const runs = new AuthorRuns();
    runs.insert(0, 10, 7);
    runs.insert(5, 4, 9);
    assert.deepEqual(
      [...runs.segments(3, 12)],
      [
        [3, 5, 7],
        [5, 9, 9],
        [9, 12, 7],
      ],
    );
    runs.delete(4, 6);
    assert.deepEqual([...runs.segments(0, runs.length)], [[0, 8, 7]], 'neighbours of one writer merge again');
  });
});
