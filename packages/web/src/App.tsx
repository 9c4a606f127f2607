import { Suspense, useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import { accessApi } from './access/api.js';
import { PasswordPrompt } from './access/PasswordPrompt.js';
import { ShareMenu } from './access/ShareMenu.js';
import { CopyLink } from './pad/CopyLink.js';
import { Editor } from './pad/Editor.js';
import { PadProvider } from './pad/provider.js';
import { SaveProblem, StatusBadge } from './pad/StatusBadge.js';
import { deviceId } from './device-id.js';
import { Avatars } from './presence/Avatars.js';
import { loadIdentity, type Identity } from './presence/identity.js';
import { openCache } from './offline/cache.js';
import { lazyPart } from './lazy-part.js';
import { parseRoute, socketUrl, type Route } from './route.js';

// History (and its diff library) loads on first use: most visits never open it.
const HistoryPanel = lazyPart(() => import('./history/HistoryPanel.js').then((m) => m.HistoryPanel));
const VersionView = lazyPart(() => import('./history/VersionView.js').then((m) => m.VersionView));

type Gate =
  { kind: 'checking' } | { kind: 'locked' } | { kind: 'open'; protected: boolean } | { kind: 'error'; message: string };

declare global {
  interface Window {
    padmesh?: { doc: Y.Doc; provider: PadProvider; readonly status: string };
  }
}

/** Back to the text after a top-bar action (e.g. renaming yourself), so typing just continues. */
const focusEditor = () => document.querySelector<HTMLElement>('.cm-content[contenteditable="true"]')?.focus();

/** Follows the URL (back/forward move between the pad and the versions viewed). */
export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (path: string) => {
    history.pushState(null, '', path);
    setRoute(parseRoute(path));
  };
  return <Gatekeeper route={route} navigate={navigate} />;
}

/** One pad: checks access, then connects and shows the editor with its top bar. */
function Gatekeeper({ route, navigate }: { route: Route; navigate: (path: string) => void }) {
  const [gate, setGate] = useState<Gate>(
    route.kind === 'read-only' ? { kind: 'open', protected: false } : { kind: 'checking' },
  );
  const pad = route.kind === 'pad' ? route.pad : null;

  const check = () => {
    if (!pad) return;
    accessApi.status(pad).then(
      (s) => setGate(s.protected && !s.unlocked ? { kind: 'locked' } : { kind: 'open', protected: s.protected }),
      // No network: open the cached copy (offline editing); the socket retries meanwhile.
      (err: Error) =>
        setGate(
          err instanceof TypeError ? { kind: 'open', protected: false } : { kind: 'error', message: err.message },
        ),
    );
  };
  useEffect(check, [pad]);

  if (gate.kind === 'checking') return <div className="center-card muted">Opening…</div>;
  if (gate.kind === 'error') return <div className="center-card error">{gate.message}</div>;
  if (gate.kind === 'locked') return <PasswordPrompt pad={pad!} onUnlocked={check} />;
  return (
    <Pad
      route={route}
      navigate={navigate}
      isProtected={gate.protected}
      onProtectedChange={(p) => setGate({ kind: 'open', protected: p })}
      onLocked={() => setGate({ kind: 'locked' })}
    />
  );
}

function Pad({
  route,
  navigate,
  isProtected,
  onProtectedChange,
  onLocked,
}: {
  route: Route;
  navigate: (path: string) => void;
  isProtected: boolean;
  onProtectedChange: (p: boolean) => void;
  onLocked: () => void;
}) {
  const readOnly = route.kind === 'read-only';
  const [me, setMe] = useState<Identity>(loadIdentity);
  const [provider, setProvider] = useState<PadProvider | null>(null);
  const version = route.kind === 'pad' ? route.version : null;
  const [historyOpen, setHistoryOpen] = useState(version !== null);
  const [historyRefresh, setHistoryRefresh] = useState(0);
  // The connection follows the pad, not the version being viewed.
  const connectionKey = route.kind === 'pad' ? `pad:${route.pad}` : `ro:${route.id}`;
  // Parent callbacks change every render; the connection must not.
  const onLockedRef = useRef(onLocked);
  onLockedRef.current = onLocked;
  useEffect(() => {
    let p: PadProvider | null = null;
    let cache: Awaited<ReturnType<typeof openCache>> = null;
    let cancelled = false;
    const doc = new Y.Doc();
    // Cached text first (instant, and offline), then the socket syncs the difference.
    void openCache(connectionKey, doc).then((c) => {
      cache = c;
      if (cancelled) return void c?.destroy();
      // Edits the cache holds that no server acknowledged (tab closed offline) are sent by
      // the sync; until then the status says they are only on this device.
      p = new PadProvider(socketUrl(route), doc, { unsaved: c?.unsaved ?? false });
      c?.track(p);
      p.onFatal = (code) => code === 4403 && onLockedRef.current();
      const provider = p;
      window.padmesh = {
        doc,
        provider,
        get status() {
          return provider.state.status;
        },
      };
      setProvider(p);
    });
    return () => {
      cancelled = true;
      p?.destroy();
      void cache?.destroy();
    };
  }, [connectionKey]);
  // The device id lets other tabs of this person collapse into one avatar (E9).
  useEffect(() => provider?.awareness.setLocalStateField('user', { ...me, id: deviceId() }), [provider, me]);

  const title = route.kind === 'pad' ? route.pad : 'Read-only view';
  useEffect(() => {
    document.title = `${title} · Padmesh`;
  }, [title]);
  if (!provider) return null;

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/" title="New pad">
          <img src="/favicon.svg" alt="" width="20" height="20" />
          <span>Padmesh</span>
        </a>
        <span className="sep">/</span>
        <h1 className="pad-name" title={title}>
          {title}
          {isProtected && (
            <span className="badge" title="Password protected">
              🔒
            </span>
          )}
          {readOnly && <span className="badge">read-only</span>}
        </h1>
        {route.kind === 'pad' && <CopyLink pad={route.pad} />}
        <div className="spacer" />
        <StatusBadge provider={provider} />
        <Avatars awareness={provider.awareness} me={me} onRename={setMe} onDone={focusEditor} />
        {route.kind === 'pad' && (
          <button
            className={`button ${historyOpen ? 'on' : ''}`}
            onClick={() => (historyOpen && version ? navigate(`/${route.pad}`) : null, setHistoryOpen(!historyOpen))}
            aria-pressed={historyOpen}
          >
            History
          </button>
        )}
        {route.kind === 'pad' && <ShareMenu pad={route.pad} isProtected={isProtected} onChange={onProtectedChange} />}
      </header>
      <div className="body">
        <main className="main">
          {route.kind === 'pad' && version ? (
            <Suspense fallback={null}>
              <VersionView
                pad={route.pad}
                id={version}
                doc={provider.doc}
                onClose={() => navigate(`/${route.pad}`)}
                onRestored={() => {
                  setHistoryRefresh((n) => n + 1);
                  navigate(`/${route.pad}`);
                }}
              />
            </Suspense>
          ) : (
            <>
              <SaveProblem provider={provider} />
              <Editor provider={provider} readOnly={readOnly} />
            </>
          )}
        </main>
        {route.kind === 'pad' && historyOpen && (
          // Its own boundary: the editor stays mounted while the panel's code loads.
          <Suspense fallback={null}>
            <HistoryPanel
              pad={route.pad}
              selected={version}
              refreshKey={historyRefresh}
              onSelect={(id) => navigate(`/${route.pad}/history/${id}`)}
            />
          </Suspense>
        )}
      </div>
    </div>
  );
}
