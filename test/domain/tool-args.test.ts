import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { InvalidInput } from '../../src/domain/errors.js';
import { advertised, checkToolArgs } from '../../src/domain/tool-args.js';

const ARGS = z.object({ seq: z.number().int().min(1), note: z.string().nullish() });

describe('checkToolArgs', () => {
  it('returns the parsed arguments; missing arguments count as {}', () => {
    assert.deepEqual(checkToolArgs('claim', ARGS, { seq: 3 }), { seq: 3 });
    assert.deepEqual(checkToolArgs('t', z.object({ n: z.number().nullish() }), undefined), {});
  });
  it('throws InvalidInput naming the tool, each wrong argument and what it allows', () => {
    assert.throws(
      () => checkToolArgs('claim', ARGS, { seq: -1, note: 5 }),
      (e: unknown) =>
        e instanceof InvalidInput &&
        e.field === 'seq' &&
        /^Invalid arguments for claim: seq: too small: expected number to be >=1; note: invalid input: expected string, received number\.$/.test(
          e.message,
        ),
    );
    assert.throws(() => checkToolArgs('claim', ARGS, 'nope'), /Invalid arguments for claim: arguments: /);
  });
});

describe('advertised', () => {
  it("keeps the strict schema's JSON Schema and accepts anything, leaving the check to the tool", async () => {
    const a = advertised(ARGS);
    const json = a['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
    assert.deepEqual((json as any).properties.seq.minimum, 1);
    assert.deepEqual((json as any).required, ['seq']);
    assert.deepEqual(a['~standard'].validate({ seq: -1 }), { value: { seq: -1 } });
  });
});
