import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { waitFor } from '@padmesh/server/testing';

const COLORS = ['#d1495b', '#2e86ab', '#3b7d23', '#8e44ad', '#b9770e'];

/**
 * Stock y-websocket clients standing in for other people on a pad: cheaper than a browser
 * each. `cookie` carries a protected pad's unlock cookie. Returns the function that makes them leave.
 */
export async function joinPeople(wsUrl: string, pad: string, names: string[], cookie?: string): Promise<() => void> {
  const Socket = cookie
    ? class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { cookie } });
        }
      }
    : WebSocket;
  const providers = names.map((name, i) => {
    const p = new WebsocketProvider(wsUrl, pad, new Y.Doc(), { WebSocketPolyfill: Socket as never, disableBc: true });
    p.awareness.setLocalState({ user: { name, color: COLORS[i % COLORS.length] } });
    return p;
  });
  const leave = () => {
    // The doc too: its awareness keeps a timer until the doc is destroyed.
    for (const p of providers) {
      p.destroy();
      p.doc.destroy();
    }
  };
  await waitFor(() => providers.every((p) => p.synced), 'people synced').catch((err: Error) => {
    leave();
    throw err;
  });
  return leave;
}
