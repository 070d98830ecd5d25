import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Real file-system faults (full, read-only) need a tmpfs mount, which needs root (CI and dev machines here run as root). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const d = mkdtempSync(join(tmpdir(), 'trove-mnt-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d]).status === 0;
  if (ok) spawnSync('umount', [d]);
  rmSync(d, { recursive: true, force: true });
  return ok;
}
export const CAN_MOUNT = canMount();
export const MOUNT_REASON = 'needs root and tmpfs mounts to create a real full or read-only file system';

/** Run `fn` with a fresh tmpfs mounted with `options` (e.g. "size=4m", "ro,size=1m"), unmounted afterwards. */
export function withTmpfs(options: string, fn: (dir: string) => void): void {
  const d = mkdtempSync(join(tmpdir(), 'trove-mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', d]);
  try {
    fn(d);
  } finally {
    spawnSync('umount', ['-l', d]);
    rmSync(d, { recursive: true, force: true });
  }
}
