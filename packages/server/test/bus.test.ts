import { busContract } from '../testing/bus-contract.js';
import { MemoryBus, MemoryHub } from '../src/cluster/bus/memory.js';
import { RedisBus } from '../src/cluster/bus/redis.js';
import { createLogger } from '../src/log.js';

const REDIS_URL = process.env.PADMESH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger({ logLevel: 'silent', nodeId: 'bus-test' });

busContract('memory', async () => {
  const hub = new MemoryHub();
  return [new MemoryBus(hub), new MemoryBus(hub)];
});

busContract('redis', async () => {
  const open = () =>
    RedisBus.open(REDIS_URL, log).catch((err: Error) => {
      throw new Error(`Redis is required for this test (${REDIS_URL}): ${err.message}`);
    });
  return [await open(), await open()];
});
