import * as Y from 'yjs';
import { edit, fork, structCount, updateFrame, type Frame, type PadView } from './frames.js';
import type { Generator } from './generator.js';

type Container = Y.Map<unknown> | Y.Array<unknown> | Y.XmlElement | Y.XmlFragment;

/** A new nested type of a random kind, placed in `parent` (which kinds fit depends on the parent). */
function nest(view: PadView, parent: Container): Container {
  const { rand } = view;
  if (parent instanceof Y.XmlElement || parent instanceof Y.XmlFragment) {
    const el = new Y.XmlElement(rand.pick(['p', 'div', 'em']));
    parent.insert(rand.int(0, parent.length), [el]);
    return el;
  }
  const child = rand.pick([() => new Y.Map<unknown>(), () => new Y.Array<unknown>(), () => new Y.XmlFragment()])();
  if (parent instanceof Y.Map) parent.set(rand.pick(['a', 'b', 'c']), child);
  else parent.insert(rand.int(0, parent.length), [child]);
  return child;
}

function root(view: PadView, doc: Y.Doc, name: string): Container {
  const kind = view.rand.int(0, 2);
  return kind === 0 ? doc.getMap(name) : kind === 1 ? doc.getArray(name) : doc.getXmlFragment(name);
}

/**
 * Deep chains and wide trees of Y.Map / Y.Array / Y.XmlFragment / Y.XmlElement, and
 * writes to many root names. Limits (HI1): depth 16, 1,000 nested types, 16 roots.
 */
export const nesting: Generator = {
  name: 'nesting',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const doc = new Y.Doc();
    doc.clientID = rand.clientId();
    const depth = rand.size(20);
    const width = rand.chance(0.2) ? rand.size(1_200) : 0;
    const roots = rand.chance(0.2) ? rand.size(20) : 1;
    // A fresh doc per message: each root name gets one kind here, whatever earlier messages made it.
    const update = edit(doc, () => {
      let at = root(view, doc, `n${rand.int(0, 7)}`);
      for (let i = 0; i < depth; i++) at = nest(view, at);
      const wide = root(view, doc, `w${rand.int(0, 7)}`);
      for (let i = 0; i < width; i++) nest(view, wide);
      for (let i = 0; i < roots; i++) doc.getMap(`r${rand.int(0, 1_000)}`).set('k', i);
    });
    doc.destroy();
    // Counted from the update as Yjs decodes it: a map key set twice leaves a GC struct, not a type.
    const items = Y.decodeUpdate(update).structs.filter((s): s is Y.Item => s instanceof Y.Item);
    const types = items.filter((i) => i.content instanceof Y.ContentType).length;
    // A decoded item's parent is the root's name (a string) for items directly in a root.
    const rootNames = new Set(
      items.flatMap((i) => ((i.parent as unknown) instanceof Object ? [] : [String(i.parent)])),
    );
    rootNames.delete('null');
    const over = depth > 16 || types > 1_000 || rootNames.size > 16;
    return [updateFrame(update, over ? 'over' : 'valid')];
  },
};

/**
 * Y.Map key churn: one key set thousands of times in one update (each overwritten value is
 * a struct), and a fresh client setting a key the pad already churned (Yjs walks every
 * earlier value of the key). Past MAX_UPDATE_STRUCTS: 4415.
 */
export const mapChurn: Generator = {
  name: 'map-churn',
  make(view: PadView): Frame[] {
    const { rand } = view;
    const sets = rand.size(view.limits.maxUpdateStructs + 5_000);
    const keys = rand.size(50);
    // Half from a fork of the pad (values land after the ones it saw), half from nothing (they walk them all).
    const doc = rand.chance(0.5) ? fork(view.base(), rand.clientId()) : new Y.Doc();
    doc.clientID = rand.clientId();
    const map = doc.getMap('kv');
    const update = edit(doc, () => {
      for (let i = 0; i < sets; i++) {
        const k = `k${rand.int(0, keys - 1)}`;
        if (rand.chance(0.05)) map.delete(k);
        else map.set(k, rand.chance(0.5) ? i : rand.text(4));
      }
    });
    doc.destroy();
    return [updateFrame(update, structCount(update) > view.limits.maxUpdateStructs ? 'over' : 'valid')];
  },
};

/** A subdocument: a whole Y.Doc inside the pad, which the server never accepts (4415). */
export const subdoc: Generator = {
  name: 'subdoc',
  make(view: PadView): Frame[] {
    const doc = new Y.Doc();
    doc.clientID = view.rand.clientId();
    const update = edit(doc, () => doc.getMap('sub').set('d', new Y.Doc()));
    doc.destroy();
    return [updateFrame(update, 'over')];
  },
};
