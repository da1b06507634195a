/**
 * A scanner for the statements of a TOML document: which table headers and which
 * keys it has, and where each one is. It reads every construct of TOML 1.0 that
 * can hide a `[` or a `=` (basic, literal and multi-line strings, arrays spanning
 * lines, inline tables, comments) so that a header is never confused with an array
 * or a string's content, but it does not evaluate values: a value's text is kept
 * as it is written. That is all appending a table safely needs (see mergeToml);
 * it is not a validator.
 */

/** A `[table]` or `[[array.of.tables]]` header. */
export interface TomlHeader {
  kind: 'header';
  /** The header's key, each part unquoted (`[a."b.c"]` → `['a', 'b.c']`). */
  path: string[];
  array: boolean;
  /** Offset where the header's line starts, and just past the end of that line. */
  start: number;
  end: number;
}

/** A `key = value` line (the value may span lines). */
export interface TomlPair {
  kind: 'pair';
  /** The table it is in: the path of the header above it (`[]` at the top). */
  table: string[];
  /** The key as written, unquoted (`a.b = 1` → `['a', 'b']`). */
  key: string[];
  /** `table` followed by `key`: the key's full path. */
  path: string[];
  /** The value's text as written, without the surrounding spaces or a comment. */
  raw: string;
  start: number;
  end: number;
}

export type TomlStatement = TomlHeader | TomlPair;

/** Text the scanner cannot read as TOML; the message says where. */
export class TomlScanError extends Error {}

const BARE = /[A-Za-z0-9_-]/;
/** A number, boolean or date-time as written (only a date-time has a space, before its time). */
const SCALAR = /^[0-9A-Za-z_+.:-]+(?: [0-9][0-9A-Za-z:.+-]*)?$/;
const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\u001b',
  '"': '"',
  '\\': '\\',
};

/** Every header and key of `text`, in order. Throws TomlScanError on text it cannot read. */
export function scanToml(text: string): TomlStatement[] {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  let pos = bom;
  const out: TomlStatement[] = [];
  let table: string[] = [];

  const fail = (what: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new TomlScanError(`${what} on line ${line}`);
  };
  const at = (s: string) => text.startsWith(s, pos);
  const skipSpaces = () => {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
  };
  const skipComment = () => {
    if (text[pos] !== '#') return;
    while (pos < text.length && text[pos] !== '\n') pos++;
  };
  const skipNewline = (): boolean => {
    if (at('\r\n')) pos += 2;
    else if (text[pos] === '\n') pos += 1;
    else return false;
    return true;
  };
  /** Spaces, comments and newlines, as allowed between the elements of an array. */
  const skipBlank = () => {
    for (;;) {
      skipSpaces();
      skipComment();
      if (!skipNewline()) return;
    }
  };
  /** The rest of a statement's line: spaces, an optional comment, then a newline or the end. */
  const endOfLine = () => {
    skipSpaces();
    skipComment();
    if (pos < text.length && !skipNewline()) fail('unexpected text after a statement');
  };

  const basicString = (): string => {
    pos++; // "
    let s = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined || c === '\n' || c === '\r') return fail('unterminated string');
      if (c === '"') {
        pos++;
        return s;
      }
      if (c === '\\') {
        const e = text[pos + 1];
        const hex = e === 'u' ? 4 : e === 'U' ? 8 : e === 'x' ? 2 : 0;
        if (hex) {
          const digits = text.slice(pos + 2, pos + 2 + hex);
          if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length !== hex) fail('bad escape');
          const cp = Number.parseInt(digits, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('bad escape');
          s += String.fromCodePoint(cp);
          pos += 2 + hex;
          continue;
        }
        if (e === undefined || !(e in ESCAPES)) fail('bad escape');
        s += ESCAPES[e];
        pos += 2;
        continue;
      }
      s += c;
      pos++;
    }
  };
  const literalString = (): string => {
    const close = text.indexOf("'", pos + 1);
    const nl = text.indexOf('\n', pos + 1);
    if (close < 0 || (nl >= 0 && nl < close)) fail('unterminated string');
    const s = text.slice(pos + 1, close);
    pos = close + 1;
    return s;
  };
  const multiline = (quote: string) => {
    pos += 3;
    for (;;) {
      if (pos >= text.length) fail('unterminated multi-line string');
      if (quote === '"' && text[pos] === '\\') {
        pos += 2;
        continue;
      }
      if (at(quote.repeat(3))) {
        pos += 3;
        // Up to two more quotes belong to the content ("""a""""" ends in two quotes).
        for (let extra = 0; extra < 2 && text[pos] === quote; extra++) pos++;
        return;
      }
      pos++;
    }
  };

  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpaces();
      const c = text[pos];
      if (c === '"') parts.push(basicString());
      else if (c === "'") parts.push(literalString());
      else if (c !== undefined && BARE.test(c)) {
        const from = pos;
        while (pos < text.length && BARE.test(text[pos])) pos++;
        parts.push(text.slice(from, pos));
      } else fail('expected a key');
      skipSpaces();
      if (text[pos] !== '.') return parts;
      pos++;
    }
  };

  const value = (): void => {
    const c = text[pos];
    if (at('"""') || at("'''")) {
      multiline(c);
      return;
    }
    if (c === '"') {
      basicString();
      return;
    }
    if (c === "'") {
      literalString();
      return;
    }
    if (c === '[') {
      pos++;
      for (;;) {
        skipBlank();
        if (text[pos] === ']') {
          pos++;
          return;
        }
        value();
        skipBlank();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return;
        } else fail('expected , or ] in an array');
      }
    }
    if (c === '{') {
      pos++;
      for (;;) {
        skipBlank();
        if (text[pos] === '}') {
          pos++;
          return;
        }
        key();
        if (text[pos] !== '=') fail('expected = in an inline table');
        pos++;
        skipSpaces();
        value();
        skipBlank();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return;
        } else fail('expected , or } in an inline table');
      }
    }
    // A number, a boolean or a date-time: up to the next delimiter (a date-time may hold a space).
    const from = pos;
    while (pos < text.length && !',]}#\r\n'.includes(text[pos])) pos++;
    // Give back trailing spaces, so the value's text ends at its last character.
    while (pos > from && (text[pos - 1] === ' ' || text[pos - 1] === '\t')) pos--;
    if (!SCALAR.test(text.slice(from, pos))) fail('expected a value');
  };

  for (;;) {
    skipBlank();
    if (pos >= text.length) return out;
    const start = Math.max(bom, text.lastIndexOf('\n', pos - 1) + 1);
    if (text[pos] === '[') {
      const array = at('[[');
      pos += array ? 2 : 1;
      const path = key();
      if (!at(array ? ']]' : ']')) fail('expected ] after a table name');
      pos += array ? 2 : 1;
      endOfLine();
      out.push({ kind: 'header', path, array, start, end: pos });
      table = path;
    } else {
      const k = key();
      if (text[pos] !== '=') fail('expected = after a key');
      pos++;
      skipSpaces();
      const from = pos;
      value();
      const raw = text.slice(from, pos);
      endOfLine();
      out.push({ kind: 'pair', table, key: k, path: [...table, ...k], raw, start, end: pos });
    }
  }
}
