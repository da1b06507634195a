import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../../src/domain/errors.js';
import {
  CLAIM_REOPENED,
  checkClaimLease,
  lapseReason,
  leaseExpiry,
  MAX_CLAIM_LEASE,
  NOTICE_SENDER,
  reopenNotice,
} from '../../src/domain/leases.js';

describe('claim leases', () => {
  it('checkClaimLease takes whole seconds 0..MAX or nothing, and names claim_lease otherwise', () => {
    assert.equal(checkClaimLease(undefined), null);
    assert.equal(checkClaimLease(null), null);
    assert.equal(checkClaimLease(0), 0);
    assert.equal(checkClaimLease(90), 90);
    assert.equal(checkClaimLease(MAX_CLAIM_LEASE), MAX_CLAIM_LEASE);
    for (const bad of [-1, 1.5, MAX_CLAIM_LEASE + 1, '60', Number.NaN, true, {}]) {
      assert.throws(
        () => checkClaimLease(bad),
        (e) => e instanceof InvalidInput && e.field === 'claim_lease',
      );
    }
  });

  it('leaseExpiry: the question’s lease, else the default; 0 holds for good', () => {
    assert.equal(leaseExpiry(1000, null, 600), 601_000);
    assert.equal(leaseExpiry(1000, 5, 600), 6000);
    assert.equal(leaseExpiry(1000, 0, 600), null);
    assert.equal(leaseExpiry(1000, null, 0), null);
    assert.equal(leaseExpiry(1000, 30, 0), 31_000);
  });

  it('lapseReason: a lapsed lease first, then the holder’s code', () => {
    assert.equal(lapseReason(1000, 999, 'live'), null);
    assert.equal(lapseReason(1000, 1000, 'live'), 'lease_expired');
    assert.equal(lapseReason(1000, 1000, 'none'), 'lease_expired');
    assert.equal(lapseReason(null, 1000, 'live'), null);
    assert.equal(lapseReason(null, 1000, 'expired'), 'holder_expired');
    assert.equal(lapseReason(5000, 1000, 'none'), 'holder_revoked');
  });

  it('reopenNotice replies to the question, to its own audience, from the reserved sender', () => {
    const n = reopenNotice({ seq: 14, to: 'all' }, 'bob', 'holder_revoked');
    assert.deepEqual(
      [n.from, n.to, n.replyTo, n.kind, n.reason],
      [NOTICE_SENDER, 'all', 14, CLAIM_REOPENED, 'holder_revoked'],
    );
    assert.match(n.text, /^Message 14 is open again: bob held the claim and their access was revoked\./);
    assert.equal(reopenNotice({ seq: 3, to: 'carol' }, 'carol', 'released').to, 'carol');
  });
});
