import type { Metrics } from '../metrics.js';
import type { Route } from './route.js';

export interface OpsDeps {
  metrics: Metrics;
  /** Resolves to null when ready, or the reason the node is not. */
  readiness: () => Promise<string | null>;
  /** Extra facts for /readyz (node id, bus state); informational, not part of the verdict. */
  readinessDetails?: () => Record<string, string>;
}

/** `/healthz`, `/readyz`, `/metrics` (H6): for probes and scrapers, so any method answers. */
export function opsRoutes(deps: OpsDeps): Route[] {
  return [
    { pattern: /^\/healthz$/, handler: (ctx) => ctx.json(200, { status: 'ok' }) },
    {
      pattern: /^\/readyz$/,
      handler: async (ctx) => {
        const problem = await deps.readiness();
        const details = deps.readinessDetails?.() ?? {};
        ctx.json(
          problem ? 503 : 200,
          problem ? { status: 'not ready', reason: problem, ...details } : { status: 'ready', ...details },
        );
      },
    },
    {
      pattern: /^\/metrics$/,
      handler: async (ctx) => ctx.text(200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType),
    },
  ];
}
