import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../offline/pad-index.js';
import { openedAgo, search, toEntry } from './entry.js';

const visit = (key: string, text: string, openedAt = 0) => ({ key, openedAt, ...summarize(text) });

describe('My pads: titles, snippets, search (MP1, MP2)', () => {
  it('MP1 the first non-empty line is the title of a machine-made id; a chosen name is its own title', () => {
    assert.deepEqual(summarize('\n\n  Groceries  \nmilk\n\n eggs   and  bread'), {
      firstLine: 'Groceries',
      snippet: 'milk eggs and bread',
    });
    assert.deepEqual(summarize(' \n\t'), { firstLine: '', snippet: '' });
    assert.equal(summarize('x'.repeat(500)).firstLine.length, 100);
    const random = toEntry(visit('pad:k3m9xq2aabcd', 'Groceries\nmilk'));
    assert.equal(random.title, 'Groceries');
    assert.equal(random.preview, 'milk');
    assert.equal(random.path, '/k3m9xq2aabcd');
    const named = toEntry(visit('pad:team-notes', 'Monday\nagenda'));
    assert.equal(named.title, 'team-notes');
    assert.equal(named.preview, 'Monday agenda');
    assert.equal(toEntry(visit('pad:k3m9xq2aabcd', '')).title, 'k3m9xq2aabcd', 'an empty random pad shows its id');
    const ro = toEntry(visit('ro:AbCdEfGhIjKlMnOpQrStUv', 'Shared plan\nsteps'));
    assert.deepEqual([ro.pad, ro.title, ro.path], [null, 'Shared plan', '/ro/AbCdEfGhIjKlMnOpQrStUv']);
  });

  it('MP2 search matches every word in title, id or text, ignoring case and accents', () => {
    const entries = [
      toEntry(visit('pad:k3m9xq2aabcd', 'Café menu\nsoup of the day')),
      toEntry(visit('pad:team-notes', 'Monday\nagenda: budget')),
    ];
    assert.deepEqual(
      search(entries, 'cafe').map((e) => e.key),
      ['pad:k3m9xq2aabcd'],
    );
    assert.deepEqual(
      search(entries, 'TEAM budget').map((e) => e.key),
      ['pad:team-notes'],
    );
    assert.equal(search(entries, 'soup budget').length, 0);
    assert.equal(search(entries, '  ').length, 2);
  });

  it('MP1 opened times read as people say them', () => {
    const now = Date.UTC(2026, 0, 10, 12);
    assert.equal(openedAgo(now - 10_000, now, 'en'), 'just now');
    assert.equal(openedAgo(now - 5 * 60_000, now, 'en'), '5 minutes ago');
    assert.equal(openedAgo(now - 26 * 3600_000, now, 'en'), 'yesterday');
    assert.match(openedAgo(now - 30 * 86400_000, now, 'en'), /Dec 11, 2025/);
  });
});
