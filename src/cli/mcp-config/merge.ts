import { isDeepStrictEqual } from 'node:util';
import { parse as parseToml, TomlError, type TomlTable } from 'smol-toml';
import { type JsonTarget, type TomlTarget, tomlSnippet } from './clients.js';

/**
 * Merging one server entry into a client's existing configuration text. Pure:
 * text in, text out. Every other key and server in the file is kept as it was;
 * an entry of the same name is replaced only with `force`, and in a TOML file never
 * (see mergeToml).
 */
export type MergeResult =
  /** `text` is the new file; `replaced` when an entry of the same name was there before. */
  | { kind: 'write'; text: string; replaced: boolean }
  /** The file already holds exactly this entry. */
  | { kind: 'unchanged' }
  /** The file holds a different entry of the same name and `force` was not given. */
  | { kind: 'conflict' }
  /**
   * TOML only: the file holds a different entry of the same name and `force` was given,
   * but a TOML file is never rewritten as a whole (that would lose its comments and
   * layout), so the old entry must be removed first (by the client's own command or by
   * hand) and the merge run again. Nothing is to be written.
   */
  | { kind: 'remove-first' }
  /**
   * The file cannot be merged safely (not plain JSON or valid TOML, an unexpected
   * shape, a TOML layout a new table cannot extend). `reason` says why, as a clause
   * that reads after "the file was left alone:".
   */
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

/**
 * Parses TOML for comparing documents: integers beyond 53 bits as BigInt rather
 * than refused, so any document TOML allows can be read. Throws smol-toml's TomlError.
 */
const readToml = (text: string): TomlTable => parseToml(text, { integersAsBigInt: 'asNeeded' });

/** The library's message without the excerpt of the file it appends (a config file may hold secrets). */
function tomlProblem(e: TomlError): string {
  const first = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
  return `${first} at line ${e.line}, column ${e.column}`;
}

/**
 * `doc` with `value` set at `path`, creating the tables on the way (as the parser
 * makes them: without a prototype); null when something on the way is not a table
 * (an array of tables, a value), which a new `[path]` header cannot extend as intended.
 */
function withValue(doc: TomlTable, path: string[], value: unknown): TomlTable | null {
  let at: Record<string, unknown> = doc;
  for (const key of path.slice(0, -1)) {
    if (!Object.hasOwn(at, key)) at[key] = Object.create(null);
    const next = at[key];
    if (!isObject(next) || next instanceof Date) return null;
    at = next;
  }
  at[path[path.length - 1]] = value;
  return doc;
}

/** The value at `path` in a parsed document, or undefined. */
function valueAt(doc: TomlTable, path: string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (!isObject(at) || at instanceof Date || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

/**
 * Adds the table `[target.table]` (e.g. `[mcp_servers.argybargy]` with `url` and
 * `bearer_token_env_var`) and its sub-tables (`[mcp_servers.argybargy.tools.send]`
 * with `approval_mode`) to the TOML document `existing` (null: no file yet). The
 * entry is the table with everything under it. The document is read with smol-toml,
 * so every way TOML allows to write a table (`[mcp_servers."argybargy"]`,
 * `[ 'mcp_servers' . argybargy ]`, an inline table, dotted keys) is seen as the same
 * entry; the text itself is never re-serialised.
 *
 * - No file (or a blank one): `write` with the tables alone, as tomlSnippet makes them.
 * - The text is not TOML: `unreadable`, the reason quoting smol-toml's message with its
 *   line and column (not its excerpt of the file).
 * - The entry is there with exactly our keys, sub-tables and values (however written):
 *   `unchanged`.
 * - The entry is there and differs (other values, more or fewer keys or sub-tables, such
 *   as an entry without the sub-tables, or only the sub-tables): `conflict`, or
 *   `remove-first` with `force`. The old entry is never cut out, completed or rewritten
 *   here.
 * - Otherwise the tables are appended at the end, after a blank line, in the file's line
 *   endings, every byte before them kept. The result is parsed again and must be the old
 *   document plus exactly this entry; if it is not valid TOML (a parent written as an
 *   inline table `mcp_servers = {…}` cannot be extended by a header) or differs in any
 *   other value, `unreadable`, and nothing is to be written. The same when a table on
 *   the way is an array of tables (`[[mcp_servers]]`) or a value.
 *
 * `replaced` in a `write` is always false: an existing entry is never replaced.
 */
export function mergeToml(existing: string | null, target: TomlTarget, force: boolean): MergeResult {
  const text = existing ?? '';
  const table = target.table.join('.');
  const parent = target.table.slice(0, -1).join('.');
  let before: TomlTable;
  try {
    before = readToml(text);
  } catch (e) {
    if (e instanceof TomlError) return { kind: 'unreadable', reason: `it is not valid TOML (${tomlProblem(e)})` };
    throw e;
  }
  const snippet = tomlSnippet(target);
  const entry = valueAt(readToml(snippet), target.table);
  const had = valueAt(before, target.table);
  if (had !== undefined) {
    if (isDeepStrictEqual(had, entry)) return { kind: 'unchanged' };
    return { kind: force ? 'remove-first' : 'conflict' };
  }
  const expected = withValue(readToml(text), target.table, entry);
  if (!expected) {
    return {
      kind: 'unreadable',
      reason: `its ${parent} is not a table (an array of tables or a value?), so [${table}] cannot be added`,
    };
  }

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  if (out !== '' && !out.endsWith('\n')) out += eol;
  if (out.trim() !== '' && !out.endsWith(eol + eol)) out += eol;
  out += snippet.replaceAll('\n', eol);

  let after: TomlTable;
  try {
    after = readToml(out);
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    return {
      kind: 'unreadable',
      reason: `[${table}] cannot be added at its end: the result would not be valid TOML (${tomlProblem(e)}), probably because ${parent} is an inline table (${parent} = {…}), which no [header] may extend`,
    };
  }
  if (!isDeepStrictEqual(after, expected)) {
    return { kind: 'unreadable', reason: `adding [${table}] at its end would change other settings in it` };
  }
  return { kind: 'write', text: out, replaced: false };
}
