import { TroveError } from '../errors/index.js';

/** Keys come from our own layout code, but an index read from a remote is untrusted: every key is checked before it reaches a backend. */
export function checkKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.includes('\\') || key.includes('\0') || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new TroveError('UNSAFE_PATH', `Refusing the remote key "${key.replace(/\0/g, '\\0').slice(0, 200)}".`, { hint: 'This is a bug or a hostile remote index; run trove fsck -r REMOTE.' });
  }
  return key;
}

/** Join a backend's base prefix and a key, both '/'-separated. */
export function joinKey(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}/${key}`;
}
