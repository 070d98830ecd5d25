export { ERROR_CODES, TroveError, isTroveError } from './TroveError.js';
export type { ErrorCode, TroveErrorOptions } from './TroveError.js';
export * from './exitCodes.js';
export { fromFsError } from './fromFsError.js';
