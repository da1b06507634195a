import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { poll, post, startBridge, type TestBridge } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(new URL('..', import.meta.url).pathname, 'test-output', 'dashboard');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') {
  throw new Error(`Chromium is required in CI (${CHROMIUM} is missing): .ci/run installs the Debian package.`);
}

let browser: Browser;

/** A fresh page, signed in to `b`, with every console error and dialog recorded. */
async function openDashboard(
  t: TestContext,
  b: TestBridge,
  opts: { path?: string; viewport?: { width: number; height: number }; dark?: boolean } = {},
) {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.dark ? 'dark' : 'light',
  });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    if (d.type() === 'confirm') await d.accept();
    else await d.dismiss();
  });
  await page.goto(b.url + (opts.path ?? '/dashboard'));
  await page.getByLabel('Admin token').fill(await b.admin());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { page, problems, dialogs };
}

async function shot(page: Page, name: string) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
}

describe('dashboard in Chromium', { skip: available ? false : `no Chromium at ${CHROMIUM}` }, () => {
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  after(async () => {
    await browser?.close();
  });

  it('refuses a wrong token, signs in with the right one, and signs out', async (t) => {
    const b = await startBridge(t);
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${b.url}/dashboard`);
    await shot(page, '01-sign-in');
    await page.getByLabel('Admin token').fill('definitely-wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('argybargy.token')), null);
    await page.getByLabel('Admin token').fill(await b.admin());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Rooms' }).waitFor();
    assert.ok(!page.url().includes(await b.admin()), 'the token never goes into a URL');
    await page.reload();
    await page.getByRole('navigation', { name: 'Rooms' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
  });

  it('shows agent messages live, sends as a human, and keeps text as text', async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build', { capabilities: 'plans the work' });
    const bob = await b.invite('bob', 'build');
    await post(b, alice, 'Morning! Plan: fix the login bug first.');
    const { page, problems, dialogs } = await openDashboard(t, b, { path: '/dashboard?room=build' });
    await page.getByText('Morning! Plan: fix the login bug first.').waitFor();

    const t0 = Date.now();
    await post(b, bob, 'On it — reviewing now.');
    await page.getByText('On it — reviewing now.').waitFor({ timeout: 1000 });
    assert.ok(Date.now() - t0 < 1000, 'a new message shows within a second, without reload');

    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    await post(b, alice, evil);
    const msg = page.locator('article.msg').filter({ hasText: 'onerror' });
    await msg.waitFor();
    assert.equal(await msg.locator('.text').textContent(), evil);
    assert.equal(await page.locator('.timeline img, .timeline script').count(), 0);

    await page.getByLabel('As', { exact: true }).fill('titus');
    await page.getByLabel('To', { exact: true }).selectOption('bob');
    await page.getByLabel('Message to build').fill('Merge it once it is green.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('article.msg').filter({ hasText: 'Merge it once it is green.' }).waitFor();
    const got = (await poll(b, bob, 2)).body.messages;
    const last = got.at(-1);
    assert.deepEqual(
      [last.from, last.to, last.text, last.expects_reply],
      ['titus', 'bob', 'Merge it once it is green.', 'bob'],
    );
    await page.getByText('DM').first().waitFor();

    const roster = page.getByRole('region', { name: 'In this room' });
    await roster.getByText('alice').waitFor();
    await roster.getByText('plans the work', { exact: false }).waitFor();
    await shot(page, '02-room');
    assert.deepEqual(dialogs, [], 'no alert ran');
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused/.test(p)),
      [],
      'nothing broke the CSP',
    );
  });

  it('lists a question in "Waiting on you" until it is answered; a click opens the room with the composer focused', async (t) => {
    const b = await startBridge(t);
    const asker = await b.invite('asker', 'ops');
    await b.invite('helper', 'quiet');
    const { page } = await openDashboard(t, b, { path: '/dashboard?room=quiet' });
    assert.equal(await page.getByRole('region', { name: /Waiting on you/ }).count(), 0, 'no inbox when nothing waits');
    await post(b, asker, 'Which provider should I use?', { expects_reply: 'anyone' });
    const inbox = page.getByRole('region', { name: /Waiting on you/ });
    await inbox.getByText('Which provider should I use?').waitFor();
    await shot(page, '03-inbox');
    await inbox.getByRole('button').first().click();
    await page.getByRole('heading', { name: '#ops' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'composer-text');
    assert.ok(page.url().includes('room=ops'));
    await page.getByLabel('Message to ops').fill('Use the second one.');
    await page.keyboard.press('Control+Enter');
    await inbox.waitFor({ state: 'detached' });
  });

  it('keeps the operator\'s own questions out of "Waiting on you" and shows questions to non-members as addressed to nobody', async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build');
    await b.invite('bob', 'build');
    const { page } = await openDashboard(t, b, { path: '/dashboard?room=build' });
    // The README's example: argybargy post build "…" --to alice --expects alice --as titus
    const asked = await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'build', text: 'Ship it once CI is green?', to: 'alice', expects_reply: 'alice', sender: 'titus' },
    });
    assert.equal(asked.status, 200);
    const mine = page.locator(`article[data-seq="${asked.body.message.seq}"]`);
    await mine.getByText('waiting on alice').waitFor();
    assert.equal(
      await page.getByRole('region', { name: /Waiting on you/ }).count(),
      0,
      'nothing waits on the operator',
    );
    await post(b, alice, 'Can bbo take the release notes?', { to: 'bbo' });
    const inbox = page.getByRole('region', { name: /Waiting on you/ });
    await inbox.getByText('Can bbo take the release notes?').waitFor();
    assert.equal(await inbox.getByText('no such agent: bbo').count(), 1);
    assert.equal(await inbox.getByText('Ship it once CI is green?').count(), 0);
    assert.equal(await inbox.getByRole('listitem').count(), 1);
    await page.getByText('waiting on no such agent: bbo').waitFor();
    await shot(page, '03b-inbox-nobody');
    // The operator's own question to a stranger: in the room, never in "Waiting on you".
    const stray = await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'build', text: 'Carl, are you there?', to: 'carl', sender: 'titus' },
    });
    await page
      .locator(`article[data-seq="${stray.body.message.seq}"]`)
      .getByText('waiting on no such agent: carl')
      .waitFor();
    assert.equal(await inbox.getByText('Carl, are you there?').count(), 0);
    assert.equal(await inbox.getByRole('listitem').count(), 1);
  });

  it('mints a key that works, revokes it, and rotates the admin token without losing the page', async (t) => {
    const b = await startBridge(t);
    await b.call('POST', '/admin/rooms', { admin: true, body: { room: 'keys' } });
    const { page } = await openDashboard(t, b, { path: '/dashboard?room=keys' });
    await page.getByRole('button', { name: 'Keys', exact: true }).click();
    const drawer = page.getByRole('complementary', { name: 'Keys' });
    await drawer.getByLabel('Agent name').fill('carol');
    await drawer.getByLabel('Capabilities').fill('researcher');
    await drawer.getByLabel('Expires').selectOption('1h');
    await drawer.getByRole('button', { name: 'Mint key' }).click();
    const instruction = await drawer.getByLabel('Instruction for carol').inputValue();
    const code = /Bearer ([A-Za-z0-9_-]+)/.exec(instruction)?.[1] ?? '';
    assert.ok(code.length >= 22 && instruction.includes(b.url));
    await shot(page, '04-keys');
    assert.deepEqual((await b.call('GET', '/whoami', { code })).body, {
      name: 'carol',
      room: 'keys',
      capabilities: 'researcher',
    });
    await drawer.getByRole('button', { name: 'Revoke carol' }).click();
    await drawer.getByText('None yet.').waitFor();
    assert.equal((await b.call('GET', '/whoami', { code })).status, 401);

    const old = await b.admin();
    await drawer.getByRole('button', { name: 'Rotate admin token' }).click();
    await page.waitForFunction((o) => {
      const t = localStorage.getItem('argybargy.token');
      return t !== null && JSON.parse(t) !== o;
    }, old);
    assert.notEqual(await b.admin(), old);
    await b.call('POST', '/admin/say', { admin: true, body: { room: 'keys', text: 'still live after rotation' } });
    await page.getByText('still live after rotation').waitFor();
  });

  it('creates, closes and reopens rooms; closed rooms fold into one row', async (t) => {
    const b = await startBridge(t);
    const agent = await b.invite('worker', 'alpha');
    const { page } = await openDashboard(t, b, { path: '/dashboard?room=alpha' });
    await page.getByLabel('New room').fill('beta');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '#beta' }).waitFor();
    await page.getByRole('button', { name: /^alpha/ }).click();
    await page.getByRole('button', { name: 'Close room' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    assert.equal((await post(b, agent, 'too late')).status, 409);
    await page.getByRole('button', { name: 'beta' }).click();
    const fold = page.getByRole('button', { name: /Closed · 1/ });
    await fold.waitFor();
    assert.equal(await page.getByRole('button', { name: /^alpha/ }).count(), 0, 'folded away');
    await fold.click();
    await page.getByRole('button', { name: /^alpha/ }).click();
    await shot(page, '05-closed-room');
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('button', { name: 'Close room' }).waitFor();
    assert.equal((await post(b, agent, 'back again')).status, 200);
  });

  it('works on a 375-pixel phone and in dark mode', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('alice', 'mobile');
    await post(
      b,
      a,
      'Hello from a long message that should wrap nicely on a narrow phone screen without scrolling sideways.',
    );
    await post(b, a, 'Anyone around?', { expects_reply: 'anyone' });
    const { page } = await openDashboard(t, b, {
      path: '/dashboard?room=mobile',
      viewport: { width: 375, height: 740 },
      dark: true,
    });
    await page.getByText('Anyone around?').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 375, `no sideways scrolling (${overflow}px)`);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(15, 20, 25)', 'follows the system dark theme');
    await shot(page, '06-phone-dark');
    await page.getByRole('button', { name: 'Rooms' }).click();
    await page.getByRole('navigation', { name: 'Rooms' }).getByText('mobile').waitFor();
    await shot(page, '07-phone-rooms');
    await page.getByRole('button', { name: 'Rooms' }).click();
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(246, 247, 249)');
    await page.getByRole('button', { name: 'Switch to dark theme' }).waitFor();
  });
});
