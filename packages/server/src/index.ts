/** `@padmesh/server`: start a node, or reach its storage from a script (bench, CLI-like tools). */
export { startServer, type PadmeshServer, type ServerDeps } from './server.js';
export { envDefault, parseConfig, type Config } from './config.js';
export { NODE_FLAGS } from './node-flags.js';
export { openStorage, type OpenStorageOptions } from './storage/open.js';
export { SqliteStorage } from './storage/sqlite.js';
export { MemoryStorage } from './storage/memory.js';
export type {
  Storage,
  StoredPad,
  LogEntry,
  CorruptEntry,
  QuarantinedEntry,
  Records,
  StoredRecord,
} from './storage/types.js';
export { MemoryBus, MemoryHub } from './cluster/bus/memory.js';
export type { Bus, BusMessage } from './cluster/bus/types.js';
export { History } from './history/versions.js';
