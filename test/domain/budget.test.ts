import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleTripsAt, pollBudget } from '../../src/domain/budget.js';

describe('pollBudget', () => {
  it('counts down and then says leave', () => {
    const b = pollBudget(10, 20, 1800, false);
    assert.equal(b.should_exit, false);
    assert.equal(b.idle_seconds, 20);
    assert.equal(b.seconds_left, 1780);
    assert.equal(b.reason, null);
    const tripped = pollBudget(10, 1800, 1800, false);
    assert.equal(tripped.should_exit, true);
    assert.equal(tripped.reason, 'idle_timeout');
    assert.equal(tripped.seconds_left, 0);
  });
  it('takes the larger of the two clocks', () => {
    assert.equal(pollBudget(900, null, 600, false).should_exit, true);
    assert.equal(pollBudget(0, 900, 600, false).should_exit, true);
    assert.equal(pollBudget(100, 200, 600, false).idle_seconds, 200);
  });
  it('always exits a closed room, even with the idle bound off', () => {
    const b = pollBudget(0, 0, 0, true);
    assert.equal(b.should_exit, true);
    assert.equal(b.reason, 'room_closed');
    assert.equal(b.seconds_left, null);
  });
  it('never exits on idleness when the bound is 0', () => {
    assert.equal(pollBudget(99_999, 99_999, 0, false).should_exit, false);
  });
  it('rounds to one decimal and clamps negatives', () => {
    const b = pollBudget(1.234, -5, 10, false);
    assert.equal(b.waited_seconds, 1.2);
    assert.equal(b.room_quiet_seconds, 0);
    assert.deepEqual(Object.keys(b).sort(), [
      'idle_seconds',
      'max_idle_seconds',
      'reason',
      'room_quiet_seconds',
      'seconds_left',
      'should_exit',
      'waited_seconds',
    ]);
  });
});

describe('idleTripsAt', () => {
  it('is the earlier clock plus the bound, just past it', () => {
    assert.equal(idleTripsAt(10_000, 4_000, 60), 64_001);
    assert.equal(idleTripsAt(10_000, 40_000, 60), 70_001);
    assert.equal(idleTripsAt(10_000, null, 60), 70_001);
  });
  it('never trips with the bound off', () => {
    assert.equal(idleTripsAt(10_000, 4_000, 0), Number.POSITIVE_INFINITY);
  });
  it('agrees with pollBudget: idle at the moment it names, not a millisecond before', () => {
    const at = idleTripsAt(0, null, 30);
    assert.equal(pollBudget((at - 1) / 1000 - 0.06, null, 30, false).should_exit, false);
    assert.equal(pollBudget(at / 1000, null, 30, false).reason, 'idle_timeout');
  });
});
