// Entry point of the script's process inside the sandbox: node child-entry.js '<job json>'
import { readSync } from 'node:fs';
import { childMain, type ChildJob } from './child.js';
import { call, nativeAvailable } from '../syscalls/index.js';

/** Leave at once: Node's exit would wait for a pool thread stuck in a blocking call. */
function leave(code: number): never {
  if (nativeAvailable()) call('_exit', code);
  process.exit(code);
}

/** The job: the first argument, or (a sandbox started ahead of its turn) one line on stdin. */
function readJob(): ChildJob {
  if (process.argv[2] !== undefined) return JSON.parse(process.argv[2]) as ChildJob;
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      // A non-blocking pipe: wait a moment rather than spin.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf.subarray(0, n).includes(10)) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split('\n', 1)[0]!;
  // No job (pktdrill ended before this sandbox's turn): nothing to do.
  if (line.trim() === '') leave(0);
  return JSON.parse(line) as ChildJob;
}

const job = readJob();
childMain(job).then(
  () => leave(0),
  (e) => {
    process.stderr.write(`pktdrill child: ${(e as Error).stack ?? e}\n`);
    leave(3);
  },
);
