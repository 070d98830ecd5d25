import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { backendContract } from './backendContract.js';

const base = mkdtempSync(join(tmpdir(), 'trove-dirremote-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

backendContract({
  name: 'directory',
  async open() {
    return new DirectoryBackend(join(base, `r${n++}`), 'test');
  },
});
