#!/usr/bin/env node
// What the S3 server of the benchmark (moto_server) can take and give, with
// no trove in the way: 1 GiB as 16 objects of 64 MiB through the AWS SDK,
// 8 requests at a time, the way trove moves W1's packs. This is the floor
// under every S3 figure in docs/benchmarks.md: no client can push or pull
// W1 through this server faster than these numbers.
//
//   node bench/s3-floor.mjs            # single PUTs, 5 MiB multipart, whole GETs, 8 MiB ranged GETs
//
// Not a test: it prints times and leaves nothing behind (moto keeps objects
// in memory or in a temp dir under /dev/shm, removed at the end).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { S3Client, PutObjectCommand, CreateBucketCommand, GetObjectCommand } = await import('@aws-sdk/client-s3');
const { Upload } = await import('@aws-sdk/lib-storage');

const MiB = 1024 * 1024;
const OBJECTS = 16;
const SIZE = 64 * MiB;
const JOBS = 8;

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const spool = mkdtempSync('/dev/shm/trove-s3-floor-');
const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: { ...process.env, TMPDIR: spool } });
moto.on('error', (err) => {
  console.error(`moto_server could not start: ${err.message}`);
  process.exit(1);
});
const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'floor', secretAccessKey: 'floor' }, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
try {
  for (let i = 0; ; i++) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'floor' }));
      break;
    } catch (err) {
      if (i > 100) throw err;
      await sleep(100);
    }
  }
  const data = randomBytes(SIZE);
  const run = async (name, n, fn) => {
    const t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: JOBS }, async () => {
      while (next < n) await fn(next++);
    }));
    const s = (performance.now() - t) / 1000;
    console.log(`${name.padEnd(44)} ${s.toFixed(2).padStart(6)} s  ${((OBJECTS * SIZE) / MiB / s).toFixed(0).padStart(5)} MiB/s`);
  };
  console.log(`moto_server on 127.0.0.1:${port}; 1 GiB = ${OBJECTS} objects of ${SIZE / MiB} MiB, ${JOBS} requests at a time`);
  await run('PUT, one request per object', OBJECTS, (k) => client.send(new PutObjectCommand({ Bucket: 'floor', Key: `single/${k}`, Body: data, ContentLength: SIZE })));
  await run('PUT, multipart in 5 MiB parts', OBJECTS, (k) => new Upload({ client, params: { Bucket: 'floor', Key: `parts/${k}`, Body: data, ContentLength: SIZE }, partSize: 5 * MiB, queueSize: 1 }).done());
  const drain = async (res) => {
    let n = 0;
    for await (const part of res.Body) n += part.length;
    return n;
  };
  await run('GET, whole objects', OBJECTS, async (k) => drain(await client.send(new GetObjectCommand({ Bucket: 'floor', Key: `single/${k}` }))));
  const per = SIZE / (8 * MiB);
  await run('GET, 8 MiB ranges', OBJECTS * per, async (k) => {
    const start = (k % per) * 8 * MiB;
    return drain(await client.send(new GetObjectCommand({ Bucket: 'floor', Key: `single/${Math.floor(k / per)}`, Range: `bytes=${start}-${start + 8 * MiB - 1}` })));
  });
} finally {
  client.destroy();
  moto.kill('SIGKILL');
  rmSync(spool, { recursive: true, force: true });
}
