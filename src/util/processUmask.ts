let umask: number | undefined;

/** The process umask, read once (reading it is not available in worker threads: assume the strictest there). */
export function processUmask(): number {
  if (umask === undefined) {
    try {
      umask = process.umask();
    } catch {
      // process.umask() throws in worker threads; assuming the strictest umask only adds a chmod
      umask = 0o777;
    }
  }
  return umask;
}
