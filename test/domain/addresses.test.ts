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
      '::127.0.0.1',
      '0:0:0:0:0:0:7f00:1',
      '::7f00:1',
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

describe('clientKey', () => {
  it('counts every spelling of one IPv4 address as one', async () => {
    const { clientKey } = await import('../../src/domain/addresses.js');
    for (const a of ['1.2.3.4', '::ffff:1.2.3.4', '::ffff:0102:0304', '01.2.3.4', '1.2.3.4:5555', ' 1.2.3.4 ']) {
      assert.equal(clientKey(a), '1.2.3.4', a);
    }
  });
  it('counts an IPv6 /64 as one, and anything else as unknown', async () => {
    const { clientKey } = await import('../../src/domain/addresses.js');
    assert.equal(clientKey('2001:db8:1:2::5'), clientKey('2001:db8:1:2:ffff::9'));
    assert.equal(clientKey('[2001:db8:1:2::5]:443'), '2001:db8:1:2::/64');
    assert.notEqual(clientKey('2001:db8:1:3::5'), clientKey('2001:db8:1:2::5'));
    assert.equal(clientKey('not-an-ip'), 'unknown');
    assert.equal(clientKey(''), 'unknown');
  });
});
