#!/usr/bin/env node
// A reader that goes away (`pktdrill run ... | head`) is not an error.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2))).catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('pktdrill: not built yet: run `npm run build` (or `npm start` once)\n');
  } else {
    process.stderr.write(`pktdrill: internal error: ${e && e.message ? e.message : e}\n`);
  }
  process.exit(2);
});
