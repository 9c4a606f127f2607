import type { Page } from 'playwright-core';

export interface BarFit {
  viewport: number;
  /** The page's and the bar's scroll widths: wider than the viewport means something is off-screen. */
  pageWidth: number;
  barScroll: number;
  barClient: number;
  /** Visible controls of the bar that stick out of the screen, by their accessible text. */
  offscreen: string[];
  /** What the bar shows, in order (buttons, links, the status), by label or text. */
  visible: string[];
}

/** Measures whether the top bar fits the screen and every control in it is on screen (SPEC PH1). */
export function barFit(page: Page): Promise<BarFit> {
  return page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('.topbar')!;
    // No named inner functions: the test runner's transform would wrap them in a helper the page lacks.
    const controls = Array.from(bar.querySelectorAll('button, a, input, .status')).filter(
      (e) => !e.closest('.popover') && (e as HTMLElement).checkVisibility(),
    );
    const names = controls.map((e) =>
      (e.getAttribute('aria-label') || e.textContent?.trim() || e.getAttribute('data-testid') || '').slice(0, 40),
    );
    return {
      viewport: innerWidth,
      pageWidth: document.documentElement.scrollWidth,
      barScroll: bar.scrollWidth,
      barClient: bar.clientWidth,
      offscreen: names.filter((_, i) => {
        const r = controls[i]!.getBoundingClientRect();
        return r.left < 0 || r.right > innerWidth + 0.5 || r.width === 0;
      }),
      visible: names,
    };
  });
}

/** True when `fit` says the bar is within the screen with nothing cut off. */
export function fits(fit: BarFit): boolean {
  return fit.pageWidth <= fit.viewport && fit.barScroll <= fit.barClient && fit.offscreen.length === 0;
}
