import type { SaveVersionRequest, VersionDetail, VersionList, VersionRestored, VersionSaved } from '@padmesh/protocol';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { parseJsonBody } from '../http/json-body.js';
import { READ_METHODS, type Route, type WithPad } from '../http/route.js';
import { SlidingWindow } from '../limits.js';
import { VERSION_ID, authorship, type History } from './versions.js';

/**
 * Saves and restores per pad per minute: each may store a full copy of the pad's state, so a
 * loop of them would fill storage faster than retention can matter (HI9). A person saves a
 * handful an hour.
 */
export const VERSION_SAVES_PER_MIN = 10;
const SAVE_WINDOW_MS = 60_000;

/** Longest version name kept; names show in a list, not as documents. */
const VERSION_NAME_MAX_CHARS = 100;

const SaveBody: z.ZodType<SaveVersionRequest> = z
  .object({ name: z.string().trim().max(VERSION_NAME_MAX_CHARS).optional() })
  .strict();

export interface HistoryRouteDeps {
  history: History;
  withPad: WithPad;
}

/** A version's name from a save request; an empty body (or name) saves an unnamed one. */
function parseSave(raw: string): string | null {
  if (raw.trim() === '') return null;
  return parseJsonBody(SaveBody, raw).name || null;
}

function versionId(raw: string): string {
  if (!VERSION_ID.test(raw)) throw new HttpError(400, 'version ids are 16 hex characters');
  return raw;
}

/**
 * `/api/pads/<pad>/versions[/<id>[/restore]]` (V1–V4). Restoring applies the old text as a
 * new edit through the CRDT and records that as a version itself, so a restore destroys
 * nothing (V3).
 */
export function historyRoutes({ history, withPad }: HistoryRouteDeps): Route[] {
  const saves = new SlidingWindow(VERSION_SAVES_PER_MIN, SAVE_WINDOW_MS);
  const takeSave = (pad: string) => {
    if (!saves.tryHit(pad))
      throw new HttpError(429, `at most ${VERSION_SAVES_PER_MIN} versions saved per minute on a pad`, {
        'retry-after': String(SAVE_WINDOW_MS / 1000),
      });
  };
  return [
    {
      pad: 'gated',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/versions$/,
      methods: [...READ_METHODS, 'POST'],
      handler: async (ctx) => {
        const { pad } = ctx;
        if (ctx.method !== 'POST')
          return ctx.json(200, { pad, versions: await history.list(pad) } satisfies VersionList);
        const name = parseSave(await ctx.readBody());
        takeSave(pad);
        const version = await withPad(pad, async (room) => {
          await room.durable();
          return room.recordVersion('request', name);
        });
        ctx.json(201, { version } satisfies VersionSaved);
      },
    },
    {
      pad: 'gated',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/versions\/(?<id>[^/]+)\/restore$/,
      params: { id: versionId },
      methods: ['POST'],
      wrongMethod: 'use POST to restore',
      handler: async (ctx) => {
        const { pad } = ctx;
        const id = ctx.params.id!;
        takeSave(pad);
        const found = await history.get(pad, id);
        if (!found) throw new HttpError(404, `no version ${id} of this pad`);
        const text = found.doc.getText('content').toString();
        const when = new Date(found.meta.createdAt).toISOString().replace('T', ' ').slice(0, 16);
        const version = await withPad(pad, async (room) => {
          await room.replaceText(text);
          return room.recordVersion('restore', `Restored ${found.meta.name ?? `version of ${when} UTC`}`);
        });
        found.doc.destroy();
        ctx.json(200, { restored: id, version } satisfies VersionRestored);
      },
    },
    {
      pad: 'gated',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/versions\/(?<id>[^/]+)$/,
      params: { id: versionId },
      methods: READ_METHODS,
      handler: async (ctx) => {
        const { pad } = ctx;
        const id = ctx.params.id!;
        const found = await history.get(pad, id);
        if (!found) throw new HttpError(404, `no version ${id} of this pad`);
        const text = found.doc.getText('content').toString();
        try {
          if (ctx.url.searchParams.get('format') !== 'json') return ctx.text(200, text);
          const spans = authorship(found.doc, await history.authors(pad));
          ctx.json(200, { version: found.meta, text, spans } satisfies VersionDetail);
        } finally {
          found.doc.destroy();
        }
      },
    },
  ];
}
