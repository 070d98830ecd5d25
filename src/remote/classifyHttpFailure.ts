/**
 * The one answer to "what does this failed request mean?" for every backend
 * that speaks HTTP (S3, Azure, GCS, read-only HTTP), so that the same failure
 * gets the same error code and the same retry decision whichever client
 * raised it. Each backend digs the status, the service's error code and the
 * Retry-After header out of its SDK's error shape, then asks here; it keeps
 * only what is its own (a missing bucket or container, its hint wording).
 */
export interface HttpFailure {
  /** the HTTP status, when the server answered */
  readonly status?: number;
  /** the service's error code (S3 `SlowDown`, Azure `ServerBusy`) or the transport's (`ECONNRESET`, `UND_ERR_SOCKET`) */
  readonly code?: string;
  /** the raw Retry-After header of the answer */
  readonly retryAfter?: string | null;
  /** the client says the transport failed without a code (fetch's "fetch failed" / "terminated") */
  readonly transport?: boolean;
}

export interface FailureClass {
  /** the Backend error contract's code (src/remote/Backend.ts) */
  readonly code: 'AUTH' | 'NOT_FOUND' | 'REMOTE';
  /** a transient fault: another attempt may succeed */
  readonly retryable: boolean;
  /** the connection failed or was lost: the network or the server's socket (messages then say "Cannot reach") */
  readonly network: boolean;
  /** how long the server asked to wait, for a retryable failure that said so */
  readonly retryAfterMs?: number;
}

/** Transport failures: Node's errno codes, undici's, and the SDKs' names for a lost or timed-out connection. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPROTO',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE',
  // Azure's pipeline wraps a failed send in this; the AWS SDK names a socket timeout so.
  'REQUEST_SEND_ERROR', 'TimeoutError',
]);

/** Service codes that mean "busy or broken for now", whatever the status (S3's RequestTimeout is a 400). */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  // S3 and S3-compatible stores
  'SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'RequestLimitExceeded', 'RequestThrottled', 'ServiceUnavailable', 'InternalError', 'RequestTimeout',
  // Azure; InvalidBlockList: a concurrent commit to the same blob discarded our staged blocks, and staging again succeeds
  'ServerBusy', 'OperationTimedOut', 'InvalidBlockList',
]);

/** Service codes that mean the credentials are missing, wrong or not allowed, whatever the status. */
const AUTH_CODES: ReadonlySet<string> = new Set([
  // S3
  'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'RequestTimeTooSkewed', 'CredentialsProviderError', 'AllAccessDisabled', 'AccountProblem',
  // Azure
  'AuthenticationFailed', 'AuthorizationFailure', 'AuthorizationPermissionMismatch', 'AuthorizationResourceTypeMismatch', 'AuthorizationServiceMismatch', 'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch', 'InsufficientAccountPermissions', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation', 'KeyBasedAuthenticationNotPermitted',
]);

/**
 * AUTH for 401/403 or a credentials code; NOT_FOUND for 404/410; a retryable
 * REMOTE for 408, 429, 5xx, a throttling or server-fault code, or a network
 * failure; any other failure is a REMOTE error that is NOT retried: with no
 * status and no transport code it is a bug or a local fault (a TypeError, a
 * bad argument), and another attempt would only fail the same way, slower.
 */
export function classifyHttpFailure(failure: HttpFailure, now = Date.now()): FailureClass {
  const { status, code } = failure;
  if (status === 401 || status === 403 || (code !== undefined && AUTH_CODES.has(code))) return { code: 'AUTH', retryable: false, network: false };
  if (status === 404 || status === 410) return { code: 'NOT_FOUND', retryable: false, network: false };
  // A lost connection is one even after a status came back (a body cut short mid-download).
  const network = (code !== undefined && NETWORK_CODES.has(code)) || failure.transport === true;
  const retryable = network || status === 408 || status === 429 || (status !== undefined && status >= 500) || (code !== undefined && TRANSIENT_CODES.has(code));
  const retryAfterMs = retryable ? parseRetryAfter(failure.retryAfter, now) : undefined;
  return retryAfterMs === undefined ? { code: 'REMOTE', retryable, network } : { code: 'REMOTE', retryable, network, retryAfterMs };
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past is 0, anything else undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  // An HTTP date names its month; without this Date.parse reads "1.5" or "-1" as days in 2001.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
