/**
 * Does a process with this id exist on this host? Signal 0 checks without
 * sending anything; EPERM means it exists under another user. A pid that is
 * not a positive whole number (a garbled lock or temp name) counts as alive:
 * what we cannot read, we never take for dead and remove.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
