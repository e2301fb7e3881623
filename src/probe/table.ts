// The probe's findings as text: a heading, then one row per finding
// (measured, value, evidence), columns padded, evidence items joined by "; ".

import type { ProbeReport } from './probe.js';

export function formatProbeTable(r: ProbeReport): string {
  const t = r.target;
  const head = `probe of \`${t.server}\` on ${t.localIp}:${t.port}, ${r.kernel}${t.sysctls.length ? `, ${t.sysctls.join(' ')}` : ''}${r.quick ? ' (--quick)' : ''}: ${(r.durationMs / 1000).toFixed(1)} s`;
  const rows = [['measured', 'value', 'evidence'], ...r.findings.map((f) => [f.measured, f.status === 'failed' && f.value !== 'not measured' ? `${f.value} (script failed)` : f.value, f.evidence.join('; ')])];
  const w0 = Math.max(...rows.map((x) => x[0]!.length));
  const w1 = Math.max(...rows.map((x) => x[1]!.length));
  const lines = rows.map(([a, b, c]) => `${a!.padEnd(w0)}  ${b!.padEnd(w1)}  ${c}`.trimEnd());
  return [head, '', ...lines].join('\n') + '\n';
}
