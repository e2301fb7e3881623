// `pktdrill probe --server CMD [--port N] [--sysctl k=v]... [--quick]
//                 [--write-scripts DIR] [--json F] [--html F] [--svg F]`
//
// Exit status: 0 every measurement ran (or was not applicable), 1 one of
// its scripts failed, 2 bad input or a server that cannot be probed.

import { writeFileSync } from 'node:fs';
import { runProbe, writeScripts } from './probe.js';
import { formatProbeTable } from './table.js';
import { formatProbeHtml, formatProbeJson, formatProbeSvg } from './report.js';

export const PROBE_USAGE = `       pktdrill probe --server CMD [--port N] [--sysctl NAME=VALUE]... [--quick]
                      [--write-scripts DIR] [--json FILE] [--html FILE] [--svg FILE]`;

interface ProbeArgs {
  server: string;
  port: number;
  sysctls: string[];
  quick: boolean;
  writeScripts: string | null;
  json: string | null;
  html: string | null;
  svg: string | null;
}

function parseProbeArgs(argv: string[]): ProbeArgs | string {
  const a: ProbeArgs = { server: '', port: 8080, sysctls: [], quick: false, writeScripts: null, json: null, html: null, svg: null };
  let server: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') {
      a.quick = true;
      continue;
    }
    const m = /^(--server|--port|--sysctl|--write-scripts|--json|--html|--svg)(?:=(.*))?$/s.exec(arg);
    if (!m) return arg.startsWith('-') ? `unknown probe option ${arg}` : `probe takes no file ('${arg}'); the server is --server CMD`;
    const v = m[2] ?? argv[++i];
    if (v === undefined || v === '') return `${m[1]} needs a value`;
    switch (m[1]) {
      case '--server':
        server = v;
        break;
      case '--port':
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) return `--port takes a TCP port 1-65535, got '${v}'`;
        a.port = Number(v);
        break;
      case '--sysctl':
        if (!/^net\.[A-Za-z0-9_.]+=\S.*$/.test(v)) return `--sysctl takes net.NAME=VALUE (a sysctl of the probe's network namespace), got '${v}'`;
        a.sysctls.push(v);
        break;
      case '--write-scripts':
        a.writeScripts = v;
        break;
      case '--json':
        a.json = v;
        break;
      case '--html':
        a.html = v;
        break;
      case '--svg':
        a.svg = v;
        break;
    }
  }
  if (server === null) return "probe needs --server CMD, e.g. --server 'python3 -m http.server 8080 --bind 192.168.0.1'";
  if (!server.trim()) return '--server needs a command';
  a.server = server;
  return a;
}

function write(path: string, text: string): boolean {
  try {
    writeFileSync(path, text);
    return true;
  } catch (e) {
    process.stderr.write(`pktdrill: cannot write ${path}: ${(e as Error).message}\n`);
    return false;
  }
}

export async function probeCommand(argv: string[]): Promise<number> {
  const a = parseProbeArgs(argv);
  if (typeof a === 'string') {
    process.stderr.write(`pktdrill: ${a} (pktdrill --help for usage)\n`);
    return 2;
  }
  const target = { server: a.server, port: a.port, localIp: '192.168.0.1', sysctls: a.sysctls, cwd: process.cwd() };
  const r = await runProbe(target, { quick: a.quick });
  if (!r.ok) {
    process.stderr.write(r.error.error + '\n');
    if (r.error.detail) process.stderr.write(r.error.detail.split('\n').map((l) => `  | ${l}`).join('\n') + '\n');
    return 2;
  }
  process.stdout.write(formatProbeTable(r.report));
  let status = r.report.findings.some((f) => f.status === 'failed') ? 1 : 0;
  if (a.writeScripts) {
    try {
      const paths = writeScripts(r.report, a.writeScripts);
      process.stdout.write(`\nwrote ${paths.length} scripts to ${a.writeScripts}: ${paths.map((p) => p.slice(p.lastIndexOf('/') + 1)).join(', ')}\n`);
    } catch (e) {
      process.stderr.write(`pktdrill: cannot write scripts to ${a.writeScripts}: ${(e as Error).message}\n`);
      status = 2;
    }
  }
  if (a.json && !write(a.json, formatProbeJson(r.report))) status = 2;
  if (a.html && !write(a.html, formatProbeHtml(r.report))) status = 2;
  if (a.svg && !write(a.svg, formatProbeSvg(r.report))) status = 2;
  return status;
}
