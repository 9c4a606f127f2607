import { PRESENCE_NAME_MAX, type PresenceUser } from '@padmesh/protocol';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import { useDismiss } from '../topbar/dismiss.js';
import { NARROW, useMedia } from '../topbar/use-media.js';
import { safeColor } from './colors.js';
import { cleanName, initials, saveIdentity, type Identity } from './identity.js';

interface Peer {
  id: number;
  name: string;
  /** Checked `#rrggbb` (PR5): the only remote value that reaches a style here. */
  color: string;
  /** Came through a read-only link, as the server says (PR4). */
  viewer: boolean;
}

function peersOf(awareness: Awareness): Peer[] {
  const out: Peer[] = [];
  // One entry per person (E9): tabs of one device share `user.id`; my own other tabs are me.
  const mine = (awareness.getLocalState() as { user?: Partial<PresenceUser> } | null)?.user?.id;
  const seen = new Set<string>(typeof mine === 'string' ? [mine] : []);
  for (const [id, state] of awareness.getStates()) {
    const u = (state as { user?: Partial<Record<keyof PresenceUser, unknown>> }).user;
    if (id === awareness.clientID || !u || typeof u.name !== 'string') continue;
    if (typeof u.id === 'string') {
      if (seen.has(u.id)) continue;
      seen.add(u.id);
    }
    out.push({ id, name: cleanName(u.name) || 'Anonymous', color: safeColor(u.color), viewer: u.viewer === true });
  }
  // Editors first, then viewers; each by name.
  return out.sort((a, b) => Number(a.viewer) - Number(b.viewer) || a.name.localeCompare(b.name));
}

/** Circles for others beside mine: a phone's bar has room for 3, a desktop's for 8 (SPEC PH2). */
const ROOM_NARROW = 3;
const ROOM_WIDE = 8;

/** Black or white initials, whichever reads better on the person's colour (WCAG contrast; KB3). */
function textOn(hex: string): string {
  const lin = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#000000';
}

const label = (p: Peer) => (p.viewer ? `${p.name} (viewing)` : p.name);

/**
 * Coloured circles for who is here; yours first, click it to rename yourself. When not
 * everyone fits, the last circle is "+N", a button that lists everyone (SPEC PH2).
 */
export function Avatars({
  awareness,
  me,
  onRename,
  onDone,
}: {
  awareness: Awareness;
  me: Identity;
  onRename: (id: Identity) => void;
  onDone?: () => void;
}) {
  const [peers, setPeers] = useState<Peer[]>(() => peersOf(awareness));
  const room = useMedia(NARROW) ? ROOM_NARROW : ROOM_WIDE;
  // All of them if they fit; else one circle fewer, and "+N" in its place.
  const shown = peers.length <= room ? peers : peers.slice(0, room - 1);
  const hidden = peers.slice(shown.length);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(me.name);
  // Escape closes the input; the blur that follows must not save the draft.
  const cancelled = useRef(false);
  useEffect(() => {
    const update = () => setPeers(peersOf(awareness));
    awareness.on('change', update);
    return () => awareness.off('change', update);
  }, [awareness]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (cancelled.current) return;
    const name = cleanName(draft);
    if (name && name !== me.name) {
      const next = { ...me, name };
      saveIdentity(next);
      onRename(next);
    }
    setEditing(false);
    // Enter means "done, back to writing"; a blur went somewhere on purpose, so leave focus there.
    if (e.type === 'submit') onDone?.();
  };
  const start = () => {
    cancelled.current = false;
    setDraft(me.name);
    setEditing(true);
  };

  return (
    <div className={editing ? 'presence renaming' : 'presence'} role="group" aria-label="People on this pad">
      {editing ? (
        <form onSubmit={submit} className="rename">
          <input
            autoFocus
            value={draft}
            maxLength={PRESENCE_NAME_MAX}
            placeholder="Your name"
            title="Enter to save, Escape to cancel"
            onFocus={(e) => e.target.select()}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={submit}
            onKeyDown={(e) => {
              if (e.key !== 'Escape') return;
              cancelled.current = true;
              setEditing(false);
              onDone?.();
            }}
            aria-label="Your name"
          />
        </form>
      ) : (
        <button
          className="avatar me"
          style={{ background: me.color, color: textOn(me.color) }}
          title={`${me.name} (you) — click to rename`}
          data-testid="rename-me"
          onClick={start}
        >
          {/* The circle shows initials; a screen reader hears who and what the button does (no aria-label, so the two never disagree). */}
          <span aria-hidden="true">{initials(me.name)}</span>
          <span className="sr-only">{me.name} (you): rename yourself</span>
        </button>
      )}
      {shown.map((p) => (
        <span
          key={p.id}
          className={p.viewer ? 'avatar viewer' : 'avatar'}
          style={{ background: p.color, color: textOn(p.color) }}
          role="img"
          aria-label={label(p)}
          title={label(p)}
          data-name={p.name}
          data-viewer={p.viewer ? 'true' : undefined}
        >
          {initials(p.name)}
        </span>
      ))}
      {hidden.length > 0 && <MorePeople hidden={hidden} everyone={peers} me={me.name} />}
      <span className="count">{peers.length === 0 ? 'Only you' : `${peers.length + 1} here`}</span>
    </div>
  );
}

/** "+N": the people whose circles did not fit, as a button that opens the list of everyone here. */
function MorePeople({ hidden, everyone, me }: { hidden: Peer[]; everyone: Peer[]; me: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, button, panel);
  const names = hidden.map(label).join(', ');
  return (
    <span className="more-people">
      <button
        ref={button}
        className="avatar more"
        data-testid="more-people"
        aria-label={`${hidden.length} more: ${names}`}
        title={names}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        +{hidden.length}
      </button>
      {open && (
        <div className="popover people-list" ref={panel} role="dialog" aria-label="Everyone on this pad">
          <ul>
            <li>{me} (you)</li>
            {everyone.map((p) => (
              <li key={p.id}>
                <span className="author-dot" style={{ background: p.color }} aria-hidden="true" />
                {label(p)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </span>
  );
}
