import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

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
