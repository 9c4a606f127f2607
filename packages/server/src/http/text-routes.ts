import type { TextReplaced } from '@padmesh/protocol';
import type { DistinctWindow } from '../limits.js';
import { HttpError } from './errors.js';
import { READ_METHODS, type Route, type WithPad } from './route.js';

export interface TextRouteDeps {
  withPad: WithPad;
  /** The per-address new-pad window the WebSocket and claim paths share: a PUT can create a pad too. */
  newPads: DistinctWindow;
}

/** How long a client refused a new pad waits: the window is a minute. */
const NEW_PAD_RETRY_AFTER_S = '60';

/**
 * A pad's text: `GET /<pad>.txt`, `GET|PUT /api/pads/<pad>/text` (H3, H4). A PUT replaces the
 * text through the CRDT (editors see it live) and answers once it is durable. It passes the
 * room's size checks (413, HI7) and, on a never-written pad, the new-pad limit (429, HI8).
 */
export function textRoutes({ withPad, newPads }: TextRouteDeps): Route[] {
  return [
    {
      pad: 'gated',
      pattern: /^\/(?<pad>[^/]+)\.txt$/,
      methods: READ_METHODS,
      handler: (ctx) => withPad(ctx.pad, async (room) => ctx.text(200, room.text)),
    },
    {
      pad: 'gated',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/text$/,
      methods: [...READ_METHODS, 'PUT'],
      handler: async (ctx) => {
        if (ctx.method !== 'PUT') return withPad(ctx.pad, async (room) => ctx.text(200, room.text));
        const body = await ctx.readBody();
        await withPad(ctx.pad, async (room) => {
          // Writing a never-written pad creates it; an empty body on one writes nothing.
          if (body !== '' && room.isEmpty() && !newPads.tryHit(ctx.ip, ctx.pad))
            throw new HttpError(429, 'too many new pads from your address; wait a minute', {
              'retry-after': NEW_PAD_RETRY_AFTER_S,
            });
          await room.replaceText(body);
        });
        ctx.json(200, { pad: ctx.pad, length: body.length, saved: true } satisfies TextReplaced);
      },
    },
  ];
}
