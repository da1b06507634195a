import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../../src/domain/errors.js';
import { parseExpires } from '../../src/domain/expires.js';

const NOW = Date.UTC(2026, 0, 1);
const minutes = (s: string | number) => ((parseExpires(s, NOW) as number) - NOW) / 60_000;

describe('parseExpires', () => {
  it('reads the presets', () => {
    assert.equal(minutes('10m'), 10);
    assert.equal(minutes('30m'), 30);
    assert.equal(minutes('1h'), 60);
    assert.equal(minutes('12h'), 720);
    assert.equal(minutes('1d'), 1440);
    assert.equal(minutes('1w'), 10_080);
    assert.equal(minutes('1mo'), 43_200);
  });
  it('reads a bare number as hours', () => {
    assert.equal(minutes('2'), 120);
    assert.equal(minutes(3), 180);
    assert.equal(minutes('1.5'), 90);
  });
  it('accepts long unit spellings and case', () => {
    assert.equal(minutes('2 days'), 2880);
    assert.equal(minutes('90MIN'), 90);
  });
  for (const blank of ['', 'never', 'none', '0', 'NEVER', null, undefined, 0]) {
    it(`reads ${JSON.stringify(blank)} as no expiry`, () => assert.equal(parseExpires(blank, NOW), null));
  }
  for (const bad of ['bogus', '10x', '-5m', '1y', '0m', 'm', '1e3h', '99999mo']) {
    it(`refuses ${bad}`, () => assert.throws(() => parseExpires(bad, NOW), InvalidInput));
  }
});
