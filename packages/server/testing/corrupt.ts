import Database from 'better-sqlite3';

/** Flips one byte of a stored row through a second connection, behind the adapter's back. */
export function corruptSqliteRow(path: string, pad: string, kind: 'update' | 'snapshot', seq: number): void {
  const db = new Database(path);
  try {
    const table = kind === 'snapshot' ? 'snapshots' : 'updates';
    const row = db
      .prepare<[string, number], { data: Buffer }>(`SELECT data FROM ${table} WHERE pad = ? AND seq = ?`)
      .get(pad, seq);
    if (!row) throw new Error(`no ${kind} ${pad}@${seq} to corrupt`);
    const at = row.data.length >> 1;
    row.data[at] = row.data[at]! ^ 0xff;
    db.prepare(`UPDATE ${table} SET data = ? WHERE pad = ? AND seq = ?`).run(row.data, pad, seq);
  } finally {
    db.close();
  }
}
