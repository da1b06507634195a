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
  test('every year Python can write is taken as written, two-digit ones too (not 19xx)', () => {
    const utc = (y: number, mo: number, d: number, h = 0, mi = 0, sec = 0) => {
      const at = new Date(0);
      at.setUTCFullYear(y, mo - 1, d);
      at.setUTCHours(h, mi, sec, 0);
      return at.getTime();
    };
    // Python's datetime.min, and the last day of year 99.
    assert.equal(parseIsoMs('0001-01-01T00:00:00'), -62135596800000);
    assert.equal(new Date(parseIsoMs('0001-01-01T00:00:00') as number).toISOString(), '0001-01-01T00:00:00.000Z');
    assert.equal(parseIsoMs('0099-12-31T23:59:59+00:00'), utc(99, 12, 31, 23, 59, 59));
    assert.equal(new Date(parseIsoMs('0099-12-31T23:59:59+00:00') as number).getUTCFullYear(), 99);
    assert.equal(parseIsoMs('0004-02-29T12:00:00+00:00'), utc(4, 2, 29, 12));
    assert.equal(parseIsoMs('0001-02-29T00:00:00+00:00'), null);
    assert.equal(parseIsoMs('1969-12-31T23:59:59+00:00'), -1000);
    assert.equal(parseIsoMs('1969-07-20T20:17:40Z'), Date.UTC(1969, 6, 20, 20, 17, 40));
    // Python's datetime.max (microseconds cut).
    assert.equal(parseIsoMs('9999-12-31T23:59:59.999999'), 253402300799999);
    assert.equal(isoSeconds(parseIsoMs('0001-01-01T00:00:00+00:00') as number), '0001-01-01T00:00:00+00:00');
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
