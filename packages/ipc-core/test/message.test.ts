import { join } from 'node:path';
import { undocumentedCodes, thrown } from '@pocketdock/testkit';
import {
  ConnectionError,
  IPC_ERROR_CODES,
  MaxConnectionsError,
  MessageType,
  SocketError,
  TimeoutError,
  UnixSocketConfigSchema,
  TcpSocketConfigSchema,
  ValidationError,
  backoffDelay,
  createMessage,
  isoInTimeZone,
  parseOptions,
} from '../src/index.js';

describe('createMessage', () => {
  it('stamps the message in UTC by default', () => {
    const m = createMessage('jobs', { id: 1 }, { now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    expect(m).toEqual({
      eventName: 'jobs',
      timestampMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      timestampIso: '2026-01-02T03:04:05.006Z',
      messageType: MessageType.DATA,
      data: { id: 1 },
    });
  });

  it('formats timestampIso in the configured IANA time zone', () => {
    const ms = Date.UTC(2026, 6, 1, 12, 0, 0, 250);
    expect(createMessage('e', {}, { now: () => ms, timezone: 'Europe/Berlin' }).timestampIso).toBe('2026-07-01T14:00:00.250+02:00');
    expect(isoInTimeZone(ms, 'America/New_York')).toBe('2026-07-01T08:00:00.250-04:00');
    expect(isoInTimeZone(ms, 'Asia/Kolkata')).toBe('2026-07-01T17:30:00.250+05:30');
    expect(new Date(isoInTimeZone(ms, 'Asia/Kolkata')).getTime()).toBe(ms);
  });

  it('validates the event name, the data and the time zone', () => {
    expect(thrown(() => createMessage('bad name', {}))).toMatchObject({ code: 'IPC_INVALID_EVENT_NAME' });
    expect(thrown(() => createMessage('x'.repeat(129), {}))).toMatchObject({ code: 'IPC_INVALID_EVENT_NAME' });
    expect(thrown(() => createMessage('ok', [] as never))).toMatchObject({ code: 'IPC_INVALID_MESSAGE' });
    expect(thrown(() => createMessage('ok', {}, { timezone: 'Nowhere/Land' }))).toMatchObject({ code: 'IPC_INVALID_OPTIONS' });
  });
});

describe('config schemas', () => {
  it('fills in the documented defaults', () => {
    expect(parseOptions(UnixSocketConfigSchema, {}, 'x')).toMatchObject({
      defaultTimeoutMs: 5000,
      timezone: 'UTC',
      messageQueueSize: 1000,
      blockingMode: false,
      allowClientSend: true,
      maxConnections: 100,
      socketPermissions: '0600',
      autoRemoveSocket: true,
      maxMessageBytes: 1024 * 1024,
    });
    expect(parseOptions(TcpSocketConfigSchema, {}, 'x')).toMatchObject({ host: '127.0.0.1' });
  });

  it('names the bad key and chains the ZodError', () => {
    let err: unknown;
    try {
      parseOptions(UnixSocketConfigSchema, { socketPermissions: '777x' }, 'UnixSocketServer');
    } catch (e) {
      err = e;
    }
    expect(ValidationError.is(err)).toBe(true);
    expect((err as ValidationError).message).toMatch(/socketPermissions/);
    expect((err as ValidationError).cause).toBeDefined();
  });
});

describe('backoffDelay', () => {
  const config = { initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0.5 };
  it('grows exponentially up to the cap, with the jitter fraction random', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, config, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, config, () => 1)).toBe(200);
    expect(backoffDelay(3, { ...config, jitter: 0 }, () => 1)).toBe(400);
  });
});

describe('errors', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), IPC_ERROR_CODES)).toEqual([]);
  });

  it('forms the hierarchy, recognised by brand, with causes chained', () => {
    const cause = new Error('root');
    const err = new MaxConnectionsError('IPC_MAX_CONNECTIONS', 'full', { cause });
    expect(err).toBeInstanceOf(SocketError);
    expect(SocketError.is(err)).toBe(true);
    expect(MaxConnectionsError.is(err)).toBe(true);
    expect(ConnectionError.is(err)).toBe(false);
    expect(TimeoutError.is(new TimeoutError('IPC_TIMEOUT', 't'))).toBe(true);
    expect(SocketError.is({ [Symbol.for('pocketdock.SocketError')]: true })).toBe(true);
    expect(SocketError.is(new Error('x'))).toBe(false);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('MaxConnectionsError');
  });
});

describe('isoInTimeZone', () => {
  it('matches toISOString for UTC across seconds, and before 1970 and after 9999', () => {
    for (const ms of [0, 1, 999, 1000, 1_795_316_848_199, 1_795_316_848_999, 1_795_316_849_000, -1, -86_400_001, 253_402_300_800_000]) {
      expect(isoInTimeZone(ms, 'UTC')).toBe(new Date(ms).toISOString());
    }
  });

  it('follows an offset change at the second it happens', () => {
    // Europe/Berlin leaves summer time at 2026-10-25T01:00:00Z
    const change = Date.UTC(2026, 9, 25, 1, 0, 0);
    expect(isoInTimeZone(change - 1, 'Europe/Berlin')).toBe('2026-10-25T02:59:59.999+02:00');
    expect(isoInTimeZone(change, 'Europe/Berlin')).toBe('2026-10-25T02:00:00.000+01:00');
  });
});
