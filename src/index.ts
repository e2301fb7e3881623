// pktdrill as a library.
//
//   import { runScript, runCorpus } from 'pktdrill';
//   const r = await runScript('scripts-tcp/passive-open.pkt');
//   if (r.status !== 'pass') console.log(r.verdict?.failures[0]?.message);

export { runScriptFile as runScript, prepareScript, type RunOptions, type RunResult, type RunStatus } from './runner.js';
export { runCorpus, corpusJobs, shardJobs, ALL_IP_VERSIONS, type CorpusOptions, type CorpusJob, type IpVersion } from './corpus.js';
export type { Verdict, Failure, TraceEntry, PacketView } from './engine/verdict.js';
export { formatFailure, formatResult, formatSummary, formatTap, formatJunit, formatJson, formatHtml } from './report/index.js';
export { parseScript } from './script/parse.js';
export { checkScript } from './script/check.js';
export { collectScripts } from './corpus.js';
export { runProbe, writeScripts, type ProbeReport, type ProbeError, type PinnedScript } from './probe/probe.js';
export type { ProbeTarget } from './probe/script.js';
export type { Finding } from './probe/battery.js';
export { formatProbeTable } from './probe/table.js';
