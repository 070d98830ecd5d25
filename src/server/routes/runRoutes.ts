import type { Context, Hono } from 'hono';
import { compareRuns } from '../../api/compareRuns.js';
import { openRunFile, runFiles } from '../../api/runFiles.js';
import { runDetail } from '../../api/runDetail.js';
import { encodeFloats } from '../../core/jsonFloats.js';
import { TroveError } from '../../errors/index.js';
import { jsonRoute } from '../jsonRoute.js';
import type { UiContext } from '../UiContext.js';
import type { CompareResponse, RunDetailResponse, RunFilesResponse } from '../types/runTypes.js';

/** JSON with NaN/±Infinity as {"$float"} (c.json would make them null, and a NaN loss is news). */
function json<T>(c: Context, body: T): Response {
  return c.body(JSON.stringify(encodeFloats(body)), 200, { 'Content-Type': 'application/json; charset=utf-8' });
}

/**
 * One run's page, its files and runs side by side, read through api/
 * (runDetail, runFiles, openRunFile, compareRuns). The plots page reads
 * /api/runs (runsRoutes).
 */
export function runRoutes(app: Hono, ctx: UiContext): void {
  jsonRoute(app, ctx, '/api/run/:id', async (c) => {
    const body: RunDetailResponse = await runDetail(ctx.repo, { id: c.req.param('id') });
    return body;
  }, json);

  jsonRoute(app, ctx, '/api/run/:id/files', async (c) => {
    const checkpoint = c.req.query('checkpoint');
    const body: RunFilesResponse = await runFiles(ctx.repo, { id: c.req.param('id'), ...(checkpoint ? { checkpoint } : {}) });
    return body;
  }, json);

  app.get('/api/run/:id/file', async (c) => {
    try {
      const checkpoint = c.req.query('checkpoint');
      const path = c.req.query('path');
      if (path === undefined || path === '') throw new TroveError('USAGE', 'Which file? The request names no path.', { hint: 'Pass ?path=FILE as the files list gives it.' });
      // openRunFile checks the path before it looks anything up, and finds the content before a byte is sent.
      const file = await openRunFile(ctx.repo, { id: c.req.param('id'), path, ...(checkpoint ? { checkpoint } : {}) });
      c.header('Content-Type', 'application/octet-stream');
      c.header('Content-Length', String(file.size));
      c.header('Content-Disposition', contentDisposition(file.name));
      c.header('X-Trove-Oid', file.oid);
      return c.body(toReadable(file.chunks));
    } catch (err) {
      return ctx.fail(c, err);
    }
  });

  jsonRoute(app, ctx, '/api/compare', async (c) => {
    const ids = (c.req.query('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const body: CompareResponse = await compareRuns(ctx.repo, { ids });
    return body;
  }, json);
}

/** `attachment; filename="…"; filename*=UTF-8''…` (a quote, backslash or control character never reaches the header). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The file's pieces as a web stream pulled by the response (backpressure: a
 * slow client never makes the server hold a whole model). An error after the
 * headers (a corrupt object found at the end) errors the stream, and the
 * server then cuts the connection: the browser reports a failed download
 * instead of saving wrong bytes.
 */
function toReadable(chunks: AsyncIterable<Buffer>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      try {
        const r = await it.next();
        if (r.done) ctl.close();
        else ctl.enqueue(new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength));
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : new Error(String(err)));
        ctl.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
}
