/** OpenSSH known_hosts parsing and host-key verification (ssh2 leaves it to the caller). */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerHostKeyAlgorithm } from 'ssh2';

export interface KnownKey {
  readonly type: string;
  readonly blob: Buffer;
  readonly revoked: boolean;
}

/**
 * The keys known_hosts lists for host:port, in OpenSSH's format: plain
 * (comma-separated patterns with * ? and !negation, `[host]:port` for other
 * ports) or hashed (`|1|salt|hmac`) names; @cert-authority lines are skipped
 * because ssh2 does not do host certificates.
 */
export function readKnownHosts(files: readonly string[], host: string, port: number): KnownKey[] {
  const name = port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
  const out: KnownKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // a known_hosts file that is missing or unreadable holds no keys; an unknown host is then refused and reported
      continue;
    }
    for (const raw of text.split('\n')) {
      const fields = raw.trim().split(/\s+/);
      if (fields[0] === '' || fields[0]!.startsWith('#')) continue;
      let revoked = false;
      if (fields[0]!.startsWith('@')) {
        const marker = fields.shift();
        if (marker === '@cert-authority') continue;
        revoked = marker === '@revoked';
      }
      const [hosts, type, b64] = fields;
      if (!hosts || !type || !b64 || !hostMatches(hosts, name)) continue;
      out.push({ type, blob: Buffer.from(b64, 'base64'), revoked });
    }
  }
  return out;
}

export function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of patterns.toLowerCase().split(',')) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** undefined when the key may be trusted; otherwise why not. */
export function verifyHostKey(known: readonly KnownKey[], key: Buffer, strict: boolean): 'unknown' | 'changed' | 'revoked' | undefined {
  if (known.some((k) => k.revoked && k.blob.equals(key))) return 'revoked';
  if (known.some((k) => !k.revoked && k.blob.equals(key))) return undefined;
  const type = key.subarray(4, 4 + key.readUInt32BE(0)).toString('latin1');
  // A different key of the same type is a changed key, refused even when
  // strict checking is off (like OpenSSH's accept-new): it is how a MITM looks.
  if (known.some((k) => !k.revoked && k.type === type)) return 'changed';
  return strict ? 'unknown' : undefined;
}

export function hostKeyAlgorithms(known: readonly KnownKey[]): ServerHostKeyAlgorithm[] {
  const types = new Set(known.filter((k) => !k.revoked).map((k) => k.type));
  const order: [string, ServerHostKeyAlgorithm[]][] = [
    ['ssh-ed25519', ['ssh-ed25519']],
    ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
    ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
    ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
    ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
  ];
  return order.filter(([t]) => types.has(t)).flatMap(([, algos]) => algos);
}
