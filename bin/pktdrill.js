#!/usr/bin/env node
import { statSync } from 'node:fs';
// A reader that goes away (`pktdrill run ... | head`) is not an error.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
// PKTDRILL_PHASES=1: where start-up time goes (src/phases.ts, bench/wholeproc.mjs).
if (process.env.PKTDRILL_PHASES === '1') {
  import('../dist/phases.js').then(({ marks, childUsage }) => {
    process.on('exit', () => {
      marks.push(['parent: exit', performance.timeOrigin + performance.now()]);
      const t0 = marks[0][1];
      const cpu = process.cpuUsage();
      const usage = { parent: { maxRssKb: process.resourceUsage().maxRSS, cpuUs: cpu.user + cpu.system }, children: childUsage };
      process.stderr.write(`phases: ${JSON.stringify({ marks: marks.map(([what, t]) => [what, Math.round((t - t0) * 100) / 100]), usage })}\n`);
    });
  });
}
// The bundled CLI (one file: a faster start, see bootstrap.mjs) when it is
// not older than the compiled modules; else those.
const cli = (() => {
  const at = (p) => {
    try {
      return statSync(new URL(p, import.meta.url)).mtimeMs;
    } catch {
      return -1;
    }
  };
  return process.env.PKTDRILL_NO_BUNDLE !== '1' && at('../dist/bundle/cli.js') >= at('../dist/cli.js') ? '../dist/bundle/cli.js' : '../dist/cli.js';
})();
// `run`: the first script's sandbox starts now, while the CLI loads and
// checks the script (src/sandbox/spawn.ts, startEarlySandbox).
const argv = process.argv.slice(2);
if (argv[0] === 'run' && !argv.some((a) => a === '--dry_run' || a === '-h' || a === '--help') && process.env.PKTDRILL_NO_PRESTART !== '1') {
  try {
    (await import('../dist/sandbox/spawn.js')).startEarlySandbox();
  } catch {
    // not built yet: the import of the CLI below says so
  }
}
import(cli).then(async (m) => {
  if (process.env.PKTDRILL_PHASES === '1') (await import('../dist/phases.js')).mark('parent: cli loaded');
  return m.main(process.argv.slice(2));
}).catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('pktdrill: not built yet: run `npm run build` (or `npm start` once)\n');
  } else {
    process.stderr.write(`pktdrill: internal error: ${e && e.message ? e.message : e}\n`);
  }
  process.exit(2);
});
