// Whether dist/ is the build of the sources as they are now, so `npm start` can skip a
// build that would change nothing. A digest of the inputs' contents (not their mtimes)
// is kept beside the build: a checkout, a `cp -p`, a deleted or renamed file or an
// edit undone all tell the truth, where comparing timestamps would miss some of them.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** What the build reads, relative to the package root: directories are walked whole. */
export const INPUTS = ['src', 'web', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** What a finished build leaves; one missing means the build must run. */
export const OUTPUTS = ['dist/argybargy.mjs', 'dist/web/index.html'];
/** The digest of the inputs the last finished build was made from (JSON `{digest}`). */
export const STAMP = 'dist/.build-stamp';

/**
 * SHA-256 (hex) over every input file's path (relative, `/`-separated) and contents, in
 * path order. A missing input counts as absent, not as an error. Skips node_modules.
 */
export function sourceDigest(root) {
  const files = [];
  const walk = (abs) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  for (const input of INPUTS) {
    const abs = join(root, input);
    if (!existsSync(abs)) continue;
    if (statSync(abs).isDirectory()) walk(abs);
    else files.push(abs);
  }
  const hash = createHash('sha256');
  for (const path of files.map((f) => relative(root, f).split(sep).join('/')).sort()) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(root, path)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * The decision, pure: build when an output is missing, when there is no stamp (no build
 * finished since the stamp was removed), or when the stamp's digest is not the inputs'.
 * @param {{ digest: string, stamp: string | null, missing: string[] }} state
 *   `stamp` is the stamp file's text (null when absent), `missing` the absent OUTPUTS.
 * @returns {{ build: boolean, reason: string }}
 */
export function decide({ digest, stamp, missing }) {
  if (missing.length > 0) return { build: true, reason: `${missing[0]} is missing` };
  if (stamp === null) return { build: true, reason: 'no finished build is recorded' };
  let recorded = null;
  try {
    recorded = JSON.parse(stamp).digest ?? null;
  } catch {
    return { build: true, reason: `${STAMP} is unreadable` };
  }
  if (recorded !== digest) return { build: true, reason: 'the sources changed since the last build' };
  return { build: false, reason: 'dist/ is up to date' };
}

/** The state `decide` takes, read from the package at `root`. */
export function readState(root) {
  const stampPath = join(root, STAMP);
  return {
    digest: sourceDigest(root),
    stamp: existsSync(stampPath) ? readFileSync(stampPath, 'utf8') : null,
    missing: OUTPUTS.filter((f) => !existsSync(join(root, f))),
  };
}
