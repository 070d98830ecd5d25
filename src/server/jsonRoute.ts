import type { Context, Hono } from 'hono';
import type { UiContext } from './UiContext.js';

/**
 * `GET path` answering with the JSON of what `handler` returns, or, when it
 * throws, with `ctx.fail` (the error's code as HTTP status). `send` writes the
 * body (default `c.json`; the run routes pass one that keeps NaN/±Infinity).
 * Routes that stream a file, a CSV or server-sent events keep their own shape.
 */
export function jsonRoute<P extends string>(
  app: Hono,
  ctx: UiContext,
  path: P,
  handler: (c: Context<any, P>) => Promise<unknown>,
  send: (c: Context, body: unknown) => Response = (c, body) => c.json(body),
): void {
  app.get(path, async (c) => {
    try {
      return send(c, await handler(c));
    } catch (err) {
      return ctx.fail(c, err);
    }
  });
}
