/**
 * `@padmesh/server/testing`: what bench, tests and deploy scripts use to drive a node. Not
 * part of the production build (it imports node:test); run through tsx like the tests.
 */
export { busContract } from './bus-contract.js';
export {
  storageContract,
  probe,
  decodeProbe,
  type ContractTarget,
  type SharedStore,
  type Probe,
} from './storage-contract.js';
export { RawClient } from './raw-client.js';
export { startTestServer, type TestServer } from './test-server.js';
export { spawnNode, type NodeProcess } from './process.js';
export { waitFor, prng, testSeed } from './wait.js';
export { corruptSqliteRow } from './corrupt.js';
export { ManualClock } from './manual-clock.js';
export { Sim, SimNode, SIM_DEFAULTS, type SimSettings } from './sim/sim.js';
export { SimClient, type SimClientOptions } from './sim/sim-client.js';
export { FakeSocket } from './sim/fake-socket.js';
export { writeLegacyAccess, writeLegacyVersion, writeLegacyAuthors, type LegacyVersion } from './legacy-layout.js';
export { awarenessFrame, updateFrame, concurrentInserts, concatClientBlocks } from './hostile-frames.js';
export { baseText, deleteRanges, fragmentedText } from './big-updates.js';
