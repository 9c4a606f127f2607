import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeSet, Text } from '@codemirror/state';
import { tally, tallyDelta, tallyInSlices, SLICE_CHARS } from './counts.js';

const doc = (s: string) => Text.of(s.split('\n'));

/** A seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EF7 counts', () => {
  it('counts words as runs of non-space and astral characters as one character each', () => {
    assert.deepEqual(tally(''), { words: 0, astral: 0 });
    assert.deepEqual(tally('  Hello,\tworld\n\nsecond line 😀 '), { words: 5, astral: 1 });
  });

  it('the delta over the touched lines equals a full recount, for random edits (seeded)', () => {
    const seed = 18;
    const rand = rng(seed);
    const pieces = ['a', 'bc ', ' ', '\n', 'word', '😀', '\t', 'x\ny'];
    const pick = () => pieces[Math.floor(rand() * pieces.length)]!;
    let before = doc('start here\nand there');
    let words = tally(before.toString()).words;
    let astral = tally(before.toString()).astral;
    for (let i = 0; i < 500; i++) {
      const from = Math.floor(rand() * (before.length + 1));
      const to = Math.min(before.length, from + Math.floor(rand() * 4));
      const insert = rand() < 0.7 ? pick() + pick() : '';
      // Keep surrogate pairs whole: never cut inside one.
      const safe = (p: number) =>
        p > 0 && p < before.length && /[\uDC00-\uDFFF]/.test(before.sliceString(p, p + 1)) ? p - 1 : p;
      const changes = ChangeSet.of([{ from: safe(from), to: safe(to), insert }], before.length);
      const after = changes.apply(before);
      const d = tallyDelta(before, after, changes, Infinity)!;
      words += d.words;
      astral += d.astral;
      assert.deepEqual({ words, astral }, tally(after.toString()), `seed ${seed}, step ${i}`);
      before = after;
    }
  });

  it('a change whose lines exceed the budget asks for a full count instead', () => {
    const before = doc('x'.repeat(100));
    const changes = ChangeSet.of([{ from: 0, insert: 'y ' }], before.length);
    assert.equal(tallyDelta(before, changes.apply(before), changes, 50), null);
  });

  it('a full count in slices equals counting at once, also for one very long line', async () => {
    for (const text of ['one two\n'.repeat(SLICE_CHARS / 4), 'ab '.repeat(SLICE_CHARS)]) {
      const t = await tallyInSlices(doc(text), () => false);
      assert.deepEqual(t, tally(text));
    }
  });
});
