import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type SilentCatches = (srcDir: string) => string[];
const checker = async (): Promise<SilentCatches> =>
  ((await import(fileURLToPath(new URL('../../../scripts/check-catches.mjs', import.meta.url)))) as { silentCatches: SilentCatches }).silentCatches;

/**
 * Catches still swallowing an error without saying why, by file and text (not line).
 * experimentSession.close drops a failed stop() of a live run at EOF: whether close should
 * report it (and serve exit non-zero) is an open decision, so it stays listed here.
 */
const KNOWN: string[] = [];

test('every catch in src/ that swallows an error says why nothing is lost (scripts/check-catches.mjs)', async () => {
  const found = (await checker())(fileURLToPath(new URL('../../../src', import.meta.url)));
  assert.deepEqual(found.map((f) => f.replace(/:\d+:/, ':')), KNOWN);
});

test('catch checker: reports silent catches, not commented, rethrowing or reporting ones', async () => {
  const root = mkdtempSync(join(tmpdir(), 'trove-catches-'));
  try {
    mkdirSync(join(root, 'store'));
    writeFileSync(
      join(root, 'store', 'a.ts'),
      [
        'export function a(): number {',
        '  try { return 1; } catch { return 0; }',
        '}',
        'export function b(): number {',
        '  try { return 1; } catch { return 0; } // absent: zero bytes',
        '}',
        'export function c(): number {',
        '  try { return 1; } catch (err) { throw err; }',
        '}',
        'export function d(): number {',
        '  try { return 1; } catch (err) { console.error(err); return 0; }',
        '}',
        'export const e = (p: Promise<void>) => p.catch(() => undefined);',
        'export const f = (p: Promise<void>) => p.catch(() => undefined); // cleanup only',
        'export const g = (p: Promise<void>) => p.catch((err) => { throw err; });',
        'export function h(): number {',
        "  // a comment above the try is enough",
        '  try { return 1; } catch { return 0; }',
        '}',
      ].join('\n'),
    );
    assert.deepEqual((await checker())(root), ['store/a.ts:2: catch { return 0; }', 'store/a.ts:13: catch(() => undefined)']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
