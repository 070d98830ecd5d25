/**
 * The Git hook scripts `trove install` writes, and how to recognise them.
 *
 * A script is a call into `trove hook NAME`, so what a hook does changes with
 * trove itself and upgrades need no reinstall. The marker line carries a
 * version: `trove install` rewrites a script whose text differs from what it
 * would write now (an older trove's), and only ever rewrites or removes files
 * that carry the marker (git-lfs's rule: replace only hook bodies we wrote).
 *
 * A hook that was already there is moved aside to `NAME.pre-trove` and the
 * script runs it first, with the same arguments and the same stdin, keeping
 * its exit status: a failing foreign pre-commit or pre-push still stops Git,
 * and a failing foreign post-* hook still makes the Git command report failure.
 */
export const HOOK_NAMES = ['pre-commit', 'post-checkout', 'post-merge', 'post-rewrite', 'pre-push'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const HOOK_SCRIPT_VERSION = 1;
/** suffix of a hook that was there before trove's and is now run by it */
export const CHAINED_SUFFIX = '.pre-trove';

const MARKER = '# trove-hook';

/** Hooks that Git feeds on stdin (pre-push: the refs; post-rewrite: old/new commit pairs). */
const STDIN_HOOKS: ReadonlySet<HookName> = new Set(['pre-push', 'post-rewrite']);
/** Hooks whose failure stops the Git command. */
const BLOCKING_HOOKS: ReadonlySet<HookName> = new Set(['pre-commit', 'pre-push']);

export function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

export interface HookScriptOptions {
  /** run `NAME.pre-trove` first (a hook that was there before) */
  readonly chain: boolean;
  /**
   * exit silently where there is no `.trove/config.yaml`: for hooks that run in
   * every repository (a template directory, a hooks path shared by all repositories)
   */
  readonly quietOutsideTrove: boolean;
}

/** The whole hook script for `name`. */
export function renderHookScript(name: HookName, options: HookScriptOptions): string {
  const lines = ['#!/bin/sh', `${MARKER} ${HOOK_SCRIPT_VERSION}: written by \`trove install\`; \`trove uninstall\` removes it${options.chain ? ` and puts back ${name}${CHAINED_SUFFIX}` : ''}. See docs/hooks.md.`];
  if (options.quietOutsideTrove) lines.push('[ -f .trove/config.yaml ] || exit 0');
  if (!options.chain) {
    lines.push(`command -v trove >/dev/null 2>&1 || { ${missingTrove(name, '0')} }`);
    lines.push(`exec trove hook ${name} -- "$@"`);
    return lines.join('\n') + '\n';
  }
  const stdin = STDIN_HOOKS.has(name);
  lines.push(`# The hook that was here before trove's; it runs first, with the same arguments${stdin ? ' and stdin' : ''}.`);
  lines.push(`prev="$(dirname -- "$0")/${name}${CHAINED_SUFFIX}"`);
  if (stdin) {
    lines.push('input=$(cat)');
    lines.push(`feed() { [ -z "$input" ] || printf '%s\\n' "$input"; }`);
  }
  const feed = stdin ? 'feed | ' : '';
  lines.push('status=0');
  lines.push(`if [ -x "$prev" ]; then ${feed}"$prev" "$@"; status=$?; fi`);
  if (BLOCKING_HOOKS.has(name)) lines.push('[ "$status" -eq 0 ] || exit "$status"');
  lines.push(`command -v trove >/dev/null 2>&1 || { ${missingTrove(name, '"$status"')} }`);
  lines.push(`${feed}trove hook ${name} -- "$@" || exit $?`);
  lines.push('exit "$status"');
  return lines.join('\n') + '\n';
}

/**
 * What a hook does when `trove` is not on PATH: say so in one line and let Git
 * go on, except pre-push in a trove repository, which stops the push (its data
 * could not be sent) unless TROVE_SKIP_PUSH=1.
 */
function missingTrove(name: HookName, exit: string): string {
  const skipped = `echo >&2 "trove: not found on PATH, so its ${name} hook did nothing (install trove, or run trove uninstall)"; exit ${exit};`;
  if (name !== 'pre-push') return skipped;
  return `if [ -f .trove/config.yaml ] && [ "$TROVE_SKIP_PUSH" != 1 ]; then echo >&2 "trove: not found on PATH, so the data of this push cannot be sent; install trove, or push without the data: TROVE_SKIP_PUSH=1 git push (or git push --no-verify)"; exit 1; fi; ${skipped}`;
}

/** The one line to put in a hook file managed by another tool (husky), guarded like our own scripts. */
export function hookCallLine(name: HookName): string {
  const absent = name === 'pre-push' ? `echo >&2 "trove: not found on PATH, so the data of this push cannot be sent (TROVE_SKIP_PUSH=1 git push skips it)"; [ "$TROVE_SKIP_PUSH" = 1 ]` : `echo >&2 "trove: not found on PATH, so its ${name} hook did nothing"`;
  return `if command -v trove >/dev/null 2>&1; then trove hook ${name} -- "$@"; else ${absent}; fi`;
}

/** Lines for `.pre-commit-config.yaml` (the pre-commit framework), one local hook per Git hook. */
export function preCommitConfigLines(): string[] {
  const out = ['default_install_hook_types: [pre-commit, post-checkout, post-merge, post-rewrite, pre-push]', 'repos:', '  - repo: local', '    hooks:'];
  for (const name of HOOK_NAMES) {
    out.push(`      - id: trove-${name}`, `        name: trove ${name}`, `        entry: trove hook ${name}`, '        language: system', '        pass_filenames: false', '        always_run: true', `        stages: [${name}]`);
  }
  return out;
}

/** Is this hook file one trove wrote, and of which script version? */
export function parseHookScript(text: string): { readonly trove: boolean; readonly version?: number } {
  const m = /^# trove-hook (\d+)\b/m.exec(text.slice(0, 4096));
  return m ? { trove: true, version: Number(m[1]) } : { trove: false };
}
