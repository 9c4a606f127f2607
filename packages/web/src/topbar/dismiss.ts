import { useEffect, type RefObject } from 'react';

/**
 * The keyboard and pointer rules every popover in the bar follows (SPEC KB2): Escape closes it
 * and puts focus back on the button that opened it; a press outside both closes it and leaves
 * focus where the press went. Escape is heard on the panel and the button themselves, so a
 * popover nested in another closes first and marks the key handled (`preventDefault`); the
 * outer one then stays open.
 */
export function useDismiss(
  open: boolean,
  close: () => void,
  button: RefObject<HTMLElement | null>,
  panel: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      close();
      button.current?.focus();
    };
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node | null;
      if (panel.current?.contains(t) || button.current?.contains(t)) return;
      close();
    };
    const targets = [button.current, panel.current].filter((x): x is HTMLElement => x !== null);
    for (const t of targets) t.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onDown);
    return () => {
      for (const t of targets) t.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onDown);
    };
  }, [open, close, button, panel]);
}
