import { InvalidInput } from './errors.js';
import { codePoints, isWellFormed } from './text.js';

/** The longest name, room or addressee (in characters). */
const MAX_NAME = 64;
/** The longest capabilities text. */
const MAX_CAPABILITIES = 400;
/** Words that mean something in `to` and `expects_reply`, so no agent may be called them. */
const RESERVED_NAMES = new Set(['all', 'anyone', 'none']);

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Trims and checks a name-like field (1–64 characters, no control characters); throws InvalidInput. */
export function checkName(field: string, value: string): string {
  const v = value.trim();
  if (v === '') throw new InvalidInput(field, `${field} must not be empty.`);
  if (!isWellFormed(v)) throw new InvalidInput(field, `${field} is not valid Unicode.`);
  if (codePoints(v) > MAX_NAME) throw new InvalidInput(field, `${field} is longer than ${MAX_NAME} characters.`);
  if (CONTROL.test(v)) throw new InvalidInput(field, `${field} must not contain control characters.`);
  return v;
}

/** Checks an agent's own name: a name that is not one of the reserved words. */
export function checkAgentName(field: string, value: string): string {
  const v = checkName(field, value);
  if (RESERVED_NAMES.has(v.toLowerCase())) {
    throw new InvalidInput(field, `${field} '${v}' is reserved (all, anyone and none address messages). Pick another.`);
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
