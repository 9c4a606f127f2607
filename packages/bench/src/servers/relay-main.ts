// The physical limit: a bare relay that forwards each frame to the other sockets of the same
// room, with no CRDT work and no storage.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from '../ws.js';

const rooms = new Map<string, Set<WebSocket>>();
const http = createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = (req.url ?? '/').split('?')[0]!;
  let peers = rooms.get(room);
  if (!peers) rooms.set(room, (peers = new Set()));
  peers.add(ws);
  ws.on('message', (data, isBinary) => {
    for (const p of peers!) if (p !== ws && p.readyState === p.OPEN) p.send(data, { binary: isBinary });
  });
  ws.on('close', () => peers!.delete(ws));
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  process.stdout.write(`READY ${(http.address() as AddressInfo).port}\n`),
);
// Exit normally on SIGINT so a --cpu-prof profile gets written.
process.on('SIGINT', () => process.exit(0));
