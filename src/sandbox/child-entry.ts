// Entry point of the script's process inside the sandbox: node child-entry.js '<job json>'
import { childMain, type ChildJob } from './child.js';
import { call, nativeAvailable } from '../syscalls/index.js';

/** Leave at once: Node's exit would wait for a pool thread stuck in a blocking call. */
function leave(code: number): never {
  if (nativeAvailable()) call('_exit', code);
  process.exit(code);
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
childMain(job).then(
  () => leave(0),
  (e) => {
    process.stderr.write(`pktdrill child: ${(e as Error).stack ?? e}\n`);
    leave(3);
  },
);
