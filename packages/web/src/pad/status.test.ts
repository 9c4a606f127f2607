import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOWN_GRACE_MS, SAVING_AFTER_MS, decideStatus, nextDecisionAt, type StatusInput } from './status.js';

const base: StatusInput = {
  now: 10_000,
  online: true,
  link: 'open',
  everOpened: true,
  downSince: null,
  caughtUp: true,
  oldestUnsavedAt: null,
  prev: 'saved',
};
const at = (over: Partial<StatusInput>) => decideStatus({ ...base, ...over });

describe('Status (web)', () => {
  it('E7 typing with fast acknowledgements never leaves "Saved" (no flicker)', () => {
    // 26 keystrokes 80 ms apart, each acknowledged 30 ms later: the facts change 52 times.
    const shown: string[] = [];
    let prev = base.prev;
    for (let k = 0; k < 26; k++) {
      const typed = 10_000 + k * 80;
      for (const [now, caughtUp] of [
        [typed, false],
        [typed + 30, true],
      ] as const) {
        prev = decideStatus({ ...base, now, caughtUp, oldestUnsavedAt: caughtUp ? null : typed, prev });
        if (shown.at(-1) !== prev) shown.push(prev);
      }
    }
    assert.deepEqual(shown, ['saved']);
  });

  it('E7 "Saving…" only once an edit waits SAVING_AFTER_MS, and it stays until everything is acknowledged', () => {
    const edit = 10_000;
    assert.equal(at({ caughtUp: false, oldestUnsavedAt: edit, now: edit + SAVING_AFTER_MS - 1 }), 'saved');
    assert.equal(at({ caughtUp: false, oldestUnsavedAt: edit, now: edit + SAVING_AFTER_MS }), 'saving');
    // A newer young edit after an ack keeps "Saving…" (hysteresis), the catch-up ends it.
    assert.equal(at({ caughtUp: false, oldestUnsavedAt: edit + 900, now: edit + 950, prev: 'saving' }), 'saving');
    assert.equal(at({ caughtUp: true, now: edit + 1000, prev: 'saving' }), 'saved');
    assert.equal(
      nextDecisionAt({ ...base, caughtUp: false, oldestUnsavedAt: edit, now: edit + 100 }),
      edit + SAVING_AFTER_MS,
    );
  });

  it('E8 no network is "offline"; a server that does not answer while online is "unreachable"', () => {
    assert.equal(at({ online: false, link: 'down', downSince: 9_000 }), 'offline');
    assert.equal(at({ online: true, link: 'down', downSince: 9_000 - DOWN_GRACE_MS }), 'unreachable');
    assert.equal(at({ online: true, link: 'connecting', everOpened: false, downSince: 9_999 }), 'unreachable');
    assert.equal(
      at({ online: true, link: 'connecting', everOpened: false, downSince: null, prev: 'connecting' }),
      'connecting',
    );
  });

  it('E8 a dropped socket that is back within DOWN_GRACE_MS keeps "Saved"; reopened and caught up is "Saved" again', () => {
    assert.equal(at({ link: 'connecting', downSince: 10_000 - 200 }), 'saved');
    assert.equal(at({ link: 'connecting', downSince: 10_000 - DOWN_GRACE_MS }), 'unreachable');
    assert.equal(at({ link: 'open', caughtUp: true, prev: 'unreachable' }), 'saved');
    assert.equal(at({ link: 'open', caughtUp: false, prev: 'unreachable' }), 'unreachable');
    assert.equal(nextDecisionAt({ ...base, link: 'down', downSince: 9_800 }), 9_800 + DOWN_GRACE_MS);
  });

  it('E2 a size refusal and a fatal close win over everything else', () => {
    assert.equal(at({ link: 'too-large', online: false }), 'too-large');
    assert.equal(at({ link: 'failed' }), 'failed');
  });
});
