import cliProgress from 'cli-progress';
import type { Reporter } from '../core/Reporter.js';
import { humanBytes } from '../util/humanBytes.js';

/**
 * Progress bars on stderr, only when stderr is a terminal and not -q/--json
 * (so logs and CI output stay clean). Short tasks never draw: the bar appears
 * after 300 ms.
 */
export function createProgressReporter(options: { enabled: boolean; warn: (msg: string) => void }): Reporter {
  let bar: cliProgress.SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = 0;
  let state: { task: string; total: number | undefined; unit: 'files' | 'bytes' } | undefined;
  const fmt = (n: number): string => (state?.unit === 'bytes' ? humanBytes(n) : String(n));
  return {
    start(task, total, unit) {
      this.end();
      if (!options.enabled) return;
      state = { task, total, unit };
      done = 0;
      timer = setTimeout(() => {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, hideCursor: true, clearOnComplete: true, format: (_o, params) => `${state!.task} [${'#'.repeat(Math.round(params.progress * 30)).padEnd(30, '.')}] ${fmt(params.value)}/${fmt(params.total)}` },
          cliProgress.Presets.shades_classic,
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
}
