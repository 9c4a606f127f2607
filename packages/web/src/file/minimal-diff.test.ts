import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeSet, Text } from '@codemirror/state';
import { minimalChanges } from './minimal-diff.js';

const apply = (before: string, after: string) => {
  const changes = ChangeSet.of(minimalChanges(before, after), before.length);
  return { text: changes.apply(Text.of(before.split('\n'))).toString(), changes };
};

describe('EF3 minimal import diff', () => {
  it('turns the old text into the new one', () => {
    const cases: [string, string][] = [
      ['', 'new'],
      ['old', ''],
      ['same', 'same'],
      ['alpha\nbeta\ngamma\n', 'ALPHA\nbeta\ngamma\ndelta\n'],
      ['one\ntwo\nthree', 'zero\none\nthree\nfour'],
      ['😀 x', '😁 x'],
    ];
    for (const [a, b] of cases) assert.equal(apply(a, b).text, b);
  });

  it('leaves unchanged text untouched: only the differing characters are replaced', () => {
    const before = 'alpha\nbeta\ngamma\ndelta\n';
    const { changes } = apply(before, 'ALPHA\nbeta\ngamma\ndelta\n');
    let touched = 0;
    changes.iterChangedRanges((fromA, toA) => void (touched += toA - fromA));
    assert.ok(touched <= 5, `only the first word changes, ${touched} characters touched`);
    changes.iterChangedRanges((_fa, toA) => assert.ok(toA <= 5, 'nothing after the first line is touched'));
  });
});
