import { manyClients, samePosition, crowd } from './gen-clients.js';
import { hugeDeletes } from './gen-deletes.js';
import { owedLinks, pendingChain } from './gen-pending.js';
import { bigString, typing } from './gen-text.js';
import { mapChurn, nesting, subdoc } from './gen-types.js';
import type { Generator } from './generator.js';
import { mutations } from './mutations.js';
import type { Rand } from './rand.js';

/** Honest clients typing on the pad: not a generator of frames, the round types through a real client. */
export const HONEST = 'honest';

/** Every attack family with how often it is picked; honest typing is mixed in at the same odds as the rest. */
const WEIGHTED: [Generator | typeof HONEST, number][] = [
  [HONEST, 20],
  [typing, 10],
  [mutations, 12],
  [manyClients, 8],
  [pendingChain, 8],
  [samePosition, 6],
  [crowd, 6],
  [nesting, 6],
  [mapChurn, 5],
  [hugeDeletes, 5],
  [owedLinks, 4],
  [bigString, 3],
  [subdoc, 1],
];
const TOTAL = WEIGHTED.reduce((n, [, w]) => n + w, 0);

export function pickGenerator(rand: Rand): Generator | typeof HONEST {
  let r = rand.float() * TOTAL;
  for (const [g, w] of WEIGHTED) if ((r -= w) < 0) return g;
  return HONEST;
}

export const GENERATOR_NAMES = WEIGHTED.map(([g]) => (g === HONEST ? HONEST : g.name));
