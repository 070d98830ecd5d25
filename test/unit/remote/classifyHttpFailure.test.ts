import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHttpFailure, parseRetryAfter, type FailureClass, type HttpFailure } from '../../../src/remote/classifyHttpFailure.js';

const now = Date.parse('2025-01-01T00:00:00Z');

/** [what failed, the failure, the verdict]: one table for S3, Azure, GCS and HTTP alike */
const cases: [string, HttpFailure, FailureClass][] = [
  ['401', { status: 401 }, { code: 'AUTH', retryable: false, network: false }],
  ['403 with a Retry-After', { status: 403, retryAfter: '5' }, { code: 'AUTH', retryable: false, network: false }],
  ['an S3 credentials code with status 400', { status: 400, code: 'ExpiredToken' }, { code: 'AUTH', retryable: false, network: false }],
  ['an Azure credentials code', { status: 400, code: 'AuthenticationFailed' }, { code: 'AUTH', retryable: false, network: false }],
  ['the AWS SDK finding no credentials (no status)', { code: 'CredentialsProviderError' }, { code: 'AUTH', retryable: false, network: false }],
  ['404', { status: 404 }, { code: 'NOT_FOUND', retryable: false, network: false }],
  ['410', { status: 410 }, { code: 'NOT_FOUND', retryable: false, network: false }],
  ['408', { status: 408 }, { code: 'REMOTE', retryable: true, network: false }],
  ['429 with Retry-After seconds', { status: 429, retryAfter: '7' }, { code: 'REMOTE', retryable: true, network: false, retryAfterMs: 7000 }],
  ['503 with a Retry-After date', { status: 503, retryAfter: 'Wed, 01 Jan 2025 00:00:30 GMT' }, { code: 'REMOTE', retryable: true, network: false, retryAfterMs: 30_000 }],
  ['500 with an unreadable Retry-After', { status: 500, retryAfter: 'soon' }, { code: 'REMOTE', retryable: true, network: false }],
  ['S3 SlowDown', { status: 503, code: 'SlowDown' }, { code: 'REMOTE', retryable: true, network: false }],
  ['S3 RequestTimeout (a 400)', { status: 400, code: 'RequestTimeout' }, { code: 'REMOTE', retryable: true, network: false }],
  ['Azure ServerBusy', { status: 503, code: 'ServerBusy' }, { code: 'REMOTE', retryable: true, network: false }],
  ['Azure InvalidBlockList (a 400 after a concurrent commit)', { status: 400, code: 'InvalidBlockList' }, { code: 'REMOTE', retryable: true, network: false }],
  ['400 with no code', { status: 400 }, { code: 'REMOTE', retryable: false, network: false }],
  ['409 with a Retry-After (not retryable, so no wait)', { status: 409, retryAfter: '5' }, { code: 'REMOTE', retryable: false, network: false }],
  ['a refused connection', { code: 'ECONNREFUSED' }, { code: 'REMOTE', retryable: true, network: true }],
  ['a reset mid-body after a 200', { status: 200, code: 'ECONNRESET' }, { code: 'REMOTE', retryable: true, network: true }],
  ['undici losing its socket', { code: 'UND_ERR_SOCKET' }, { code: 'REMOTE', retryable: true, network: true }],
  ["Azure's failed send", { code: 'REQUEST_SEND_ERROR' }, { code: 'REMOTE', retryable: true, network: true }],
  ["the AWS SDK's socket timeout", { code: 'TimeoutError' }, { code: 'REMOTE', retryable: true, network: true }],
  ['fetch failing with no code', { transport: true }, { code: 'REMOTE', retryable: true, network: true }],
  ['an error that has no HTTP status and is not a network error', {}, { code: 'REMOTE', retryable: false, network: false }],
  ['a programming error with an unknown code and no status', { code: 'ERR_INVALID_ARG_TYPE' }, { code: 'REMOTE', retryable: false, network: false }],
  ['a TLS failure', { code: 'CERT_HAS_EXPIRED' }, { code: 'REMOTE', retryable: false, network: false }],
];

for (const [what, failure, want] of cases) {
  test(`classifyHttpFailure: ${what} → ${want.code}${want.retryable ? ', retried' : ', not retried'}`, () => {
    assert.deepEqual(classifyHttpFailure(failure, now), want);
  });
}

/** [Retry-After as sent, milliseconds to wait] */
const retryAfter: [string | null | undefined, number | undefined][] = [
  ['120', 120_000],
  [' 3 ', 3000],
  ['0', 0],
  ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
  ['Tue, 31 Dec 2024 00:00:00 GMT', 0],
  ['1.5', undefined], // RFC 9110: delay-seconds is whole digits; a date parse of "1.5" must not turn it into a year
  ['-1', undefined],
  ['soon', undefined],
  ['', undefined],
  [null, undefined],
  [undefined, undefined],
];

for (const [value, want] of retryAfter) {
  test(`parseRetryAfter reads ${JSON.stringify(value) ?? 'undefined'} as ${want ?? 'no wait given'}`, () => {
    assert.equal(parseRetryAfter(value, now), want);
  });
}
