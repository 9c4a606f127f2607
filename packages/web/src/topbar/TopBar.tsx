import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { useDismiss } from './dismiss.js';
import { inMenu, nextLevel, type Priority } from './overflow.js';
import './topbar.css';

interface Bar {
  level: number;
  menu: HTMLElement | null;
  closeMenu: () => void;
}

const BarContext = createContext<Bar>({ level: 0, menu: null, closeMenu: () => {} });

/**
 * The app's top bar: never wider than the screen (SPEC PH1). Controls wrapped in
 * `TopBarItem` move into the More menu, least important first, when they stop fitting; the
 * bar measures itself whenever its size or its contents change. See `overflow.ts` for the
 * priorities and docs/architecture.md ("Web app: the top bar") for the convention.
 */
export function TopBar({ children }: { children: ReactNode }) {
  const bar = useRef<HTMLElement>(null);
  const more = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const [menu, setMenu] = useState<HTMLDivElement | null>(null);
  const [level, setLevel] = useState(0);
  const [open, setOpen] = useState(false);
  const needed = useRef<number[]>([]);
  const closeMenu = useCallback(() => setOpen(false), []);
  useDismiss(open, closeMenu, more, panel);

  const levelNow = useRef(0);
  levelNow.current = level;
  const fit = useCallback(() => {
    const el = bar.current;
    if (!el) return;
    // An open menu hangs out of the bar and counts in its scrollWidth, which is not the controls
    // overflowing: measuring then moved View and History into More at 1280 px when the View menu
    // grew (Markdown's options) and they never came back. Measure again once it closes.
    if (el.querySelector('.popover:not([hidden]), .view-popover')) return;
    const next = nextLevel(levelNow.current, needed.current, el);
    if (next !== levelNow.current) setLevel((levelNow.current = next));
  }, []);
  // Before paint: a phone never sees the wide bar for a frame.
  useLayoutEffect(fit);
  useLayoutEffect(() => {
    const el = bar.current!;
    let frame = 0;
    const later = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(fit);
    };
    const size = new ResizeObserver(later);
    size.observe(el);
    // Contents change width too: the rename field opening, people arriving, a longer status.
    const contents = new MutationObserver(later);
    contents.observe(el, { childList: true, subtree: true, characterData: true });
    return () => {
      cancelAnimationFrame(frame);
      size.disconnect();
      contents.disconnect();
    };
  }, [fit]);

  // A toggle used from the menu (History, a theme switch) is done with it: the menu closes. A DOM
  // listener, because React events from portalled items bubble through their own parents, not the menu.
  useEffect(() => {
    if (!menu) return;
    const onClick = (e: MouseEvent) => {
      const pressed = (e.target as HTMLElement).closest('[aria-pressed]');
      if (pressed && menu.contains(pressed)) setOpen(false);
    };
    menu.addEventListener('click', onClick);
    return () => menu.removeEventListener('click', onClick);
  }, [menu]);

  return (
    <BarContext.Provider value={{ level, menu, closeMenu }}>
      <header className="topbar" ref={bar} data-level={level}>
        {children}
        {level > 0 && (
          <div className="topbar-more">
            <button
              ref={more}
              className="button more-button"
              aria-label="More controls"
              aria-expanded={open}
              aria-controls="topbar-more-menu"
              data-testid="topbar-more"
              onClick={() => setOpen(!open)}
            >
              <MoreIcon />
            </button>
            <div
              id="topbar-more-menu"
              className="popover more-menu"
              role="group"
              aria-label="More controls"
              hidden={!open}
              ref={(el) => {
                panel.current = el;
                setMenu(el);
              }}
            />
          </div>
        )}
      </header>
    </BarContext.Provider>
  );
}

/**
 * A control that may leave the bar for the More menu. It renders in place while the bar has
 * room, and inside the menu (same component, same state handling; styles in topbar.css make
 * it a full-width row there) once its tier has moved.
 */
export function TopBarItem({ priority, children }: { priority: Priority; children: ReactNode }) {
  const { level, menu } = useContext(BarContext);
  const item = (
    <div className="topbar-item" data-topbar={priority}>
      {children}
    </div>
  );
  return inMenu(priority, level) && menu ? createPortal(item, menu) : item;
}

/** For a control that wants to know where it is (e.g. to close the menu after an action). */
export function useTopBarPlace(priority: Priority): { inMenu: boolean; closeMenu: () => void } {
  const { level, closeMenu } = useContext(BarContext);
  return { inMenu: inMenu(priority, level), closeMenu };
}

function MoreIcon() {
  return (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <circle cx="3" cy="8" r="1.5" fill="currentColor" />
      <circle cx="8" cy="8" r="1.5" fill="currentColor" />
      <circle cx="13" cy="8" r="1.5" fill="currentColor" />
    </svg>
  );
}
