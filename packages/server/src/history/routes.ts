import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { VERSION_ID, authorship, type History } from './versions.js';
import type { Room } from '../room/room.js';

const SaveBody = z.object({ name: z.string().trim().max(100).optional() }).strict();

export class HistoryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HistoryRouteDeps {
  history: History;
  withPad: <T>(pad: string, fn: (room: Room) => Promise<T>) => Promise<T>;
  readBody: () => Promise<string>;
  json: (status: number, body: unknown) => void;
  text: (status: number, body: string) => void;
}

function parseSave(raw: string): string | null {
  if (raw.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HistoryError(400, 'body must be JSON');
  }
  const r = SaveBody.safeParse(value);
  if (!r.success)
    throw new HistoryError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data.name || null;
}

/**
 * `/api/pads/<pad>/versions[/<id>[/restore]]`. Returns false for other paths.
 * Restoring applies the old text as a new edit through the CRDT and records that as a
 * version itself, so a restore destroys nothing (V3).
 */
export async function handleHistory(
  req: IncomingMessage,
  _res: ServerResponse,
  path: string,
  pad: string,
  d: HistoryRouteDeps,
): Promise<boolean> {
  const m = /^\/api\/pads\/[^/]+\/versions(?:\/([^/]+)(\/restore)?)?$/.exec(path);
  if (!m) return false;
  const method = req.method ?? 'GET';
  const id = m[1];
  if (id !== undefined && !VERSION_ID.test(id)) throw new HistoryError(400, 'version ids are 16 hex characters');

  if (!id) {
    if (method === 'GET' || method === 'HEAD') return (d.json(200, { pad, versions: await d.history.list(pad) }), true);
    if (method === 'POST') {
      const name = parseSave(await d.readBody());
      const version = await d.withPad(pad, async (room) => {
        await room.durable();
        return room.recordVersion('request', name);
      });
      return (d.json(201, { version }), true);
    }
    throw new HistoryError(405, `${method} not allowed here`);
  }

  const found = await d.history.get(pad, id);
  if (!found) throw new HistoryError(404, `no version ${id} of this pad`);
  const text = found.doc.getText('content').toString();
  if (m[2]) {
    if (method !== 'POST') throw new HistoryError(405, 'use POST to restore');
    const when = new Date(found.meta.createdAt).toISOString().replace('T', ' ').slice(0, 16);
    const version = await d.withPad(pad, async (room) => {
      await room.replaceText(text);
      return room.recordVersion('restore', `Restored ${found.meta.name ?? `version of ${when} UTC`}`);
    });
    found.doc.destroy();
    return (d.json(200, { restored: id, version }), true);
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HistoryError(405, `${method} not allowed here`);
  if (new URL(req.url ?? '/', 'http://x').searchParams.get('format') === 'json') {
    const spans = authorship(found.doc, await d.history.authors(pad));
    found.doc.destroy();
    return (d.json(200, { version: found.meta, text, spans }), true);
  }
  found.doc.destroy();
  return (d.text(200, text), true);
}
