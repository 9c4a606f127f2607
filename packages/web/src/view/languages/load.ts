import { LRLanguage, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { classHighlighter } from '@lezer/highlight';
import type { LRParser } from '@lezer/lr';
import type { LanguageId } from '../mode.js';

/**
 * One dynamic import per grammar, so choosing Python downloads Python's parser and nothing else
 * (VM5). The Lezer grammars are used directly with `LRLanguage` rather than through the
 * @codemirror/lang-* packages: those also bring folding, indentation and completion helpers
 * that live in @codemirror/language, a module the first-load bundle already holds, so every
 * helper used anywhere would be added to the first load (docs/dependencies.md). Only ids from
 * the allowlist reach here (mode.ts); the table has exactly those.
 */
const GRAMMARS: Record<LanguageId, () => Promise<LRParser>> = {
  cpp: () => import('@lezer/cpp').then((m) => m.parser),
  css: () => import('@lezer/css').then((m) => m.parser),
  go: () => import('@lezer/go').then((m) => m.parser),
  html: () => import('@lezer/html').then((m) => m.parser),
  java: () => import('@lezer/java').then((m) => m.parser),
  javascript: () => import('@lezer/javascript').then((m) => m.parser.configure({ dialect: 'jsx' })),
  json: () => import('@lezer/json').then((m) => m.parser),
  python: () => import('@lezer/python').then((m) => m.parser),
  rust: () => import('@lezer/rust').then((m) => m.parser),
  typescript: () => import('@lezer/javascript').then((m) => m.parser.configure({ dialect: 'ts jsx' })),
  xml: () => import('@lezer/xml').then((m) => m.parser),
  yaml: () => import('@lezer/yaml').then((m) => m.parser),
};

/**
 * The grammar as a CodeMirror language (incremental, time-sliced parsing of what is in view)
 * and highlighting as `tok-*` classes (Lezer's classHighlighter), not inline colours: the
 * colours are CSS variables in view.css, so the dark theme recolours them and the CSP (no
 * inline styles) has nothing to refuse.
 */
export async function loadLanguage(id: LanguageId): Promise<Extension> {
  const parser = await GRAMMARS[id]();
  return [LRLanguage.define({ name: id, parser }), syntaxHighlighting(classHighlighter)];
}
