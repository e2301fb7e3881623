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

const num = (v: number | number[] | undefined): number => (typeof v === 'number' ? v : 0);

/**
 * A queue as a row of cells: the SYNs (or handshakes) sent at once, each a
 * cell, coloured by what became of it: held by the queue, answered with a
 * cookie, dropped.
 */
/** One picture: the `<svg>` element's attributes and what is inside it (so the standalone image can place it without reading its text). */
interface Picture {
  readonly cls: string;
  readonly width: number;
  readonly height: number;
  readonly label: string;
  readonly body: string;
}

function svgOf(p: Picture): string {
  return `<svg class="${p.cls}" width="${p.width}" height="${p.height}" role="img" aria-label="${p.label}">\n${p.body}\n</svg>`;
}

function queuePicture(title: string, d: Record<string, number | number[]>): Picture {
  const sent = num(d['sent']);
  const held = num(d['held']);
  const cookies = num(d['cookies']);
  const cells = Math.min(sent, 64);
  const scale = sent / cells;
  const w = 12;
  const rects: string[] = [];
  for (let i = 0; i < cells; i++) {
    const k = i * scale;
    const cls = k < held ? 'held' : k < held + cookies ? 'cookie' : 'dropped';
    rects.push(`<rect class="${cls}" x="${i * w}" y="18" width="${w - 2}" height="16"><title>${cls}</title></rect>`);
  }
  const legend = `${held} held${cookies ? `, ${cookies} cookies` : ''}${sent - held - cookies > 0 ? `, ${sent - held - cookies} dropped` : ''} of ${sent}${scale > 1 ? ` (a cell is ${scale.toFixed(1)})` : ''}`;
  return {
    cls: 'queue',
    width: Math.max(cells * w, 300),
    height: 52,
    label: `${esc(title)}: ${esc(legend)}`,
    body: `<text x="0" y="12">${esc(title)}: ${esc(legend)}</text>\n${rects.join('\n')}`,
  };
}

/** The SYN-ACKs of one unanswered SYN on a time axis, in seconds. */
function schedulePicture(d: Record<string, number | number[]>): Picture {
  const at = Array.isArray(d['at']) ? d['at'] : [];
  const window = num(d['window']) || 1;
  const px = 600 / window;
  const ticks = at.map((t) => `<line class="synack" x1="${(t * px + 10).toFixed(1)}" y1="18" x2="${(t * px + 10).toFixed(1)}" y2="40"><title>SYN-ACK at ${t.toFixed(2)} s</title></line><text x="${(t * px + 12).toFixed(1)}" y="52">${t.toFixed(2)}</text>`);
  return {
    cls: 'schedule',
    width: 640,
    height: 60,
    label: `SYN-ACKs at ${at.map((t) => t.toFixed(2)).join(', ')} s`,
    body: [
      `<text x="0" y="12">SYN-ACKs of one SYN never ACKed, 0 to ${window} s</text>`,
      `<line class="axis" x1="10" y1="40" x2="${(window * px + 10).toFixed(1)}" y2="40"/>`,
      ticks.join('\n'),
    ].join('\n'),
  };
}

function pictureList(r: ProbeReport): Picture[] {
  const by = new Map(r.findings.map((f) => [f.id, f]));
  const out: Picture[] = [];
  const syn = by.get('syn-queue-capacity');
  if (syn?.data && syn.status === 'measured') out.push(queuePicture('SYN queue', syn.data));
  const acc = by.get('accept-queue-capacity');
  if (acc?.data && acc.status === 'measured') out.push(queuePicture('accept queue', acc.data));
  const sched = by.get('synack-schedule');
  if (sched?.data && sched.status === 'measured') out.push(schedulePicture(sched.data));
  return out;
}

function pictures(r: ProbeReport): string {
  const out = pictureList(r);
  return out.length ? `<div class="pictures">\n${out.map(svgOf).join('\n')}\n</div>` : '';
}

/** The HTML report's pictures as one standalone SVG image (for a README). */
export function formatProbeSvg(r: ProbeReport): string {
  const parts = pictureList(r);
  let y = 0;
  const placed = parts.map((p) => {
    const g = `<g transform="translate(0 ${y})">\n${p.body}\n</g>`;
    y += p.height + 8;
    return g;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="660" height="${y}" font-family="sans-serif" font-size="12">
<style>rect.held { fill: #4a8; } rect.cookie { fill: #48c; } rect.dropped { fill: #c44; } line.axis { stroke: #444; } line.synack { stroke: #48c; stroke-width: 3; }</style>
${placed.join('\n')}
</svg>
`;
}

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
svg { display: block; margin: 12px 0; font: 12px system-ui, sans-serif; }
rect.held { fill: #4a8; } rect.cookie { fill: #48c; } rect.dropped { fill: #c44; }
line.axis { stroke: #444; } line.synack { stroke: #48c; stroke-width: 3; }
</style></head><body>
<h1>pktdrill probe</h1>
<p><code>${esc(r.target.server)}</code> on ${esc(r.target.localIp)}:${r.target.port}, ${esc(r.kernel)}${r.target.sysctls.length ? `, ${esc(r.target.sysctls.join(' '))}` : ''}${r.quick ? ' (--quick)' : ''}, ${(r.durationMs / 1000).toFixed(1)} s</p>
${pictures(r)}
<table>
<tr><th>measured</th><th>value</th><th>evidence</th></tr>
${rows}
</table>
<h2>Scripts that pin the findings</h2>
${scripts || '<p>none</p>'}
</body></html>
`;
}
