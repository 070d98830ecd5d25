import { createInterface } from 'node:readline';
import { ExpProtocol, type ProtocolOptions } from '../../api/expProtocol.js';

/**
 * The stdin/stdout loop of `trove exp serve`: one request per line in, one
 * reply per line out, in order; log and progress lines on stderr only. EOF
 * stops every live run ("stopped"); SIGTERM/SIGINT do the same.
 */
export async function serveProtocol(options: Omit<ProtocolOptions, 'progress'>): Promise<void> {
  const protocol = new ExpProtocol({ ...options, progress: (text) => void process.stderr.write(text + '\n') });
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  let closing = false;
  const onSignal = (): void => {
    if (closing) return;
    closing = true;
    rl.close();
  };
  // Ctrl-C reaches the whole process group: the script handles it (and may still call stop()),
  // so serve keeps serving and ends at EOF. SIGTERM ends serve as EOF does.
  const ignore = (): void => undefined;
  process.once('SIGTERM', onSignal);
  process.on('SIGINT', ignore);
  // Lines are handled one at a time, in order (a checkpoint's reply comes once its data is stored).
  let chain: Promise<void> = Promise.resolve();
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    chain = chain.then(async () => {
      const reply = await protocol.handleLine(line);
      await new Promise<void>((res) => (process.stdout.write(reply) ? res() : process.stdout.once('drain', () => res())));
    });
  });
  await new Promise<void>((res) => rl.once('close', () => res()));
  await chain;
  await protocol.close();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', ignore);
  // An upload still retrying against a remote that is down must not keep serve alive after its
  // runs stopped (what it had not sent is marked for trove exp push): exit once the reply is out.
  setTimeout(() => process.exit(), 200).unref();
}
