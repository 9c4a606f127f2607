// The reference y-websocket server (y-websocket 1.5.4's bin/utils setupWSConnection), in
// memory. @y/websocket-server (its successor) requires yjs 14 prereleases, whose update
// encoding our yjs 13 clients do not share; 1.5.4 is the last release on yjs 13.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from '../ws.js';

const require = createRequire(import.meta.url);
const { setupWSConnection } = require('y-websocket/bin/utils') as {
  setupWSConnection: (ws: unknown, req: unknown, opts?: unknown) => void;
};

const http = createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server: http });
wss.on('connection', (ws, req) =>
  setupWSConnection(ws, req, { docName: (req.url ?? '/').slice(1).split('?')[0]!.replace(/^ws\//, '') }),
);
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  process.stdout.write(`READY ${(http.address() as AddressInfo).port}\n`),
);
// Exit normally on SIGINT so a --cpu-prof profile gets written.
process.on('SIGINT', () => process.exit(0));
