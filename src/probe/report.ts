// The probe's findings as JSON (schema `pktdrill-probe/1`) and as one
// self-contained HTML page.

import type { ProbeReport } from './probe.js';

export function formatProbeJson(r: ProbeReport): string {
  return (
    JSON.stringify(
      {
        schema: 'pktdrill-probe/1',
        server: r.target.server,
        address: r.target.localIp,
        port: r.target.port,
        sysctls: r.target.sysctls,
        kernel: r.kernel,
        quick: r.quick,
        durationMs: r.durationMs,
        findings: r.findings.map((f) => ({ id: f.id, measured: f.measured, value: f.value, evidence: f.evidence, status: f.status, script: f.measurement })),
        scripts: r.scripts.map((s) => s.name),
      },
      null,
      2,
    ) + '\n'
  );
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function formatProbeHtml(r: ProbeReport): string {
  const rows = r.findings
    .map(
      (f) =>
        `<tr class="${f.status}"><td>${esc(f.measured)}</td><td>${esc(f.value)}</td><td>${f.evidence.map(esc).join('<br>')}</td></tr>`,
    )
    .join('\n');
  const scripts = r.scripts
    .map((s) => `<details><summary>${esc(s.name)}</summary><pre>${esc(s.text)}</pre></details>`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>pktdrill probe: ${esc(r.target.server)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }
tr.failed td { background: #fdd; }
tr.not-measured td { color: #777; }
pre { background: #f6f6f6; padding: 8px; }
</style></head><body>
<h1>pktdrill probe</h1>
<p><code>${esc(r.target.server)}</code> on ${esc(r.target.localIp)}:${r.target.port}, ${esc(r.kernel)}${r.target.sysctls.length ? `, ${esc(r.target.sysctls.join(' '))}` : ''}${r.quick ? ' (--quick)' : ''}, ${(r.durationMs / 1000).toFixed(1)} s</p>
<table>
<tr><th>measured</th><th>value</th><th>evidence</th></tr>
${rows}
</table>
<h2>Scripts that pin the findings</h2>
${scripts || '<p>none</p>'}
</body></html>
`;
}
