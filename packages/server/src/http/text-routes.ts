import type { TextReplaced } from '@padmesh/protocol';
import { READ_METHODS, type Route, type WithPad } from './route.js';

/**
 * A pad's text: `GET /<pad>.txt`, `GET|PUT /api/pads/<pad>/text` (H3, H4). A PUT replaces the
 * text through the CRDT (editors see it live) and answers once it is durable.
 */
export function textRoutes(withPad: WithPad): Route[] {
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
        await withPad(ctx.pad, (room) => room.replaceText(body));
        ctx.json(200, { pad: ctx.pad, length: body.length, saved: true } satisfies TextReplaced);
      },
    },
  ];
}
