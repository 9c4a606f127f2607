// Measures what Yjs structs cost in the V8 heap (Room.memoryEstimate's figures).
// Run: node --expose-gc packages/server/scripts/measure-heap.mjs
import * as Y from 'yjs';
const N = 200_000;
function measure(name, build) {
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const doc = build();
  globalThis.gc();
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  let structs = 0;
  for (const s of doc.store.clients.values()) structs += s.length;
  const bytes = Y.encodeStateAsUpdate(doc).length;
  console.log(
    name,
    'structs',
    structs,
    'wire',
    bytes,
    'heap/struct',
    Math.round((after - before) / structs),
    'heap/wireByte',
    ((after - before) / bytes).toFixed(1),
  );
  return doc;
}
const keep = [];
keep.push(
  measure('text char-by-char at random positions', () => {
    const d = new Y.Doc();
    const t = d.getText('content');
    let seed = 1;
    const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < N; i++) t.insert(Math.floor(r() * t.length), 'x');
    return d;
  }),
);
keep.push(
  measure('text runs of 20 typed sequentially', () => {
    const d = new Y.Doc();
    const t = d.getText('content');
    let seed = 1;
    const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < N / 20; i++) {
      let p = Math.floor(r() * t.length);
      for (let j = 0; j < 20; j++) t.insert(p++, 'y');
    }
    return d;
  }),
);
keep.push(
  measure('map distinct keys', () => {
    const d = new Y.Doc();
    const m = d.getMap('m');
    d.transact(() => {
      for (let i = 0; i < N; i++) m.set('k' + i, i);
    });
    return d;
  }),
);
keep.push(
  measure('array items one per push', () => {
    const d = new Y.Doc();
    const a = d.getArray('a');
    for (let i = 0; i < N; i++) a.insert(Math.floor(i / 2), [i]);
    return d;
  }),
);
keep.push(
  measure('text items, each from its own update applied (remote)', () => {
    const src = new Y.Doc();
    const d = new Y.Doc();
    src.on('update', (u) => Y.applyUpdate(d, u));
    const t = src.getText('content');
    let seed = 3;
    const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < N; i++) t.insert(Math.floor(r() * t.length), 'x');
    src.destroy();
    return d;
  }),
);
console.log(keep.length);
