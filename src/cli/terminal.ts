import type { CliIO } from './io.js';

/**
 * What a terminal would act on or hide rather than show: control characters (C0:
 * ESC starts every escape sequence — clearing the screen, setting the title,
 * writing the clipboard with OSC 52; DEL; C1: U+009B is a one-character CSI) and
 * invisible format characters (bidi overrides and isolates, zero-width spaces and
 * marks, the soft hyphen, the BOM, fillers and other default-ignorable characters,
 * line and paragraph separators). Newline and tab stay, and so do the zero-width
 * joiner and the emoji variation selectors, which emoji sequences need.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/gu;
const KEEP = new Set(['\n', '\t', '\u200d', '\ufe0e', '\ufe0f']);

/** Shows each unsafe character as a visible escape (`\x1b`, `\u202e`), leaving all else as it is. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) => {
    if (KEEP.has(c)) return c;
    const n = c.codePointAt(0) ?? 0;
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/**
 * Anything the bridge sent, made safe for the user's terminal: when stdout is a
 * terminal, every string inside `value` is escaped (escapeControls); otherwise (a
 * pipe, a file) the data passes unchanged.
 */
export function forTerminal<T>(io: CliIO, value: T): T {
  if (io.isTTY !== true) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return escapeControls(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
