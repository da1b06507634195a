import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, INT_SETTINGS, loadConfig, SECONDS_MAX } from '../src/config.js';
import { parsePythonInt, parseSeconds, readInt } from '../src/config-numbers.js';
import { request, tempDir } from './helpers.js';
import { runCli, spawnBridge, stopProcess } from './support/processes.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.deepEqual(
      {
        host: c.host,
        port: c.port,
        dataDir: c.dataDir,
        rateMax: c.rateMax,
        rateWindowSeconds: c.rateWindowSeconds,
        maxMessagesPerRoom: c.maxMessagesPerRoom,
        maxText: c.maxText,
        maxWait: c.maxWait,
        maxHistory: c.maxHistory,
        onlineWindow: c.onlineWindow,
        maxIdleSeconds: c.maxIdleSeconds,
        hashCodes: c.hashCodes,
        docs: c.docs,
        maxRooms: c.maxRooms,
        maxCodes: c.maxCodes,
        corsOrigins: c.corsOrigins,
        logLevel: c.logLevel,
        databaseUrl: c.databaseUrl,
        redisUrl: c.redisUrl,
        redisPrefix: c.redisPrefix,
        metricsToken: c.metricsToken,
      },
      {
        host: '127.0.0.1',
        port: 8765,
        dataDir: join(homedir(), '.argybargy'),
        rateMax: 10,
        rateWindowSeconds: 10,
        maxMessagesPerRoom: 2000,
        maxText: 8000,
        maxWait: 25,
        maxHistory: 500,
        onlineWindow: 60,
        maxIdleSeconds: 1800,
        hashCodes: false,
        docs: true,
        maxRooms: 0,
        maxCodes: 0,
        corsOrigins: [],
        logLevel: 'info',
        databaseUrl: null,
        redisUrl: null,
        redisPrefix: 'argybargy:',
        metricsToken: null,
      },
    );
    assert.ok(Object.isFrozen(c));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      ARGYBARGY_HOST: '0.0.0.0',
      ARGYBARGY_PORT: '9000',
      ARGYBARGY_DATA: '/tmp/ab',
      ARGYBARGY_RATE_MAX: '5',
      ARGYBARGY_RATE_WINDOW: '2.5',
      ARGYBARGY_MAX_MESSAGES_PER_ROOM: '0',
      ARGYBARGY_MAX_TEXT: '100',
      ARGYBARGY_MAX_WAIT: '5',
      ARGYBARGY_MAX_HISTORY: '20',
      ARGYBARGY_ONLINE_WINDOW: '30',
      ARGYBARGY_MAX_IDLE_SECONDS: '0',
      ARGYBARGY_CLAIM_LEASE_SECONDS: '90',
      ARGYBARGY_HASH_CODES: 'true',
      ARGYBARGY_DOCS: '0',
      ARGYBARGY_MAX_ROOMS: '3',
      ARGYBARGY_MAX_CODES: '4',
      ARGYBARGY_CORS_ORIGINS: 'https://a.example, http://localhost:3000/',
      ARGYBARGY_LOG_LEVEL: 'warning',
    });
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 9000);
    assert.equal(c.dataDir, '/tmp/ab');
    assert.equal(c.rateWindowSeconds, 2.5);
    assert.equal(c.maxMessagesPerRoom, 0);
    assert.equal(c.claimLeaseSeconds, 90);
    assert.equal(loadConfig({}).claimLeaseSeconds, 600, 'claims hold ten minutes unless told otherwise');
    assert.equal(loadConfig({ ARGYBARGY_CLAIM_LEASE_SECONDS: '0' }).claimLeaseSeconds, 0, '0: for good');
    assert.equal(c.hashCodes, true);
    assert.equal(c.docs, false);
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'http://localhost:3000']);
    assert.equal(c.logLevel, 'warn');
    assert.equal(loadConfig({ ARGYBARGY_DATA: '~/x' }).dataDir, join(homedir(), 'x'));
  });

  const bad: Array<[string, string]> = [
    ['ARGYBARGY_PORT', 'abc'],
    ['ARGYBARGY_PORT', '70000'],
    ['ARGYBARGY_PORT', '-1'],
    ['ARGYBARGY_RATE_MAX', '1.5'],
    ['ARGYBARGY_RATE_WINDOW', '0'],
    ['ARGYBARGY_RATE_WINDOW', 'ten'],
    ['ARGYBARGY_MAX_TEXT', '0'],
    ['ARGYBARGY_MAX_WAIT', '25s'],
    ['ARGYBARGY_MAX_HISTORY', '0'],
    ['ARGYBARGY_ONLINE_WINDOW', 'x'],
    ['ARGYBARGY_MAX_IDLE_SECONDS', '-5'],
    ['ARGYBARGY_CLAIM_LEASE_SECONDS', '-1'],
    ['ARGYBARGY_CLAIM_LEASE_SECONDS', '10m'],
    ['ARGYBARGY_RATE_MAX', '-1'],
    ['ARGYBARGY_RATE_MAX', '1_'],
    ['ARGYBARGY_RATE_MAX', '0x10'],
    ['ARGYBARGY_RATE_WINDOW', '-3'],
    ['ARGYBARGY_MAX_MESSAGES_PER_ROOM', '-1'],
    ['ARGYBARGY_MAX_ROOMS', '-1'],
    ['ARGYBARGY_MAX_CODES', '-10'],
    ['ARGYBARGY_ONLINE_WINDOW', '-1'],
    ['ARGYBARGY_MAX_WAIT', '-1'],
    ['ARGYBARGY_MAX_TEXT', '-8000'],
    ['ARGYBARGY_AUTH_FAILURES', '-1'],
    ['ARGYBARGY_PORT', '1_000_000'],
    ['ARGYBARGY_HASH_CODES', 'maybe'],
    ['ARGYBARGY_DOCS', '2'],
    ['ARGYBARGY_MAX_ROOMS', 'many'],
    ['ARGYBARGY_MAX_CODES', '1e3'],
    ['ARGYBARGY_CORS_ORIGINS', 'not a url'],
    ['ARGYBARGY_CORS_ORIGINS', 'https://a.example/path'],
    ['ARGYBARGY_LOG_LEVEL', 'loud'],
    ['ARGYBARGY_HOST', 'bad host'],
    ['ARGYBARGY_DATABASE_URL', 'mysql://localhost/x'],
    ['ARGYBARGY_DATABASE_URL', 'not a url'],
    ['ARGYBARGY_REDIS_URL', 'http://localhost:6379'],
    ['ARGYBARGY_REDIS_PREFIX', 'has spaces'],
  ];
  for (const [name, value] of bad) {
    it(`refuses ${name}=${value}, naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: unknown) => e instanceof ConfigError && e.variable === name && e.message.includes(name),
      );
    });
  }

  it('treats empty values as unset', () => {
    assert.equal(loadConfig({ ARGYBARGY_PORT: '', ARGYBARGY_LOG_LEVEL: ' ' }).port, 8765);
  });
});

describe('numbers as the original read them (Python int())', () => {
  it('parsePythonInt accepts what int() accepts and nothing else', () => {
    const ok: Array<[string, bigint]> = [
      ['0', 0n],
      ['7', 7n],
      [' 7 ', 7n],
      ['\t42\n', 42n],
      ['+5', 5n],
      ['-3', -3n],
      ['-0', 0n],
      ['007', 7n],
      ['1_000', 1000n],
      ['+1_0_0', 100n],
      ['100000000', 100_000_000n],
      ['9'.repeat(40), BigInt('9'.repeat(40))],
      ['\u0661\u0662\u0663', 123n], // Arabic-Indic digits
      ['\u0966\u096f', 9n], // Devanagari
      ['\u{1D7D9}\u{1D7CE}', 10n], // mathematical bold/double-struck digits, blocks of ten side by side
    ];
    for (const [text, value] of ok) assert.equal(parsePythonInt(text), value, JSON.stringify(text));
    for (const text of [
      '',
      ' ',
      '1.5',
      '1e3',
      '0x10',
      '_1',
      '1_',
      '1__0',
      '+-1',
      '--1',
      '+',
      '1 2',
      'ten',
      '½',
      '٫1',
    ]) {
      assert.equal(parsePythonInt(text), null, JSON.stringify(text));
    }
  });

  it('parseSeconds takes whole numbers the same way, and fractions', () => {
    assert.equal(parseSeconds('2.5'), 2.5);
    assert.equal(parseSeconds(' +10 '), 10);
    assert.equal(parseSeconds('1_0.2_5'), 10.25);
    assert.equal(parseSeconds('0.05'), 0.05);
    assert.equal(parseSeconds('-1.5'), -1.5);
    assert.equal(parseSeconds('9'.repeat(400)), Number.POSITIVE_INFINITY);
    for (const text of ['ten', '1.', '.5', '1.2.3', '1e3', 'inf', '1 .5', '1._5']) {
      assert.equal(parseSeconds(text), null, text);
    }
  });

  it('readInt refuses below the minimum, and clamps above the top only where told', () => {
    assert.deepEqual(readInt('5', { min: 1, max: 10, clamp: true }), { ok: true, value: 5 });
    assert.deepEqual(readInt('0', { min: 1, max: 10, clamp: true }), { ok: false, why: 'below' });
    assert.deepEqual(readInt('11', { min: 1, max: 10, clamp: true }), { ok: true, value: 10 });
    assert.deepEqual(readInt('11', { min: 1, max: 10, clamp: false }), { ok: false, why: 'above' });
    assert.deepEqual(readInt('x', { min: 1, max: 10, clamp: true }), { ok: false, why: 'not-a-number' });
  });

  it('loadConfig takes +5, " 7 ", 1_000 and huge values for every setting of the original', () => {
    const c = loadConfig({
      ARGYBARGY_PORT: ' +8_765 ',
      ARGYBARGY_RATE_MAX: '100000000',
      ARGYBARGY_RATE_WINDOW: '+5',
      ARGYBARGY_MAX_MESSAGES_PER_ROOM: '1_000',
      ARGYBARGY_MAX_TEXT: ' 7 ',
      ARGYBARGY_MAX_WAIT: '007',
      ARGYBARGY_MAX_HISTORY: '+20',
      ARGYBARGY_ONLINE_WINDOW: '0',
      ARGYBARGY_MAX_IDLE_SECONDS: '3_600',
      ARGYBARGY_MAX_ROOMS: '-0',
    });
    assert.equal(c.port, 8765);
    assert.equal(c.rateMax, 100_000_000);
    assert.equal(c.rateWindowSeconds, 5);
    assert.equal(c.maxMessagesPerRoom, 1000);
    assert.equal(c.maxText, 7);
    assert.equal(c.maxWait, 7);
    assert.equal(c.maxHistory, 20);
    assert.equal(c.onlineWindow, 0);
    assert.equal(c.maxIdleSeconds, 3600);
    assert.equal(c.maxRooms, 0);

    const huge = '1'.repeat(30);
    const keys: Record<string, keyof ReturnType<typeof loadConfig>> = {
      ARGYBARGY_RATE_MAX: 'rateMax',
      ARGYBARGY_MAX_MESSAGES_PER_ROOM: 'maxMessagesPerRoom',
      ARGYBARGY_MAX_TEXT: 'maxText',
      ARGYBARGY_MAX_WAIT: 'maxWait',
      ARGYBARGY_MAX_HISTORY: 'maxHistory',
      ARGYBARGY_ONLINE_WINDOW: 'onlineWindow',
      ARGYBARGY_MAX_IDLE_SECONDS: 'maxIdleSeconds',
      ARGYBARGY_CLAIM_LEASE_SECONDS: 'claimLeaseSeconds',
      ARGYBARGY_MAX_ROOMS: 'maxRooms',
      ARGYBARGY_MAX_CODES: 'maxCodes',
      ARGYBARGY_MAX_PARKED_PER_AGENT: 'maxParkedPerAgent',
      ARGYBARGY_MAX_CONNECTIONS_PER_ADDRESS: 'maxConnectionsPerAddress',
      ARGYBARGY_AUTH_FAILURES: 'authFailuresPerMinute',
    };
    for (const [name, key] of Object.entries(keys)) {
      const top = INT_SETTINGS[name as keyof typeof INT_SETTINGS].max;
      assert.equal(loadConfig({ [name]: huge })[key], top, `${name}=${huge} counts as ${top}`);
    }
    assert.equal(loadConfig({ ARGYBARGY_RATE_WINDOW: huge }).rateWindowSeconds, SECONDS_MAX.ARGYBARGY_RATE_WINDOW);
    assert.equal(
      loadConfig({ ARGYBARGY_REQUEST_TIMEOUT: '99999' }).requestTimeoutSeconds,
      SECONDS_MAX.ARGYBARGY_REQUEST_TIMEOUT,
    );
    // The tops keep timers within what Node.js holds (2^31 - 1 ms).
    assert.ok(SECONDS_MAX.ARGYBARGY_RATE_WINDOW * 1000 < 2 ** 31 - 1);
    assert.ok((INT_SETTINGS.ARGYBARGY_MAX_WAIT.max + 35) * 1000 < 2 ** 31 - 1);
  });

  it('says what is wrong, naming the variable', () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    assert.match(
      message({ ARGYBARGY_RATE_MAX: '-5' }),
      /^ARGYBARGY_RATE_MAX="-5" is negative, which means nothing here/,
    );
    assert.match(message({ ARGYBARGY_MAX_TEXT: '0' }), /^ARGYBARGY_MAX_TEXT="0" is below 1/);
    assert.match(
      message({ ARGYBARGY_PORT: '70000' }),
      /^ARGYBARGY_PORT="70000" is out of range \(expected 0\.\.65535\)/,
    );
    assert.match(message({ ARGYBARGY_MAX_ROOMS: 'lots' }), /^ARGYBARGY_MAX_ROOMS="lots" is not a whole number/);
  });
});

describe('start-up with the settings of the original', () => {
  it('ARGYBARGY_RATE_MAX=100000000 starts the bridge, which then lets one agent post far beyond the default 10', async (t) => {
    const dir = tempDir(t);
    const bridge = await spawnBridge({ ARGYBARGY_DATA: dir, ARGYBARGY_RATE_MAX: '100000000' });
    t.after(() => stopProcess(bridge.child));
    const invite = await runCli(['invite', '--name', 'alice', '--room', 'build', '--json'], {
      ARGYBARGY_DATA: dir,
      ARGYBARGY_PORT: new URL(bridge.url).port,
    });
    assert.equal(invite.code, 0, invite.stderr);
    const { code } = JSON.parse(invite.stdout) as { code: string };
    for (let i = 0; i < 40; i++) {
      const r = await request(bridge.url, 'POST', '/messages', { code, body: { to: 'all', text: `m${i}` } });
      assert.equal(r.status, 200, `post ${i}: ${r.text}`);
    }
    const guide = await request(bridge.url, 'GET', '/');
    assert.match(guide.text, /at most 100000000 messages per 10 seconds/);
  });
});
