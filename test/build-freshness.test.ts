import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decide, INPUTS, OUTPUTS, readState, STAMP, sourceDigest } from '../scripts/freshness.mjs';
import { tempDir } from './helpers.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** A copy of everything the build reads, with the checkout's node_modules linked in. */
function copyCheckout(dir: string): void {
  for (const input of INPUTS) cpSync(join(ROOT, input), join(dir, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
}

describe('build freshness: the decision', () => {
  const stamp = (digest: string) => JSON.stringify({ digest });

  it('skips the build when every output is there and the stamp matches the sources', () => {
    assert.deepEqual(decide({ digest: 'abc', stamp: stamp('abc'), missing: [] }), {
      build: false,
      reason: 'dist/ is up to date',
    });
  });

  it('builds when the sources changed, an output is missing, or no build finished', () => {
    assert.equal(decide({ digest: 'abc', stamp: stamp('abd'), missing: [] }).build, true);
    const missing = decide({ digest: 'abc', stamp: stamp('abc'), missing: ['dist/web/index.html'] });
    assert.deepEqual(missing, { build: true, reason: 'dist/web/index.html is missing' });
    assert.equal(decide({ digest: 'abc', stamp: null, missing: [] }).build, true);
    assert.equal(decide({ digest: 'abc', stamp: '{"digest":', missing: [] }).build, true, 'a torn stamp');
    assert.equal(decide({ digest: 'abc', stamp: '{}', missing: [] }).build, true);
  });

  it('the digest follows contents, additions, deletions and renames, not timestamps', (t) => {
    const dir = tempDir(t);
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    cpSync(join(ROOT, 'src/domain'), join(dir, 'src/domain'), { recursive: true });
    const first = sourceDigest(dir);
    assert.match(first, /^[0-9a-f]{64}$/);
    // Copied again with fresh timestamps: the same sources, the same digest.
    cpSync(join(ROOT, 'src/domain'), join(dir, 'src/domain'), { recursive: true });
    assert.equal(sourceDigest(dir), first);
    const file = join(dir, 'src/domain/names.ts');
    appendFileSync(file, '\n// edited\n');
    const edited = sourceDigest(dir);
    assert.notEqual(edited, first);
    renameSync(file, join(dir, 'src/domain/names2.ts'));
    assert.notEqual(sourceDigest(dir), edited, 'a rename counts');
    writeFileSync(join(dir, 'src/domain/new.ts'), 'export {};\n');
    const added = sourceDigest(dir);
    rmSync(join(dir, 'src/domain/new.ts'));
    assert.notEqual(sourceDigest(dir), added, 'a deletion counts');
    // What the build does not read does not count.
    const now = sourceDigest(dir);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    mkdirSync(join(dir, 'src/node_modules'));
    writeFileSync(join(dir, 'src/node_modules/x.js'), '');
    assert.equal(sourceDigest(dir), now);
  });
});

describe('build freshness: a real build', () => {
  it('npm start builds once, then skips while nothing changed, and builds again after an edit', (t) => {
    const dir = tempDir(t);
    copyCheckout(dir);
    // What `npm start` runs first (package.json `prestart`).
    const build = () => execFileSync('npm', ['run', '--silent', 'prestart'], { cwd: dir, encoding: 'utf8' });
    assert.match(build(), /dist\/argybargy\.mjs is missing, building/, 'a fresh clone builds');
    for (const f of [...OUTPUTS, STAMP]) assert.ok(statSync(join(dir, f)).isFile(), f);
    assert.equal(readState(dir).missing.length, 0);

    const before = OUTPUTS.map((f) => statSync(join(dir, f)).mtimeMs);
    assert.match(build(), /dist\/ is up to date, nothing to do/);
    assert.deepEqual(
      OUTPUTS.map((f) => statSync(join(dir, f)).mtimeMs),
      before,
      'nothing was rebuilt',
    );

    appendFileSync(join(dir, 'src/domain/names.ts'), '\n// edited\n');
    assert.deepEqual(decide(readState(dir)), { build: true, reason: 'the sources changed since the last build' });
    // A build that fails leaves no stamp, so the next start builds again.
    appendFileSync(join(dir, 'src/domain/names.ts'), '\nexport const = ;\n');
    assert.throws(() => execFileSync('npm', ['run', '--silent', 'prestart'], { cwd: dir, stdio: 'ignore' }));
    assert.equal(existsSync(join(dir, STAMP)), false);
    assert.equal(decide(readState(dir)).reason, 'no finished build is recorded');
  });
});
