import { type JsonTarget, type TomlTarget, tomlSnippet, tomlString } from './clients.js';
import { scanToml, TomlScanError, type TomlStatement } from './toml.js';

/**
 * Merging one server entry into a client's existing configuration text. Pure:
 * text in, text out. Every other key and server in the file is kept as it was;
 * an entry of the same name is replaced only with `force`.
 */
export type MergeResult =
  /** `text` is the new file; `replaced` when an entry of the same name was there before. */
  | { kind: 'write'; text: string; replaced: boolean }
  /** The file already holds exactly this entry. */
  | { kind: 'unchanged' }
  /** The file holds a different entry of the same name and `force` was not given. */
  | { kind: 'conflict' }
  /** The file cannot be merged safely (not plain JSON, an unexpected shape, a TOML layout to edit by hand). */
  | { kind: 'unreadable'; reason: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so two values compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** The indentation the file already uses (its first indented key), else two spaces. */
function indentOf(text: string): string | number {
  const m = /^([ \t]+)"/m.exec(text);
  return m ? m[1] : 2;
}

/**
 * Puts `target.entry` at `root[target.container][name]` of the JSON document
 * `existing` (null or blank: a new file), and for VS Code its input into
 * `root.inputs` (matched by id). Plain JSON only: a file with comments or
 * trailing commas is `unreadable` rather than rewritten without them.
 */
export function mergeJson(existing: string | null, target: JsonTarget, name: string, force: boolean): MergeResult {
  const bom = existing?.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = (existing ?? '').slice(bom.length);
  let root: unknown = {};
  if (body.trim() !== '') {
    try {
      root = JSON.parse(body);
    } catch {
      return { kind: 'unreadable', reason: 'it is not plain JSON (comments or trailing commas?)' };
    }
  }
  if (!isObject(root)) return { kind: 'unreadable', reason: 'it does not hold a JSON object' };
  const servers = root[target.container] ?? {};
  if (!isObject(servers)) return { kind: 'unreadable', reason: `its "${target.container}" is not an object` };
  const inputs = root.inputs ?? [];
  if (target.input && !Array.isArray(inputs)) return { kind: 'unreadable', reason: 'its "inputs" is not an array' };

  const had = Object.hasOwn(servers, name);
  const inputAt = target.input ? (inputs as unknown[]).findIndex((i) => isObject(i) && i.id === target.input?.id) : -1;
  const entrySame = had && same(servers[name], target.entry);
  const inputSame = !target.input || (inputAt >= 0 && same((inputs as unknown[])[inputAt], target.input));
  if (entrySame && inputSame) return { kind: 'unchanged' };
  const inputClash = target.input !== undefined && inputAt >= 0 && !inputSame;
  if ((had || inputClash) && !force) return { kind: 'conflict' };

  const next: Json = { ...root };
  if (target.input) {
    const list = [...(inputs as unknown[])];
    if (inputAt >= 0) list[inputAt] = target.input;
    else list.push(target.input);
    next.inputs = list;
  }
  next[target.container] = { ...servers, [name]: target.entry };
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const text = `${JSON.stringify(next, null, indentOf(body))}\n`.replace(/\n/g, eol);
  return { kind: 'write', text: bom + text, replaced: had || inputClash };
}

const startsWith = (path: string[], prefix: string[]) => prefix.every((p, i) => path[i] === p);
const equal = (a: string[], b: string[]) => a.length === b.length && startsWith(a, b);

/** Each key's value as tomlSnippet writes it (compared with the file's raw text). */
function rendered(target: TomlTarget): Map<string, string> {
  return new Map(target.keys.map(([k, v]) => [k, tomlString(v)]));
}

/**
 * Adds the table `[target.table]` to the TOML document `existing` (null: a new
 * file) by appending it at the end, leaving every byte before it as it was.
 *
 * Why the result is valid TOML whenever `existing` is: the file is scanned (strings,
 * multi-line strings, arrays, inline tables and comments all understood) for every
 * table header and every key; the append happens only when no statement defines the
 * table or anything under it, and when its parent is a plain table (not an inline
 * table, not an array of tables, not built from dotted keys at the top level). A new
 * header for an undefined table below such a parent is always allowed at the end of a
 * document. With `force`, an existing definition is cut out first, but only when it
 * is made of `[header]` blocks of its own; any other layout is `unreadable` (edit it
 * by hand). The result is scanned again before it is returned.
 */
export function mergeToml(existing: string | null, target: TomlTarget, force: boolean): MergeResult {
  const text = existing ?? '';
  let statements: TomlStatement[];
  try {
    statements = scanToml(text);
  } catch (e) {
    if (e instanceof TomlScanError)
      return { kind: 'unreadable', reason: `it could not be read as TOML (${e.message})` };
    throw e;
  }
  const own = target.table;
  const parent = own.slice(0, -1);
  const manual = (why: string): MergeResult => ({ kind: 'unreadable', reason: `${why}; edit it by hand` });

  // The parent must be a plain table: no `parent = {...}`, no `[[parent]]`, no `parent.x = ...` from above it.
  for (const s of statements) {
    if (s.kind === 'header' && s.array && startsWith(own, s.path))
      return manual(`it declares [[${s.path.join('.')}]] as an array of tables`);
    if (s.kind === 'pair' && s.table.length < parent.length && startsWith(own, s.path))
      return manual(`it sets ${s.path.join('.')} as a value`);
    if (s.kind === 'pair' && s.table.length < parent.length && startsWith(s.path, parent))
      return manual(`it builds ${parent.join('.')} from dotted keys`);
  }

  const defining = statements.filter((s) => startsWith(s.path, own));
  if (defining.length > 0) {
    const headers = defining.filter((s) => s.kind === 'header');
    const looseKeys = defining.filter((s) => s.kind === 'pair' && !startsWith(s.table, own));
    const onlyHeaders = looseKeys.length === 0 && headers.every((h) => h.kind === 'header' && !h.array);
    // Unchanged: exactly one [table] with exactly our keys and values, written as we write them.
    if (onlyHeaders && headers.length === 1 && equal(headers[0].path, own)) {
      const pairs = defining.filter((s) => s.kind === 'pair');
      const want = rendered(target);
      const sameKeys =
        pairs.length === want.size &&
        pairs.every((p) => p.kind === 'pair' && equal(p.table, own) && want.get(p.key.join('.')) === p.raw);
      if (sameKeys) return { kind: 'unchanged' };
    }
    if (!force) return { kind: 'conflict' };
    if (!onlyHeaders) return manual(`it defines ${own.join('.')} other than with [${own.join('.')}] headers`);
  }

  // Cut out the blocks of the existing definition: from each header to the next header,
  // leaving the comment lines just above the next header to that one.
  let out = text;
  const blocks = statements
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.kind === 'header' && startsWith(s.path, own))
    .map(({ s, i }) => {
      const next = statements.slice(i + 1).find((n) => n.kind === 'header');
      if (!next) return { start: s.start, end: text.length };
      if (startsWith(next.path, own)) return { start: s.start, end: next.start };
      const lastOwn = statements.slice(i, statements.indexOf(next)).at(-1) ?? s;
      return { start: s.start, end: commentsAbove(text, next.start, lastOwn.end) };
    })
    .sort((a, b) => b.start - a.start);
  for (const b of blocks) out = out.slice(0, b.start) + out.slice(b.end);

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (out !== '' && !out.endsWith('\n')) out += eol;
  if (out.trim() !== '' && !out.endsWith(eol + eol)) out += eol;
  out += tomlSnippet(target, eol);

  const check = scanToml(out).filter((s) => s.kind === 'header' && startsWith(s.path, own));
  if (check.length !== 1) throw new Error('internal: the merged TOML does not define the table exactly once');
  return { kind: 'write', text: out, replaced: defining.length > 0 };
}

/**
 * Where the comment lines just above `end` begin (not before `floor`): a comment
 * directly above a header belongs to that header and stays with it.
 */
function commentsAbove(text: string, end: number, floor: number): number {
  let at = end;
  while (at > floor) {
    const prevStart = text.lastIndexOf('\n', at - 2) + 1;
    if (prevStart < floor || !text.slice(prevStart, at).trim().startsWith('#')) return at;
    at = prevStart;
  }
  return floor;
}
