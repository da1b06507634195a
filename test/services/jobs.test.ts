import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Jobs } from '../../src/services/jobs.js';
import { sleep } from '../helpers.js';

describe('Jobs', () => {
  it('runs a delayed job once, after its delay', async () => {
    const jobs = new Jobs();
    const ran: number[] = [];
    const t0 = Date.now();
    jobs.after(40, () => ran.push(Date.now() - t0));
    assert.equal(jobs.pending(), 1);
    await sleep(120);
    assert.equal(ran.length, 1);
    assert.ok(ran[0] >= 35, `ran after ${ran[0]} ms`);
    assert.equal(jobs.pending(), 0, 'a finished delayed job leaves nothing behind');
  });

  it('never overlaps a periodic job with itself', async () => {
    const jobs = new Jobs();
    let running = 0;
    let most = 0;
    let runs = 0;
    jobs.every(10, async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      await sleep(45);
      running--;
    });
    await sleep(200);
    jobs.stop();
    assert.equal(most, 1);
    assert.ok(runs >= 2 && runs <= 6, `${runs} runs`);
  });

  it('survives a job that throws, and stop() cancels everything pending and refuses more', async () => {
    const jobs = new Jobs();
    let after = 0;
    jobs.after(5, () => {
      throw new Error('boom');
    });
    jobs.after(5, async () => {
      throw new Error('async boom');
    });
    jobs.after(20, () => after++);
    await sleep(60);
    assert.equal(after, 1, 'later jobs still run after one threw');
    let late = 0;
    jobs.after(20, () => late++);
    jobs.every(5, () => late++);
    jobs.stop();
    jobs.after(1, () => late++);
    await sleep(60);
    assert.equal(late, 0);
    assert.equal(jobs.pending(), 0);
  });
});
