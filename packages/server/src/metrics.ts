import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often prom-client's event-loop lag monitor (`nodejs_eventloop_lag_*`) samples. Its
 * default, 10 ms, woke an idle node 100 times a second: with no pad and no connection that was
 * the node's whole idle cost, 0.45 % of a core against 0.05 % at 1 s (issue 19, idle pads). At
 * 250 ms every stall of 250 ms or more is still seen, and shorter ones in proportion.
 */
const LAG_RESOLUTION_MS = 250;

/** Every metric the server exports; one registry per server so tests can run several. */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'padmesh_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly openPads = new Gauge({
    name: 'padmesh_open_pads',
    help: 'Pads loaded in memory',
    registers: [this.registry],
  });
  readonly updates = new Counter({
    name: 'padmesh_updates_total',
    help: 'Document updates applied, by origin',
    labelNames: ['origin'] as const,
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'padmesh_commit_seconds',
    help: 'Storage commit latency per batch',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'padmesh_commit_batch_entries',
    help: 'Log entries per storage commit (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly storageErrors = new Counter({
    name: 'padmesh_storage_errors_total',
    help: 'Failed storage operations',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'padmesh_rejected_total',
    help: 'Connections closed or requests refused for bad input or limits, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly corruptEntries = new Counter({
    name: 'padmesh_corrupt_entries_total',
    help: 'Stored log entries or snapshots that failed their checksum or did not decode, quarantined on load (R1, R2)',
    labelNames: ['kind', 'reason'] as const,
    registers: [this.registry],
  });
  readonly recoveryCompactions = new Counter({
    name: 'padmesh_recovery_compactions_total',
    help: 'Pads compacted by the start-up recovery pass (R4)',
    registers: [this.registry],
  });
  readonly padLoadSeconds = new Histogram({
    name: 'padmesh_pad_load_seconds',
    help: 'Time to load a pad from storage',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: LAG_RESOLUTION_MS });
  }
}
