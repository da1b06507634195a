import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isoSeconds, parseIsoMs } from '../../src/domain/time.js';

describe('parseIsoMs (the times the original argybargy 1.0 stored)', () => {
  test('Python isoformat with +00:00, as the original wrote every time', () => {
    assert.equal(parseIsoMs('2026-11-29T17:16:30+00:00'), Date.UTC(2026, 10, 29, 17, 16, 30));
  });
  test('round-trips with isoSeconds', () => {
    for (const s of ['2026-11-29T17:16:30+00:00', '2000-02-29T00:00:00+00:00', '1999-12-31T23:59:59+00:00']) {
      assert.equal(isoSeconds(parseIsoMs(s) as number), s);
    }
  });
  test('fractions (microseconds) are cut to milliseconds, never rounded up', () => {
    assert.equal(parseIsoMs('2026-11-29T17:16:30.123456+00:00'), Date.UTC(2026, 10, 29, 17, 16, 30, 123));
    assert.equal(parseIsoMs('2026-11-29T17:16:30.9999+00:00'), Date.UTC(2026, 10, 29, 17, 16, 30, 999));
    assert.equal(parseIsoMs('2026-11-29T17:16:30.5Z'), Date.UTC(2026, 10, 29, 17, 16, 30, 500));
  });
  test('offsets other than UTC, Z, a space for T, and no seconds', () => {
    assert.equal(parseIsoMs('2026-11-29T18:16:30+01:00'), Date.UTC(2026, 10, 29, 17, 16, 30));
    assert.equal(parseIsoMs('2026-11-29T12:46:30-0430'), Date.UTC(2026, 10, 29, 17, 16, 30));
    assert.equal(parseIsoMs('2026-11-29T17:16:30Z'), Date.UTC(2026, 10, 29, 17, 16, 30));
    assert.equal(parseIsoMs('2026-11-29 17:16:30+00:00'), Date.UTC(2026, 10, 29, 17, 16, 30));
    assert.equal(parseIsoMs('2026-11-29T17:16'), Date.UTC(2026, 10, 29, 17, 16));
  });
  test('no offset means UTC, whatever the local time zone', () => {
    assert.equal(parseIsoMs('2026-11-29T17:16:30'), Date.UTC(2026, 10, 29, 17, 16, 30));
  });
  test('anything else is null', () => {
    for (const s of [
      '',
      'yesterday',
      '2026-11-29',
      '2026-02-30T00:00:00+00:00',
      '2026-13-01T00:00:00+00:00',
      '2026-11-29T24:00:00+00:00',
      '2026-11-29T17:60:00+00:00',
      '2026-11-29T17:16:30+25:00',
      '1795972590',
      '2026-11-29T17:16:30+00:00 trailing',
    ]) {
      assert.equal(parseIsoMs(s), null, s);
    }
  });
});
