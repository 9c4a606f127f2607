import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** axe-core's browser bundle, read once: injected as a script, never fetched from anywhere. */
let source: string | null = null;
function axeSource(): string {
  return (source ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  /** One line per offending element: its selector and axe's summary of what to fix. */
  nodes: string[];
}

/**
 * Runs axe-core in the page (WCAG 2.0/2.1 A and AA rules plus axe's best practices) and
 * returns what it found. `include` narrows the run to one part of the page (a menu, a panel).
 * The page's CSP forbids inline script tags, so the source goes in through `evaluate` (the
 * DevTools protocol), which CSP does not govern.
 */
export async function axeViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource());
  return page.evaluate(async (context) => {
    const axe = (window as unknown as { axe: AxeApi }).axe;
    const result = await axe.run(context ? { include: [context] } : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.replace(/\s+/g, ' ')),
    }));
  }, include ?? null);
}

/** Only the violations that block people (axe's "serious" and "critical"). */
export async function seriousViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  return (await axeViolations(page, include)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable failure message: rule, impact, what to do, and where. */
export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.join('\n  ')}`).join('\n');
}

interface AxeApi {
  run(
    context: unknown,
    options: unknown,
  ): Promise<{
    violations: {
      id: string;
      impact: AxeViolation['impact'];
      help: string;
      nodes: { target: string[]; failureSummary?: string }[];
    }[];
  }>;
}
