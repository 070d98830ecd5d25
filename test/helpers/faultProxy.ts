import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does to one client connection:
 *   stall      forward the request, swallow the answer, keep the socket open (a silent server)
 *   reset      forward, then cut the connection after part of the answer (a drop mid-body)
 *   503        answer "503 Slow Down" with Retry-After itself, then close
 *   flip       forward, with one bit flipped in the answer's body (past its headers)
 *   truncate   forward, then close after 60% of a long answer
 *   upload-drop  cut the connection after 64 KiB of the request (a drop mid-upload)
 */
export type ProxyFault = 'stall' | 'reset' | '503' | 'flip' | 'truncate' | 'upload-drop';

export interface FaultProxy {
  readonly endpoint: string;
  /** faults injected so far, by kind */
  readonly injected: Record<ProxyFault, number>;
  connections: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (moto) that breaks
 * chosen connections the way networks do. `plan(n)` picks the n-th
 * connection's fault; it applies to the first answer on it, and later answers
 * on a kept-alive connection pass through untouched. Which connection carries
 * which request is the client's choice, so faults aimed at bodies can also be
 * given as budgets: `uploadDrops` cuts that many connections once they have
 * sent 64 KiB, `bodyFaults` are applied in turn to connections whose first
 * answer is a long body. It speaks no HTTP beyond finding the end of the
 * response headers, so what the client sees is exactly what a broken network
 * or server would give it.
 */
export async function startFaultProxy(upstream: string, plan: (n: number) => ProxyFault | undefined, budgets: { uploadDrops?: number; bodyFaults?: ProxyFault[] } = {}): Promise<FaultProxy> {
  let uploadDrops = budgets.uploadDrops ?? 0;
  const bodyFaults = [...(budgets.bodyFaults ?? [])];
  const { hostname, port } = new URL(upstream);
  const injected: Record<ProxyFault, number> = { stall: 0, reset: 0, '503': 0, flip: 0, truncate: 0, 'upload-drop': 0 };
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = { endpoint: '', injected, connections: 0, close: async () => undefined };
  const server: Server = createServer((client) => {
    let fault = plan(proxy.connections++);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (fault === '503') {
      client.once('data', () => {
        injected['503']++;
        client.end('HTTP/1.1 503 Slow Down\r\nRetry-After: 1\r\nContent-Type: application/xml\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
      return;
    }
    const up = connect(Number(port), hostname);
    sockets.add(up);
    up.on('close', () => {
      sockets.delete(up);
      if (fault !== 'stall') client.destroy();
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (fault === undefined && uploadDrops > 0 && sent > 64 * 1024) {
        uploadDrops--;
        fault = 'upload-drop';
      }
      if (fault === 'upload-drop' && sent > 64 * 1024) {
        if (sent - chunk.length <= 64 * 1024) injected['upload-drop']++;
        client.resetAndDestroy();
        up.destroy();
        return;
      }
      up.write(chunk);
    });
    let armed = (fault !== undefined && fault !== 'upload-drop') || (fault === undefined && bodyFaults.length > 0);
    let seen = 0;
    let headerEnd = -1;
    let head = Buffer.alloc(0);
    up.on('data', (chunk: Buffer) => {
      if (!armed) return void client.write(chunk);
      if (fault === 'stall') {
        injected.stall += seen === 0 ? 1 : 0;
        seen += chunk.length;
        return; // swallowed: the client hears nothing, and nothing closes
      }
      if (headerEnd < 0) {
        head = Buffer.concat([head, chunk]);
        const i = head.indexOf('\r\n\r\n');
        if (i < 0) return;
        headerEnd = i + 4;
        const length = Number(/content-length:\s*(\d+)/i.exec(head.subarray(0, i).toString('latin1'))?.[1] ?? 0);
        chunk = head;
        // Small answers (errors, listings, HEAD) pass: the faults aim at bodies.
        if (length < 4096) {
          armed = false;
          return void client.write(chunk);
        }
        if (fault === undefined) fault = bodyFaults.shift();
        if (fault === undefined) {
          armed = false;
          return void client.write(chunk);
        }
        if (fault === 'reset' || fault === 'truncate') {
          const cut = headerEnd + Math.floor(length * (fault === 'reset' ? 0.3 : 0.6));
          injected[fault]++;
          armed = false;
          client.write(chunk.subarray(0, Math.min(cut, chunk.length)), () => (fault === 'reset' ? client.resetAndDestroy() : client.destroy()));
          up.destroy();
          return;
        }
        if (fault === 'flip' && chunk.length > headerEnd + 100) {
          chunk = Buffer.from(chunk);
          chunk[headerEnd + 100]! ^= 0x04;
          injected.flip++;
          armed = false;
        }
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('proxy did not bind');
  Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
