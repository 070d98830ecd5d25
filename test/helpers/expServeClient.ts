import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN } from './tmpRepo.js';

/** A `trove exp serve` child and a request/reply client over its stdin/stdout (test helper). */
export class ServeClient {
  readonly child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: any) => void>();
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, 'exp', 'serve', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line);
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    this.exited = new Promise((res) => this.child.on('exit', (code) => res(code)));
  }

  /** Send a request (the raw JSON text, so tests can send {"$float"} and bad lines); resolves with the reply. */
  request(body: Record<string, unknown>): Promise<any> {
    const id = this.nextId++;
    return new Promise((res) => {
      this.waiting.set(id, res);
      this.child.stdin.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  /** Send without waiting (for kill tests). */
  send(body: Record<string, unknown>): void {
    this.child.stdin.write(JSON.stringify({ id: this.nextId++, ...body }) + '\n');
  }

  async ok(body: Record<string, unknown>): Promise<any> {
    const r = await this.request(body);
    if (!r.ok) throw new Error(`request ${JSON.stringify(body)} failed: ${JSON.stringify(r.error)}`);
    return r.result;
  }

  end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
