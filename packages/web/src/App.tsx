import { CloseCode, type AccessStatus } from '@padmesh/protocol';
import { Suspense, useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import type { Ended } from './access/AccessEnded.js';
import { accessApi, ApiError } from './access/api.js';
import { arrivedByRedirect, claim, claimable } from './access/claim.js';
import { adoptOwnerFragment, forgetOwnerToken } from './access/owner-token.js';
import { ShareMenu } from './access/ShareMenu.js';
import { AuthorshipToggle } from './authorship/AuthorshipToggle.js';
import { versionPath } from './history/version-id.js';
import { CopyLink } from './pad/CopyLink.js';
import { FileMenu } from './file/FileMenu.js';
import { ThemeToggle } from './theme/ThemeToggle.js';
import { Editor } from './pad/Editor.js';
import { PadProvider } from './pad/provider.js';
import { SaveProblem, StatusBadge } from './pad/StatusBadge.js';
import { deviceId } from './device-id.js';
import { Avatars } from './presence/Avatars.js';
import { loadIdentity, type Identity } from './presence/identity.js';
import { forgetCachedPad, openCache, type PadCache } from './offline/cache.js';
import { lazyPart } from './lazy-part.js';
import { ViewMenu } from './view/ViewMenu.js';
import { MyPadsButton, MyPadsPage, useVisitRecord } from './my-pads/MyPadsButton.js';
import { padPath, parseAppRoute, socketUrl, type AppRoute, type Route } from './route.js';
import { LockIcon } from './pad/LockIcon.js';
import { TopBar, TopBarItem } from './topbar/TopBar.js';
import { NARROW } from './topbar/use-media.js';

// History (and its diff library) loads on first use: most visits never open it.
const HistoryPanel = lazyPart(() => import('./history/HistoryPanel.js').then((m) => m.HistoryPanel));
const VersionView = lazyPart(() => import('./history/VersionView.js').then((m) => m.VersionView));
// Shown only to a locked or ended pad: a plain pad's first load does not carry them.
const PasswordPrompt = lazyPart(() => import('./access/PasswordPrompt.js').then((m) => m.PasswordPrompt));
const AccessEnded = lazyPart(() => import('./access/AccessEnded.js').then((m) => m.AccessEnded));

type Gate =
  | { kind: 'checking' }
  | { kind: 'locked' }
  | { kind: 'open'; access: AccessStatus }
  | { kind: 'ended'; why: Ended }
  | { kind: 'error'; message: string };

/** What a read-only link, or a pad we cannot ask about (offline), is treated as: no owner controls. */
const NO_ACCESS_INFO: AccessStatus = {
  protected: false,
  unlocked: true,
  owned: true,
  owner: false,
  readOnly: null,
  expiresAt: null,
};

declare global {
  interface Window {
    padmesh?: { doc: Y.Doc; provider: PadProvider; readonly status: string };
  }
}

/** Back to the text after a top-bar action (e.g. renaming yourself), so typing just continues. */
const focusEditor = () => document.querySelector<HTMLElement>('.cm-content[contenteditable="true"]')?.focus();

/** Follows the URL (back/forward move between the pad and the versions viewed). */
export function App() {
  const [route, setRoute] = useState<AppRoute>(() => {
    const r = parseAppRoute(location.pathname);
    // Before anything renders, so the owner token never lingers in the address bar.
    adoptOwnerFragment(r.kind === 'pad' ? r.pad : null);
    return r;
  });
  useEffect(() => {
    const onPop = () => setRoute(parseAppRoute(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (path: string) => {
    history.pushState(null, '', path);
    setRoute(parseAppRoute(path));
  };
  if (route.kind === 'my-pads') return <MyPadsPage />;
  return <Gatekeeper route={route} navigate={navigate} />;
}

/** One pad: checks access, then connects and shows the editor with its top bar. */
function Gatekeeper({ route, navigate }: { route: Route; navigate: (path: string) => void }) {
  const [gate, setGate] = useState<Gate>(
    route.kind === 'read-only' ? { kind: 'open', access: NO_ACCESS_INFO } : { kind: 'checking' },
  );
  const pad = route.kind === 'pad' ? route.pad : null;

  // Checks overlap (a claim, a password set, a link made): only the newest may set the gate, or
  // an older answer arriving last would undo what a newer one showed (a link made, an unlock).
  const latest = useRef(0);
  const check = () => {
    if (!pad) return;
    const ticket = ++latest.current;
    void accessStatus(pad).then(
      (s) => {
        if (ticket === latest.current)
          setGate(s.protected && !s.unlocked ? { kind: 'locked' } : { kind: 'open', access: s });
      },
      (err: Error) => {
        if (ticket !== latest.current) return;
        // Deleted: drop the cached copy before anything could load it and send it back.
        if (err instanceof ApiError && err.status === 410) {
          forgetOwnerToken(pad);
          void forgetCachedPad(`pad:${pad}`);
          return setGate({ kind: 'ended', why: 'deleted' });
        }
        // No network: open the cached copy (offline editing); the socket retries meanwhile.
        setGate(
          err instanceof TypeError ? { kind: 'open', access: NO_ACCESS_INFO } : { kind: 'error', message: err.message },
        );
      },
    );
  };
  useEffect(check, [pad]);

  if (gate.kind === 'checking') return <div className="center-card muted">Opening…</div>;
  if (gate.kind === 'error') return <div className="center-card error">{gate.message}</div>;
  if (gate.kind === 'ended')
    return (
      <Suspense fallback={null}>
        <AccessEnded why={gate.why} />
      </Suspense>
    );
  if (gate.kind === 'locked')
    return (
      <Suspense fallback={null}>
        <PasswordPrompt pad={pad!} onUnlocked={check} />
      </Suspense>
    );
  return <Pad route={route} navigate={navigate} access={gate.access} onAccessChanged={check} />;
}

/**
 * The pad's access status; a pad this visit's `/` redirect just made is claimed first (OW:
 * ownership without accounts), before the editor opens, so typing cannot make it unclaimable.
 */
async function accessStatus(pad: string): Promise<AccessStatus> {
  const s = await accessApi.status(pad);
  if (!claimable(pad, s) || !arrivedByRedirect()) return s;
  return (await claim(pad)) ? accessApi.status(pad) : s;
}

function Pad({
  route,
  navigate,
  access,
  onAccessChanged,
}: {
  route: Route;
  navigate: (path: string) => void;
  access: AccessStatus;
  onAccessChanged: () => void;
}) {
  const isProtected = access.protected;
  const readOnly = route.kind === 'read-only';
  const [me, setMe] = useState<Identity>(loadIdentity);
  const [provider, setProvider] = useState<PadProvider | null>(null);
  const version = route.kind === 'pad' ? route.version : null;
  // A version's URL opens the list beside it; on a phone the sheet would cover the version, so it waits for a tap.
  const [historyOpen, setHistoryOpen] = useState(version !== null && !matchMedia(NARROW).matches);
  const [historyRefresh, setHistoryRefresh] = useState(0);
  // The connection follows the pad, not the version being viewed.
  const connectionKey = route.kind === 'pad' ? `pad:${route.pad}` : `ro:${route.id}`;
  // Set when the server closes the socket for good over access (4403 / 4406 / 4410).
  const [locked, setLocked] = useState(false);
  const [ended, setEnded] = useState<Ended | null>(null);
  const cacheRef = useRef<PadCache | null>(null);
  /** The password this tab just set: when the server then closes our socket (4403), unlock with it instead of asking. */
  const ownPassword = useRef<string | null>(null);
  const onFatal = (code: number) => {
    if (code === CloseCode.PasswordRequired && route.kind === 'pad') {
      const pw = ownPassword.current;
      if (!pw) return setLocked(true);
      accessApi.unlock(route.pad, pw).then(
        () => provider?.reconnect(),
        () => setLocked(true),
      );
    } else if (code === CloseCode.LinkRevoked) end('revoked');
    else if (code === CloseCode.InvalidPad && route.kind === 'read-only') end('unknown-link');
    else if (code === CloseCode.PadDeleted) end('deleted');
  };
  /**
   * Final: the cached copy goes too (a deleted pad must not come back from this browser's
   * IndexedDB on reload; a revoked viewer keeps no copy), and nothing retries.
   */
  const end = (why: Ended) => {
    setEnded(why);
    if (why === 'deleted' && route.kind === 'pad') forgetOwnerToken(route.pad);
    void (cacheRef.current ? cacheRef.current.clear() : forgetCachedPad(connectionKey));
  };
  // Parent callbacks change every render; the connection must not.
  const onFatalRef = useRef(onFatal);
  onFatalRef.current = onFatal;
  useEffect(() => {
    let p: PadProvider | null = null;
    let cache: Awaited<ReturnType<typeof openCache>> = null;
    let cancelled = false;
    const doc = new Y.Doc();
    // Cached text first (instant, and offline), then the socket syncs the difference.
    void openCache(connectionKey, doc).then((c) => {
      cache = c;
      if (cancelled) return void c?.destroy();
      cacheRef.current = c;
      // Edits the cache holds that no server acknowledged (tab closed offline) are sent by
      // the sync; until then the status says they are only on this device.
      p = new PadProvider(socketUrl(route), doc, { unsaved: c?.unsaved ?? false });
      c?.track(p);
      p.onFatal = (code) => onFatalRef.current(code);
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
  useClaimWhenEmpty(route, provider, access, onAccessChanged);
  useVisitRecord(connectionKey, provider?.doc);

  const title = route.kind === 'pad' ? route.pad : 'Read-only view';
  useEffect(() => {
    document.title = `${title} · Padmesh`;
  }, [title]);
  if (ended)
    return (
      <Suspense fallback={null}>
        <AccessEnded why={ended} />
      </Suspense>
    );
  if (!provider) return null;
  const onVersions = provider.onVersions;
  /** Closing the panel puts focus back where it was opened: the History button, or the More menu's button (KB2). */
  const closeHistory = () => {
    setHistoryOpen(false);
    const button = document.querySelector<HTMLElement>('[data-testid="history-button"]');
    (button?.checkVisibility() ? button : document.querySelector<HTMLElement>('[data-testid="topbar-more"]'))?.focus();
  };
  const unlocked = () => {
    setLocked(false);
    provider.reconnect(); // the unsent edits go out in this socket's sync
    onAccessChanged();
  };
  const passwordSet = async (password: string) => {
    ownPassword.current = password || null;
    if (!password || route.kind !== 'pad') return onAccessChanged();
    // This tab unlocks with the new password so the owner keeps editing without a prompt.
    await accessApi.unlock(route.pad, password);
    setLocked(false);
    provider.reconnect();
    onAccessChanged();
  };

  return (
    <div className="app">
      <TopBar>
        <a className="brand" href="/" title="New pad" aria-label="Padmesh: new pad">
          <img src="/favicon.svg" alt="" width="20" height="20" />
          <span>Padmesh</span>
        </a>
        <span className="sep" aria-hidden="true">
          /
        </span>
        <h1 className="pad-name" title={title}>
          <span className="pad-title">{title}</span>
          {isProtected && (
            <span className="badge">
              <LockIcon />
            </span>
          )}
          {readOnly && <span className="badge">read-only</span>}
        </h1>
        {route.kind === 'pad' && (
          <TopBarItem priority="low">
            <CopyLink pad={route.pad} />
          </TopBarItem>
        )}
        <div className="spacer" />
        <StatusBadge provider={provider} />
        <Avatars awareness={provider.awareness} me={me} onRename={setMe} onDone={focusEditor} />
        <TopBarItem priority="medium">
          <ViewMenu doc={provider.doc} readOnly={readOnly} />
        </TopBarItem>
        <TopBarItem priority="medium">
          <FileMenu doc={provider.doc} name={title} readOnly={readOnly} />
        </TopBarItem>
        <TopBarItem priority="low">
          <AuthorshipToggle />
        </TopBarItem>
        <TopBarItem priority="low">
          <ThemeToggle />
        </TopBarItem>
        <TopBarItem priority="low">
          <MyPadsButton current={connectionKey} />
        </TopBarItem>
        {route.kind === 'pad' && (
          <TopBarItem priority="medium">
            <button
              className={`button ${historyOpen ? 'on' : ''}`}
              onClick={() => (
                historyOpen && version ? navigate(padPath(route.pad)) : null,
                setHistoryOpen(!historyOpen)
              )}
              aria-pressed={historyOpen}
              data-testid="history-button"
            >
              History
            </button>
          </TopBarItem>
        )}
        {route.kind === 'pad' && (
          <ShareMenu
            pad={route.pad}
            access={access}
            onChanged={onAccessChanged}
            onPasswordSet={passwordSet}
            onDeleted={() => end('deleted')}
          />
        )}
      </TopBar>
      <div className="body">
        <main className="main">
          {route.kind === 'pad' && version ? (
            <Suspense fallback={null}>
              <VersionView
                pad={route.pad}
                id={version}
                doc={provider.doc}
                onClose={() => navigate(padPath(route.pad))}
                onRestored={() => {
                  setHistoryRefresh((n) => n + 1);
                  navigate(padPath(route.pad));
                }}
              />
            </Suspense>
          ) : (
            <>
              <SaveProblem provider={provider} />
              <Editor provider={provider} readOnly={readOnly} />
            </>
          )}
          {locked && route.kind === 'pad' && (
            <Suspense fallback={null}>
              <PasswordPrompt pad={route.pad} onUnlocked={unlocked} overlay />
            </Suspense>
          )}
        </main>
        {route.kind === 'pad' && historyOpen && (
          // Its own boundary: the editor stays mounted while the panel's code loads.
          <Suspense fallback={null}>
            <HistoryPanel
              pad={route.pad}
              selected={version}
              refreshKey={historyRefresh}
              onVersions={onVersions}
              onSelect={(id) => {
                // A phone's sheet would cover the version it opens: it steps aside (History brings it back).
                if (matchMedia(NARROW).matches) setHistoryOpen(false);
                navigate(versionPath(route.pad, id));
              }}
              onClose={closeHistory}
            />
          </Suspense>
        )}
      </div>
    </div>
  );
}

/**
 * Any empty pad nobody owns is claimed in the background once the sync shows it empty (the
 * `/` redirect case is claimed before opening, in accessStatus). One attempt per pad visit.
 */
function useClaimWhenEmpty(
  route: Route,
  provider: PadProvider | null,
  access: AccessStatus,
  onClaimed: () => void,
): void {
  const pad = route.kind === 'pad' ? route.pad : null;
  const want = pad !== null && provider !== null && claimable(pad, access);
  useEffect(() => {
    if (!want) return;
    let tried = false;
    const unsubscribe = provider.subscribe((s) => {
      if (tried || s.status !== 'saved' || provider.doc.getText('content').length > 0) return;
      tried = true;
      void claim(pad).then((ok) => ok && onClaimed());
    });
    return unsubscribe;
    // onClaimed is a fresh closure each render; the attempt belongs to the pad and provider.
  }, [want, provider, pad]);
}
