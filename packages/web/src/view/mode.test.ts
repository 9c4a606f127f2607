import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { LANGUAGES, MODE_KEY, VIEW_MAP, parseMode, readMode, writeMode } from './mode.js';

describe('The shared view mode is read through an allowlist (VM3)', () => {
  it('VM3 known modes pass; any other value, type or inherited name reads as plain', () => {
    assert.equal(parseMode('plain'), 'plain');
    assert.equal(parseMode('markdown'), 'markdown');
    for (const id of Object.keys(LANGUAGES)) assert.equal(parseMode(`code:${id}`), `code:${id}`);
    const hostile: unknown[] = [
      'code:__proto__',
      'code:constructor',
      'code:toString',
      'code:hasOwnProperty',
      'code:',
      'code',
      'Markdown',
      ' markdown',
      'markdown ',
      'code:Python',
      '<script>',
      'javascript:alert(1)',
      undefined,
      null,
      42,
      true,
      {},
      { mode: 'markdown' },
      ['markdown'],
      new Uint8Array([1]),
      new Y.Map(),
    ];
    for (const v of hostile) assert.equal(parseMode(v), 'plain', String(v));
  });

  it('VM1 writeMode stores a change in the pad doc and writes nothing when the mode is already shown', () => {
    const doc = new Y.Doc();
    let updates = 0;
    doc.on('update', () => updates++);
    assert.equal(readMode(doc), 'plain');
    writeMode(doc, 'code:python');
    assert.equal(doc.getMap(VIEW_MAP).get(MODE_KEY), 'code:python');
    writeMode(doc, 'code:python');
    assert.equal(updates, 1, 'an unchanged mode is not written again');
    doc.getMap(VIEW_MAP).set(MODE_KEY, 'code:__proto__');
    assert.equal(readMode(doc), 'plain');
    assert.equal(doc.getText('content').length, 0, 'the text is untouched');
  });
});
