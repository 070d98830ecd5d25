/**
 * `hook NAME -- ARGS...` exactly as the scripts written by `trove install`
 * call it (no options; a hook name is a plain word), or undefined for
 * anything else, which goes through the full argument parser as usual.
 */
export function hookFastPath(argv: readonly string[]): { name: string; args: string[] } | undefined {
  if (argv[0] !== 'hook' || argv.length < 3 || argv[2] !== '--' || !/^[a-z][a-z-]*$/.test(argv[1] ?? '')) return undefined;
  return { name: argv[1]!, args: argv.slice(3) };
}
