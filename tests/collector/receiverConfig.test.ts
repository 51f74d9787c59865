import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, readReceiverConfig, usage } from '../../collector/receiverConfig.js';

describe('readReceiverConfig: deadlines and the ingest byte bound', () => {
  it('takes each from its flag, else its AAEP_* variable, else the documented default', () => {
    expect(readReceiverConfig([], {})).toMatchObject({
      maxPendingBytes: 64 * 1024 * 1024,
      bodyTimeoutMs: 10_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      token: undefined,
      ingestToken: undefined,
    });
    const env = { AAEP_MAX_PENDING_BYTES: '8388608', AAEP_BODY_TIMEOUT_MS: '2000', AAEP_HEADERS_TIMEOUT_MS: '3000', AAEP_REQUEST_TIMEOUT_MS: '9000' };
    expect(readReceiverConfig([], env)).toMatchObject({ maxPendingBytes: 8_388_608, bodyTimeoutMs: 2000, headersTimeoutMs: 3000, requestTimeoutMs: 9000 });
    expect(readReceiverConfig(['--body-timeout-ms', '500', '--max-pending-bytes', '4194304'], env)).toMatchObject({ bodyTimeoutMs: 500, maxPendingBytes: 4_194_304, headersTimeoutMs: 3000 });
    for (const flag of ['--ingest-token', '--max-pending-bytes', '--body-timeout-ms', '--headers-timeout-ms', '--request-timeout-ms']) expect(usage()).toContain(flag);
  });

  it('refuses settings that would lock every client out', () => {
    expect(() => readReceiverConfig(['--headers-timeout-ms', '5000', '--request-timeout-ms', '1000'], {})).toThrow(ConfigError);
    expect(() => readReceiverConfig(['--max-pending-bytes', '2048', '--max-body-bytes', '4096'], {})).toThrow(/at least max-body-bytes/);
    expect(() => readReceiverConfig(['--body-timeout-ms', '0'], {})).toThrow(ConfigError);
  });
});

describe('readReceiverConfig: translation workers', () => {
  it('runs a worker per core unless told, and 0 keeps translation in the receiver\'s thread', () => {
    expect(readReceiverConfig([], {})).toMatchObject({ workers: availableParallelism() });
    expect(readReceiverConfig([], { AAEP_RECEIVER_WORKERS: '3' })).toMatchObject({ workers: 3 });
    expect(readReceiverConfig(['--workers', '0'], { AAEP_RECEIVER_WORKERS: '3' })).toMatchObject({ workers: 0 });
    expect(() => readReceiverConfig(['--workers=-1'], {})).toThrow(/workers must be a whole number of at least 0/);
    expect(() => readReceiverConfig(['--workers', 'two'], {})).toThrow(ConfigError);
    expect(usage()).toContain('AAEP_RECEIVER_WORKERS');
  });
});
