import type * as Y from 'yjs';

/**
 * A small index of the pads opened on this device ("My pads", SPEC MP1-MP6): one record per
 * cached pad, so the list is read from one store instead of opening every pad's own cache
 * database (each a whole Y.Doc). Kept beside the caches (cache.ts) and keyed the same way
 * (`pad:<id>` or `ro:<link id>`), so forgetting a cache forgets its record too.
 */
export interface Visit {
  /** The cache key: `pad:<id>` or `ro:<read-only link id>`. */
  key: string;
  /** When this device last opened the pad (ms since the epoch). */
  openedAt: number;
  /** The pad's first non-empty line, trimmed and cut to TITLE_MAX. */
  firstLine: string;
  /** The text after the first line, whitespace collapsed, cut to SNIPPET_MAX. */
  snippet: string;
}

const DB = 'padmesh-index';
const STORE = 'visits';
/** While the pad changes, its record is rewritten at most this often (one small IndexedDB write). */
export const INDEX_THROTTLE_MS = 2_000;
export const TITLE_MAX = 100;
export const SNIPPET_MAX = 200;
/** Enough of the text for a title and a snippet; the rest of a long pad is never read for the index. */
const READ_CHARS = 2_000;

/** Keys forgotten by this page (deleted pad, revoked link, "Forget"): a pending write must not bring them back. */
const forgotten = new Set<string>();

let opening: Promise<IDBDatabase | null> | null = null;
/** The open database, once it is: a write during `pagehide` must start synchronously to be kept. */
let opened: IDBDatabase | null = null;
function db(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(null);
  opening ??= new Promise((resolve) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => {
      const d = req.result;
      // Another tab deleting or upgrading the database: let it, and reopen on the next call.
      d.onversionchange = () => (d.close(), (opening = opened = null));
      opened = d;
      resolve(d);
    };
    // Private modes may refuse IndexedDB: the list is then just empty.
    req.onerror = req.onblocked = () => ((opening = null), resolve(null));
  });
  return opening;
}

/** Runs one request in its own transaction; resolves with its result once the transaction committed. */
async function run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
  const d = opened ?? (await db());
  if (!d) return undefined;
  return new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const req = op(tx.objectStore(STORE));
    // Commit now rather than when this task ends: the page may be unloading (pagehide).
    tx.commit?.();
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('index transaction failed'));
  });
}

/** Title and snippet of a pad's text (pure, so the rules are unit-tested). */
export function summarize(text: string): Pick<Visit, 'firstLine' | 'snippet'> {
  const head = text.slice(0, READ_CHARS);
  const lines = head.split('\n');
  const at = lines.findIndex((l) => l.trim() !== '');
  if (at < 0) return { firstLine: '', snippet: '' };
  const rest = lines
    .slice(at + 1)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { firstLine: cut(lines[at]!.trim(), TITLE_MAX), snippet: cut(rest, SNIPPET_MAX) };
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

/** Every visit, most recently opened first. */
export async function listVisits(): Promise<Visit[]> {
  const all = (await run('readonly', (s) => s.getAll() as IDBRequest<Visit[]>)) ?? [];
  return all.sort((a, b) => b.openedAt - a.openedAt);
}

/** Removes a pad from the index (its cache is cache.ts's to delete). */
export async function forgetVisit(key: string): Promise<void> {
  forgotten.add(key);
  await run('readwrite', (s) => s.delete(key)).catch(() => {});
}

async function save(visit: Visit): Promise<void> {
  if (forgotten.has(visit.key)) return;
  // Best effort: the list is a convenience; the pad itself is kept by its own cache.
  await run('readwrite', (s) => s.put(visit)).catch(() => {});
}

/**
 * Records that this device opened the pad now, then keeps its title and snippet current as the
 * text changes (any origin: a collaborator's edit changes the snippet too), at most every
 * INDEX_THROTTLE_MS, and once more when the page goes away. A pad enters the index once it has text: the empty pad every visit of `/`
 * makes would otherwise fill the list with blanks. Returns the function that stops tracking
 * (and writes a pending change at once).
 */
export function trackVisit(key: string, doc: Y.Doc): () => void {
  const openedAt = Date.now();
  const text = doc.getText('content');
  let known = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = '';
  let lastWrite = 0;
  const write = () => {
    timer = null;
    const summary = summarize(text.toString().slice(0, READ_CHARS));
    const sig = `${summary.firstLine}\n${summary.snippet}`;
    if (known && sig === last) return;
    if (!known && summary.firstLine === '') return;
    known = true;
    last = sig;
    lastWrite = Date.now(); // only a real write starts the throttle window
    void save({ key, openedAt, ...summary });
  };
  // The first change after a quiet spell is written at once (a pad glanced at and left is
  // still listed); then at most one write per INDEX_THROTTLE_MS, the last change included.
  const onUpdate = () => (timer ??= setTimeout(write, Math.max(0, lastWrite + INDEX_THROTTLE_MS - Date.now())));
  // An existing record gets its new opening time even while the pad is empty.
  void run('readonly', (s) => s.get(key) as IDBRequest<Visit | undefined>)
    .then((v) => {
      if (!v) return write();
      known = true;
      last = `${v.firstLine}\n${v.snippet}`;
      void save({ ...v, openedAt });
      onUpdate(); // the cache or the server may have brought newer text than the record holds
    })
    .catch(() => {});
  // A tab closed within the throttle window still leaves its last snippet.
  const flush = () => timer && (clearTimeout(timer), write());
  doc.on('update', onUpdate);
  window.addEventListener('pagehide', flush);
  return () => {
    doc.off('update', onUpdate);
    window.removeEventListener('pagehide', flush);
    flush();
  };
}
