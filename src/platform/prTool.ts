import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Opening a pull request (GitHub, `gh`) or merge request (GitLab, `glab`) for
 * a branch already pushed. trove never talks to a forge's API itself: the
 * user's own CLI holds the login, the host and the enterprise settings. When
 * neither is installed and logged in, the caller gets the exact command to
 * run by hand instead (the promotion itself is complete by then).
 */
export type PrToolName = 'gh' | 'glab';

export interface PrRequest {
  /** the branch the change is proposed against */
  readonly base: string;
  /** the pushed branch holding the change */
  readonly head: string;
  readonly title: string;
  /** a file holding the body (kept, so the printed command works by hand) */
  readonly bodyFile: string;
  /** the body text (glab takes it inline) */
  readonly body: string;
  readonly draft?: boolean;
  /** the repository's work tree: gh and glab find the forge from its remotes */
  readonly cwd: string;
  /** which tool first (e.g. glab for a gitlab remote); the other is tried when the first is not installed */
  readonly prefer?: PrToolName;
  /** false: do not run anything, only build the command (`--no-pr`) */
  readonly open?: boolean;
}

export interface PrOutcome {
  readonly opened: boolean;
  readonly tool: PrToolName;
  readonly url?: string;
  /** why it was not opened: 'disabled' | 'no-tool' | 'not-authenticated' | 'failed: …' */
  readonly reason?: string;
  /** the exact line to run by hand (also when it was opened: what was run) */
  readonly command: string;
}

/** What prTool needs from the machine (injected so tests need no real gh). */
export interface PrToolIo {
  readonly env: NodeJS.ProcessEnv;
  run(file: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

export const defaultPrToolIo: PrToolIo = {
  env: process.env,
  run(file, args, cwd) {
    return new Promise((resolve) => {
      execFile(file, [...args], { cwd, encoding: 'utf8', env: { ...process.env, GH_PROMPT_DISABLED: '1', NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') });
      });
    });
  },
};

/** The argv of the create command for `tool` (without the program name). */
export function prCreateArgs(tool: PrToolName, req: Pick<PrRequest, 'base' | 'head' | 'title' | 'body' | 'bodyFile' | 'draft'>): string[] {
  if (tool === 'gh') return ['pr', 'create', '--base', req.base, '--head', req.head, '--title', req.title, '--body-file', req.bodyFile, ...(req.draft ? ['--draft'] : [])];
  return ['mr', 'create', '--source-branch', req.head, '--target-branch', req.base, '--title', req.title, '--description', req.body, '--yes', ...(req.draft ? ['--draft'] : [])];
}

/** The command line a user can paste into a POSIX shell (glab's description is read from the body file). */
export function prCommandLine(tool: PrToolName, req: Pick<PrRequest, 'base' | 'head' | 'title' | 'body' | 'bodyFile' | 'draft'>): string {
  const args = prCreateArgs(tool, req).map(shellQuote);
  if (tool === 'glab') {
    const i = args.indexOf('--description');
    args[i + 1] = `"$(cat ${shellQuote(req.bodyFile)})"`;
  }
  return [tool, ...args].join(' ');
}

/** The executable `name` on PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = join(dir, name + ext);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

/**
 * Open the pull request with the first installed tool, if it is logged in.
 * Never throws for a missing or logged-out tool: the outcome says why and
 * carries the command to run by hand.
 */
export async function openPullRequest(req: PrRequest, io: PrToolIo = defaultPrToolIo): Promise<PrOutcome> {
  const order: PrToolName[] = req.prefer === 'glab' ? ['glab', 'gh'] : ['gh', 'glab'];
  const found = order.map((tool) => ({ tool, file: findOnPath(tool, io.env) })).find((t) => t.file !== undefined);
  const tool = found?.tool ?? order[0]!;
  const command = prCommandLine(tool, req);
  if (req.open === false) return { opened: false, tool, reason: 'disabled', command };
  if (!found) return { opened: false, tool, reason: 'no-tool', command };
  const auth = await io.run(found.file!, ['auth', 'status'], req.cwd);
  if (auth.code !== 0) return { opened: false, tool, reason: 'not-authenticated', command };
  const res = await io.run(found.file!, prCreateArgs(tool, req), req.cwd);
  if (res.code !== 0) {
    const why = (res.stderr.trim() || res.stdout.trim() || `exit code ${res.code}`).split('\n')[0]!;
    return { opened: false, tool, reason: `failed: ${why}`, command };
  }
  const url = /https?:\/\/\S+/.exec(res.stdout.split('\n').reverse().find((l) => /https?:\/\//.test(l)) ?? '')?.[0];
  return { opened: true, tool, ...(url ? { url } : {}), command };
}

/** One word for a POSIX shell: bare when it is plain, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9._\/@%+=:,#-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
