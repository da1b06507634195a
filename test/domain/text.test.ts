import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../../src/domain/errors.js';
import { checkAgentName, checkName, checkText } from '../../src/domain/names.js';
import { codePoints, findIllFormed, isWellFormed } from '../../src/domain/text.js';

describe('text rules', () => {
  it('counts code points, not UTF-16 units', () => {
    assert.equal(codePoints('🤖'), 1);
    assert.equal(codePoints('a🤖b'), 3);
    assert.equal(codePoints('👩‍💻'), 3, 'a ZWJ sequence is three code points');
    assert.equal(codePoints('\ud800'), 1);
  });
  it('finds lone surrogates anywhere in a JSON value', () => {
    assert.equal(isWellFormed('ok 🤖'), true);
    assert.equal(isWellFormed('\ud800'), false);
    assert.equal(isWellFormed('x\udc00'), false);
    assert.equal(findIllFormed({ a: ['fine', { b: 'bad\ud83d' }] }), 'body.a[1].b');
    assert.equal(findIllFormed({ 'k\udfff': 1 }), 'body (a key)');
    assert.equal(findIllFormed({ a: 1, b: null, c: ['🤖'] }), null);
    assert.equal(findIllFormed(['ok', 'bad\ud800', 'worse\udfff']), 'body[1]', 'the first offender in order');
    const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    assert.match(findIllFormed(deep) ?? '', /nested deeper than 64 levels/);
    const longKey = findIllFormed({ ['k'.repeat(100_000)]: 'bad\ud800' }) ?? '';
    assert.ok(longKey.length < 60, 'a long key is not echoed back');
    const fine = JSON.parse(`${'['.repeat(63)}"x"${']'.repeat(63)}`);
    assert.equal(findIllFormed(fine), null);
  });
  it('accepts text up to the limit counted in code points', () => {
    assert.equal(checkText('🤖'.repeat(5), 5), '🤖'.repeat(5));
    assert.throws(() => checkText('🤖'.repeat(6), 5), InvalidInput);
    assert.throws(() => checkText('', 5), InvalidInput);
    assert.throws(() => checkText('a\ud800', 5), InvalidInput);
  });
  it('keeps text exactly, spaces and markup included', () => {
    const s = '  <img src=x onerror=alert(1)>\n\t';
    assert.equal(checkText(s, 100), s);
  });
  it('checks names', () => {
    assert.equal(checkName('to', ' bob '), 'bob');
    assert.equal(checkName('room', 'x'.repeat(64)), 'x'.repeat(64));
    assert.throws(() => checkName('room', 'x'.repeat(65)), InvalidInput);
    assert.throws(() => checkName('name', '  '), InvalidInput);
    assert.throws(() => checkName('name', 'a\nb'), InvalidInput);
    assert.throws(() => checkAgentName('name', 'All'), /reserved/);
    // The sender of the bridge's own notices (domain/leases.ts): nobody may post as it.
    assert.throws(() => checkAgentName('sender', 'ArgyBargy'), /reserved: the bridge's own notices/);
    assert.equal(checkAgentName('name', '🤖bot'), '🤖bot');
  });
});

describe('names show what they are', () => {
  it('refuses C1 controls, bidi overrides and invisible format characters in names', () => {
    for (const bad of [
      'R\u202eevil',
      'a\u200bb',
      'x\u2066y\u2069',
      'b\ufeffom',
      'soft\u00adhyphen',
      'c1\u009bx',
      'al\u200dice',
    ]) {
      assert.throws(() => checkName('room', bad), InvalidInput, JSON.stringify(bad));
    }
  });
  it('keeps emoji sequences and ordinary names', () => {
    for (const ok of [
      '👩‍💻 coder',
      '🏳️‍🌈',
      '❤️ team',
      'room 1️⃣',
      'Zoë',
      'Zoe\u0308',
      'שלום',
      'build-1',
      '你好',
      'Tiếng Việt',
    ]) {
      assert.equal(checkName('room', ok), ok);
    }
  });
});
