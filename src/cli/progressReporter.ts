import type cliProgressModule from 'cli-progress';
import type { Reporter } from '../core/Reporter.js';
import { humanBytes } from '../util/humanBytes.js';

type CliProgress = typeof cliProgressModule;

/**
 * Progress bars on stderr, only when stderr is a terminal and not -q/--json
 * (so logs and CI output stay clean). Short tasks never draw: the bar appears
 * after 300 ms.
 */
export async function createProgressReporter(options: { enabled: boolean; warn: (msg: string) => void }): Promise<Reporter> {
  // Loaded only when a bar can be drawn: most runs (pipes, CI, -q, --json) never pay for it.
  const cliProgress: CliProgress | undefined = options.enabled ? (await import('cli-progress')).default : undefined;
  let bar: InstanceType<CliProgress['SingleBar']> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = 0;
  let state: { task: string; total: number | undefined; unit: 'files' | 'bytes' } | undefined;
  const fmt = (n: number): string => (state?.unit === 'bytes' ? humanBytes(n) : String(n));
  const reporter: Reporter = {
    start(task, total, unit) {
      reporter.end();
      if (!cliProgress) return;
      state = { task, total, unit };
      done = 0;
      timer = setTimeout(() => {
        bar = new cliProgress!.SingleBar(
          { stream: process.stderr, hideCursor: true, clearOnComplete: true, format: (_o, params) => `${state!.task} [${'#'.repeat(Math.round(params.progress * 30)).padEnd(30, '.')}] ${fmt(params.value)}/${fmt(params.total)}` },
          cliProgress!.Presets.shades_classic,
        );
        bar.start(total ?? 0, done);
      }, 300);
      timer.unref();
    },
    advance(n) {
      done += n;
      bar?.update(done);
    },
    end() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      bar?.stop();
      bar = undefined;
    },
    warn(message) {
      options.warn(message);
    },
  };
  return reporter;
}
