import { InvalidInput } from './errors.js';
import { NOTICE_SENDER } from './leases.js';
import { codePoints, isWellFormed } from './text.js';

/** The longest name, room or addressee (in characters). */
const MAX_NAME = 64;
/** The longest capabilities text. */
const MAX_CAPABILITIES = 400;
/** Words that mean something in `to` and `expects_reply`, so no agent may be called them. */
const RESERVED_NAMES = new Set(['all', 'anyone', 'none']);

/** Control characters: C0, DEL and C1. */
const CONTROL = /\p{Cc}/u;
/**
 * What a name may not hide: format characters (bidi overrides and isolates,
 * zero-width spaces, the BOM, the soft hyphen), every other default-ignorable
 * character (fillers, variation selectors, the combining grapheme joiner, tags),
 * line and paragraph separators, and the blank braille pattern.
 */
const HIDDEN = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\u2800]/gu;
/** An emoji just before a zero-width joiner (allowing a variation selector), and one just after. */
const EMOJI_BEFORE = /\p{Extended_Pictographic}\uFE0F?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;
/** What a variation selector may follow: an emoji, or a keycap's digit, # or *. */
const PRESENTABLE = /[\p{Extended_Pictographic}0-9#*]$/u;
/** Accents stacked on one letter beyond any language's need. */
const STACKED_MARKS = /\p{M}{5,}/u;

/**
 * True when `v` holds a character that could make a name look like another
 * (`R\u202eevil` shows as "Rlive"; `alice\uFE0F` looks like `alice`). Emoji
 * sequences pass: a zero-width joiner between two emoji (👩‍💻), a variation
 * selector after an emoji or a keycap (❤️, 1️⃣).
 */
export function hidesCharacters(v: string): boolean {
  if (STACKED_MARKS.test(v)) return true;
  for (const m of v.matchAll(HIDDEN)) {
    const i = m.index ?? 0;
    const before = v.slice(0, i);
    if (m[0] === '\u200d' && EMOJI_BEFORE.test(before) && EMOJI_AFTER.test(v.slice(i + 1))) continue;
    if ((m[0] === '\uFE0F' || m[0] === '\uFE0E') && PRESENTABLE.test(before)) continue;
    return true;
  }
  return false;
}

/** Trims and checks a name-like field (1–64 characters, no control or invisible format characters); throws InvalidInput. */
export function checkName(field: string, value: string): string {
  const v = value.trim();
  if (v === '') throw new InvalidInput(field, `${field} must not be empty.`);
  if (!isWellFormed(v)) throw new InvalidInput(field, `${field} is not valid Unicode.`);
  if (codePoints(v) > MAX_NAME) throw new InvalidInput(field, `${field} is longer than ${MAX_NAME} characters.`);
  if (CONTROL.test(v)) throw new InvalidInput(field, `${field} must not contain control characters.`);
  if (hidesCharacters(v)) {
    throw new InvalidInput(
      field,
      `${field} must not contain invisible formatting characters (bidi overrides, zero-width spaces, fillers, stacked accents): a name must look like what it is.`,
    );
  }
  return v;
}

/** True for `all`, `anyone` and `none` in any case: words that address messages, so no agent can ever be called them. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase());
}

/** Checks an agent's own name: a name that is not one of the reserved words. */
export function checkAgentName(field: string, value: string): string {
  const v = checkName(field, value);
  if (isReservedName(v)) {
    throw new InvalidInput(field, `${field} '${v}' is reserved (all, anyone and none address messages). Pick another.`);
  }
  // The bridge's own notices come from this name (domain/leases.ts): nobody may speak as it.
  if (v.toLowerCase() === NOTICE_SENDER) {
    throw new InvalidInput(field, `${field} '${v}' is reserved: the bridge's own notices come from it. Pick another.`);
  }
  return v;
}

/** Checks capabilities text (up to 400 characters, may be empty). */
export function checkCapabilities(value: string): string {
  if (!isWellFormed(value)) throw new InvalidInput('capabilities', 'capabilities is not valid Unicode.');
  if (value.includes('\u0000')) throw new InvalidInput('capabilities', 'capabilities must not contain NUL characters.');
  if (codePoints(value) > MAX_CAPABILITIES) {
    throw new InvalidInput('capabilities', `capabilities is longer than ${MAX_CAPABILITIES} characters.`);
  }
  return value.trim();
}

/** Checks message text: 1..max code points of valid Unicode, kept exactly as sent. */
export function checkText(value: string, max: number): string {
  if (value.length === 0) throw new InvalidInput('text', 'text must not be empty.');
  if (!isWellFormed(value)) {
    throw new InvalidInput('text', 'text is not valid Unicode (it contains a lone surrogate). Send UTF-8 text.');
  }
  if (value.length > max && codePoints(value) > max) {
    throw new InvalidInput('text', `text is longer than ${max} characters. Split it into several messages.`);
  }
  return value;
}
