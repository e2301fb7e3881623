// Entry point of the script's process inside the sandbox: node child-entry.js '<job json>'
import { childMain, type ChildJob } from './child.js';

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
childMain(job).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`pktdrill child: ${(e as Error).stack ?? e}\n`);
    process.exit(3);
  },
);
