import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress } from '../../src/domain/addresses.js';

describe('isPublicAddress', () => {
  it('passes public unicast addresses', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '[2606:4700::1111]'])
      assert.equal(isPublicAddress(a), true, a);
  });
  it('refuses every private, local and special spelling', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      'fd00::1',
      'fe80::1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '2001::1',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      'localhost',
      'not an address',
    ]) {
      assert.equal(isPublicAddress(a), false, a);
    }
  });
});
