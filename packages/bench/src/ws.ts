import { createRequire } from 'node:module';
import type * as WsModule from 'ws';

/**
 * ws 8 from the workspace root. y-websocket 1.5.4 (the reference server we compare with)
 * pins ws 6, which npm places in this package's own node_modules, shadowing ws 8 here.
 */
const rootRequire = createRequire(new URL('../../../package.json', import.meta.url));
const ws = rootRequire('ws') as typeof WsModule;
export const WebSocket = ws.WebSocket;
export const WebSocketServer = ws.WebSocketServer;
export type WebSocket = WsModule.WebSocket;
