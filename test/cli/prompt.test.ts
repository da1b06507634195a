import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { promptHidden, readAll } from '../../src/cli/prompt.js';

/** A stand-in terminal: keys go in, what would be echoed comes out, raw mode is recorded. */
function terminal() {
  const input = new PassThrough() as PassThrough & { setRawMode: (on: boolean) => void; raw: boolean[] };
  input.raw = [];
  input.setRawMode = (on: boolean) => {
    input.raw.push(on);
  };
  let shown = '';
  const output = {
    write: (s: string) => {
      shown += s;
      return true;
    },
  };
  const streams = { input, output } as unknown as Parameters<typeof promptHidden>[1];
  return { input, streams, shown: () => shown };
}

describe('promptHidden', () => {
  it('reads a line in raw mode without echoing it; backspace deletes, escape sequences are ignored', async () => {
    const t = terminal();
    const answer = promptHidden('Code: ', t.streams);
    t.input.write('sec\u001b[Dxx\u007fret');
    t.input.write('\r');
    assert.equal(await answer, 'secxret');
    assert.equal(t.shown(), 'Code: \n', 'only the question and a newline are shown');
    assert.deepEqual(t.input.raw, [true, false], 'raw mode is switched back off');
  });

  it('answers null on Ctrl-C and an empty string on Ctrl-D', async () => {
    const c = terminal();
    const cancelled = promptHidden('Code: ', c.streams);
    c.input.write('abc\u0003');
    assert.equal(await cancelled, null);
    const d = terminal();
    const empty = promptHidden('Code: ', d.streams);
    d.input.write('\u0004');
    assert.equal(await empty, '');
  });
});

describe('readAll', () => {
  it('reads a stream to its end', async () => {
    const s = new PassThrough();
    s.end('line one\nline two\n');
    assert.equal(await readAll(s), 'line one\nline two\n');
  });
});
