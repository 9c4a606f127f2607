// Hocuspocus (@hocuspocus/server 3.x), in memory: its persistence extensions need native
// sqlite3 builds this machine can't fetch, so it runs without storage (an advantage to it).
import { Server } from '@hocuspocus/server';

const port = Number(process.env.PORT ?? 0);
const server = new Server({ port, address: '127.0.0.1', quiet: true });
await server.listen();
process.stdout.write(`READY ${server.address.port}\n`);
