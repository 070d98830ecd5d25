import { readFileSync } from 'node:fs';
import { defineCommand } from '../defineCommand.js';

export interface VersionResult {
  readonly trove: string;
  readonly node: string;
}

/** trove's version as packaged: dist/src/cli/commands/ → the package root's package.json, in a checkout and once installed. */
export function troveVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const versionCommand = defineCommand<VersionResult>({
  name: 'version',
  summary: "print trove's version and Node's (also: trove --version)",
  examples: ['trove version', 'trove --version', 'trove version --json'],
  configure: (cmd) => cmd,
  async run() {
    return { trove: troveVersion(), node: process.versions.node };
  },
  render(out, r) {
    out.line(`trove ${r.trove}`);
    out.line(`node ${r.node}`);
  },
});
