// Running many scripts: N at a time, each in its own namespace; shards for CI
// matrices; every script in each address family with --ip_version=all.

import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { discardSpareSandbox, runScriptFile, type RunOptions, type RunResult } from './runner.js';

export type IpVersion = 'ipv4' | 'ipv6' | 'ipv4-mapped-ipv6';
export const ALL_IP_VERSIONS: readonly IpVersion[] = ['ipv4', 'ipv6', 'ipv4-mapped-ipv6'];

export interface CorpusJob {
  file: string;
  /** Set when the corpus runs in several families: the family of this run. */
  ipVersion?: IpVersion;
}

export interface CorpusOptions extends RunOptions {
  /** Scripts at once (default: the number of cores). */
  jobs?: number;
  /** Run the i-th (1-based) of n slices: `{index: 1, count: 4}`. */
  shard?: { index: number; count: number };
  /** Run every script in each of these families (`*v4.pkt`/`*v6.pkt` only in theirs). */
  ipVersions?: readonly IpVersion[];
  /** One pcap per run in this directory. */
  pcapDir?: string;
  /** Called as each run starts and ends (progress display). */
  onStart?: (job: CorpusJob) => void;
  onResult?: (result: RunResult, job: CorpusJob) => void;
}

/** The runs a corpus makes, in order, before sharding. */
export function corpusJobs(files: readonly string[], ipVersions?: readonly IpVersion[]): CorpusJob[] {
  if (!ipVersions || ipVersions.length === 0) return files.map((file) => ({ file }));
  const jobs: CorpusJob[] = [];
  for (const file of files) {
    for (const v of ipVersions) {
      // The kernel selftests' convention: a script named for one family runs only in it.
      if (/v4\.pkt$/.test(file) && v !== 'ipv4') continue;
      if (/v6\.pkt$/.test(file) && v !== 'ipv6') continue;
      jobs.push({ file, ipVersion: v });
    }
  }
  return jobs;
}

/** The i-th of n slices, round robin so long and short scripts spread evenly. */
export function shardJobs<T>(jobs: readonly T[], shard?: { index: number; count: number }): T[] {
  if (!shard) return [...jobs];
  return jobs.filter((_, k) => k % shard.count === shard.index - 1);
}

export async function runCorpus(files: readonly string[], opts: CorpusOptions = {}): Promise<RunResult[]> {
  const jobs = shardJobs(corpusJobs(files, opts.ipVersions), opts.shard);
  const results: RunResult[] = new Array(jobs.length);
  const width = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), jobs.length));
  // With a core to spare, each next script's sandbox starts while the current one runs.
  const prestart = width < availableParallelism();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      const job = jobs[k]!;
      opts.onStart?.(job);
      const options = [...(opts.options ?? [])];
      if (job.ipVersion) options.push({ name: 'ip_version', value: job.ipVersion });
      const tag = job.ipVersion ? `-${job.ipVersion}` : '';
      const r = await runScriptFile(job.file, {
        ...opts,
        prestart: prestart && next < jobs.length,
        options,
        pcap: opts.pcap ?? (opts.pcapDir ? join(opts.pcapDir, `${basename(job.file, '.pkt')}${tag}.pcap`) : undefined),
      });
      if (job.ipVersion) r.variant = job.ipVersion;
      results[k] = r;
      opts.onResult?.(r, job);
    }
  };
  try {
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    discardSpareSandbox();
  }
  return results;
}

/** Expand directories to their .pkt files, sorted; keep files as given. */
export function collectScripts(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reported as "no such file" by the runner
      continue;
    }
    if (st.isDirectory()) {
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
          const full = join(d, e.name);
          if (e.isDirectory()) walk(full);
          else if (e.name.endsWith('.pkt')) out.push(full);
        }
      };
      walk(p);
    } else {
      out.push(p);
    }
  }
  return out;
}
