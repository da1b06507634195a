/** Counts Unicode code points (an emoji is one, not two UTF-16 units). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when the string holds no lone surrogate, i.e. it is valid Unicode. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** A key as a path shows it: at most 40 characters, so no error echoes a long input back. */
function shorten(key: string): string {
  return key.length > 40 ? `${key.slice(0, 39)}…` : key;
}

/** How deeply a JSON body may nest arrays and objects. */
export const MAX_JSON_DEPTH = 64;

/**
 * Finds what is wrong with a parsed JSON value, or null: the path of the first
 * string (key or value) that is not valid Unicode, or a note that it nests deeper
 * than MAX_JSON_DEPTH. Walks iteratively, so no input can exhaust the stack.
 */
export function findIllFormed(value: unknown, path = 'body'): string | null {
  const stack: Array<[unknown, string, number]> = [[value, path, 0]];
  while (stack.length > 0) {
    const [v, p, depth] = stack.pop() as [unknown, string, number];
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return p.length > 200 ? `${p.slice(0, 199)}…` : p;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `${path} (nested deeper than ${MAX_JSON_DEPTH} levels)`;
    // Pushed in reverse so the first offender in document order is found first.
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${p}[${i}]`, depth + 1]);
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      if (!isWellFormed(k)) return `${p} (a key)`;
      stack.push([x, `${p}.${shorten(k)}`, depth + 1]);
    }
  }
  return null;
}
