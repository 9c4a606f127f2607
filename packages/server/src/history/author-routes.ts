import { presenceColor, presenceName, type AuthorList } from '@padmesh/protocol';
import { READ_METHODS, type Route } from '../http/route.js';
import type { History } from './versions.js';

/**
 * Authors listed per reply at most: a pad holds at most `MAX_PAD_CLIENTS` (8,192 by default)
 * client ids, so this covers every one of them at that setting, at ~50 bytes each (~400 KB),
 * whatever legacy data or a raised limit left in storage (AU3).
 */
export const AUTHORS_REPLY_MAX = 8_192;

/**
 * `GET /api/pads/<pad>/authors`: who each Yjs client id of the pad is, as History records
 * them (PR8), so the editor's live authorship colours (AU1) name the person behind text
 * whose writer has left or reloaded. Gated by the pad's password like the rest of its
 * content (AU3). Values are checked again on the way out, as they reach a style.
 */
export function authorRoutes({ history }: { history: History }): Route[] {
  return [
    {
      pad: 'gated',
      pattern: /^\/api\/pads\/(?<pad>[^/]+)\/authors$/,
      methods: READ_METHODS,
      handler: async (ctx) => {
        const authors: AuthorList['authors'] = [];
        let truncated = false;
        for (const [client, a] of await history.authors(ctx.pad)) {
          const name = presenceName(a.name);
          const color = presenceColor(a.color);
          if (!name || !color || !Number.isSafeInteger(client)) continue;
          if (authors.length === AUTHORS_REPLY_MAX) {
            truncated = true;
            break;
          }
          authors.push({ client, name, color });
        }
        ctx.json(200, { pad: ctx.pad, authors, truncated } satisfies AuthorList);
      },
    },
  ];
}
