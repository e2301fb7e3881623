// The HTML report: self-contained, escaped, failed scripts first, and a
// ladder per script whose failing event is marked. The page is also rendered
// in headless Chromium (skipped when it is not installed): its DOM must hold
// the arrows and labels, and no Content-Security-Policy violation may show up
// (which would mean a style or script was not the one the page names).
//
// PKTDRILL_REPORT_OUT=dir keeps the rendered page and its screenshot.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatHtml, gapPixels, ladderRows, type ReportResult } from '../src/report/index.js';
import { all, errored, failingNoTrace, failingPacket, late, missing, passing, skipped } from './fixtures/report/results.js';

const GENERATED = new Date('2025-03-04T05:06:07.089Z');

const deadline: ReportResult = {
  file: 'scripts-tcp/hangs.pkt',
  status: 'fail',
  durationMs: 31_000,
  verdict: {
    file: 'scripts-tcp/hangs.pkt',
    passed: false,
    seed: 3,
    durationMs: 31_000,
    trace: passing.verdict!.trace.slice(0, 5),
    failures: [{ kind: 'deadline', span: null, message: 'script still running after its deadline of 31 s (set --deadline=N)' }],
  },
};

const syscallFail: ReportResult = {
  file: 'scripts-tcp/refused.pkt',
  status: 'fail',
  durationMs: 20,
  verdict: {
    file: 'scripts-tcp/refused.pkt',
    passed: false,
    seed: 3,
    durationMs: 20,
    trace: [...passing.verdict!.trace.slice(0, 2), { timeUsecs: 1000, line: 4, kind: 'syscall', text: 'connect() = -1 ECONNREFUSED (Connection refused)', ok: true }],
    failures: [{ kind: 'syscall', span: { line: 4, column: 1, endLine: 4, endColumn: 30 }, message: 'Expected result 0 but got -1 with errno 111 (Connection refused)' }],
  },
};

const hostile: ReportResult = {
  file: 'evil/<script>alert(1)</script>&amp;.pkt',
  status: 'fail',
  durationMs: 1,
  pcap: 'javascript:alert(1)',
  stderr: '</pre><script>alert(2)</script>\u0000\u001b[31m',
  verdict: {
    file: 'x',
    passed: false,
    seed: 1,
    durationMs: 1,
    trace: [{ timeUsecs: 0, line: 1, kind: 'command', text: 'echo "</text></svg><script>alert(3)</script>"', ok: false }],
    failures: [{ kind: 'command', span: { line: 1, column: 1, endLine: 1, endColumn: 2 }, message: '<img src=x onerror=alert(4)> ]]> \u0007', detail: '<b>bold</b>' }],
  },
};

const everything = [...all, failingNoTrace, deadline, syscallFail];

/** Sections in page order: [status class, file]. */
function sections(html: string): Array<[string, string, boolean]> {
  return [...html.matchAll(/<section class="script (\w+)"[^>]*>\s*<details( open)?>[\s\S]*?<h2[^>]*>([^<]*)<\/h2>/g)].map((m) => [m[1]!, m[3]!, !!m[2]]);
}

/** The `<g class="ev ...">` groups of the ladder in the section of `file`. */
function events(html: string, file: string): Array<{ cls: string; line: string | null; body: string }> {
  const start = html.indexOf(`<h2 `, html.indexOf(`>${file}</h2>`) - 200);
  const sec = html.slice(start, html.indexOf('</section>', start));
  return [...sec.matchAll(/<g class="(ev [^"]*)" data-kind="\w+"(?: data-line="(\d+)")?>([\s\S]*?)<\/g>/g)].map((m) => ({ cls: m[1]!, line: m[2] ?? null, body: m[3]! }));
}

describe('HTML report', () => {
  const html = formatHtml(everything, { generated: GENERATED });

  it('is one self-contained page: nothing fetched, styles and script allowed by hash only', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<link\b|@import|\bsrc=|<iframe|<object|<embed/i);
    expect(html.replace(/url\(#[\w-]+\)/g, '')).not.toMatch(/url\(/);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const hash = (s: string) => createHash('sha256').update(s).digest('base64');
    expect(csp).toContain(`default-src 'none'`);
    expect(csp).toContain(`style-src 'sha256-${hash(style)}'`);
    expect(csp).toContain(`script-src 'sha256-${hash(script)}'`);
    expect(html).not.toMatch(/\sstyle="/); // inline style attributes would need 'unsafe-inline'
  });

  it('puts failed scripts first and open, then errors, passes, skips', () => {
    const s = sections(html);
    expect(s.map(([st]) => st)).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'error', 'pass', 'skip']);
    expect(s.map(([, file]) => file).slice(0, 4)).toEqual([failingPacket.file, missing.file, late.file, failingNoTrace.file]);
    expect(s.filter(([, , open]) => open).map(([st]) => st)).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'error']);
    // Counts at the top, with words and icons, not colour alone.
    expect(html).toContain('✗ 6 failed');
    expect(html).toContain('⚠ 1 error');
    expect(html).toContain('✓ 1 passed');
    expect(html).toContain('↷ 1 skipped');
    expect(html).toContain('<time datetime="2025-03-04T05:06:07.089Z">');
  });

  it('draws one arrow per packet, calls on the kernel lane, the failing event marked with its message', () => {
    const pass = events(html, passing.file);
    expect(pass.length).toBe(passing.verdict!.trace.length);
    expect(pass.every((e) => e.cls.includes('ev-ok'))).toBe(true);
    const arrows = pass.filter((e) => /<line class="arrow arrow-(in|out)"/.test(e.body));
    expect(arrows.length).toBe(passing.verdict!.trace.filter((t) => t.packet).length);
    // Inbound runs right to left (remote → local), outbound left to right.
    const x = (e: { body: string }) => /<line class="arrow[^"]*" x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/.exec(e.body)!.slice(1).map(Number);
    const syn = pass.find((e) => e.line === '8')!;
    expect(x(syn)[0]!).toBeGreaterThan(x(syn)[1]!);
    const synack = pass.find((e) => e.line === '9')!;
    expect(x(synack)[0]!).toBeLessThan(x(synack)[1]!);
    expect(synack.body).toContain('&gt; S. 0:0(0) ack 1 win 64240 &lt;mss 1460,nop,nop,sackOK,nop,wscale 7&gt;');
    expect(pass.find((e) => e.line === '11')!.body).toMatch(/<rect class="mark"[\s\S]*accept\(\) = 4/);

    const fail = events(html, failingPacket.file);
    const bad = fail.filter((e) => e.cls.includes('ev-fail'));
    expect(bad.length).toBe(1);
    expect(bad[0]!.line).toBe('9');
    expect(bad[0]!.body).toContain('arrow arrow-fail');
    expect(bad[0]!.body).toContain('✗ line 9: error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)');
    // The differing word is marked on both sides.
    expect(bad[0]!.body).toContain('ack <tspan class="diff">1</tspan> win');
    expect(bad[0]!.body).toContain('ack <tspan class="diff">2</tspan> win');

    const miss = events(html, missing.file);
    const never = miss.filter((e) => e.cls.includes('ev-missing'));
    expect(never.length).toBe(1);
    expect(never[0]!.body).toContain('arrow arrow-missing');
    expect(never[0]!.body).toContain('✗ expected, never came (waited until 7.104000 s)');
    expect(never[0]!.body).toContain('>7.100000<'); // drawn at the time it was due
    // Long waits are lane breaks labelled with the gap.
    const sec = html.slice(html.indexOf(`>${missing.file}</h2>`));
    expect(sec).toContain('⋮ +1.016 s');
    expect(sec).toContain('⋮ +3.999 s');

    const lateEv = events(html, late.file).find((e) => e.cls.includes('ev-fail'))!;
    expect(lateEv.body).toContain('due 0.200000 (+40.0 ms)');
    expect(lateEv.body).toMatch(/<line class="tick tick-bad"/);

    // Without a trace, the failure alone still gets its arrow.
    const lone = events(html, failingNoTrace.file);
    expect(lone.length).toBe(1);
    expect(lone[0]!.body).toContain('arrow arrow-fail');

    // A failed call: a red mark on the kernel's lane; a deadline: a stop line.
    expect(events(html, syscallFail.file).find((e) => e.line === '4')!.cls).toContain('ev-fail');
    const stop = events(html, deadline.file).find((e) => e.cls.includes('ev-stop'))!;
    expect(stop.body).toContain('✗ script still running after its deadline of 31 s');
  });

  it('shows packetdrill text for failures, the error for errors, the reason for skips', () => {
    expect(html).toContain(
      '<pre class="failure">scripts-tcp/synack-ack.pkt:9: error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)\nscript packet:  0.100000 S. 0:0(0) ack 2 win 64240 &lt;mss 1460,nop,nop,sackOK,nop,wscale 7&gt;\nactual packet:  0.100170 S. 0:0(0) ack 1',
    );
    expect(html).toContain("<pre class=\"failure\">scripts-tcp/bad.pkt:3:22: expected an integer; got 'x'");
    expect(html).toContain('Skipped: needs IPv6 # disabled on this host');
    expect(html).toContain('<a href="out/passive-open.pcap"><code>out/passive-open.pcap</code></a>');
  });

  it('escapes everything it is given', () => {
    const h = formatHtml([hostile, errored, skipped], { title: '<title>"t"</title>', generated: GENERATED });
    expect(h.match(/<script>/g)!.length).toBe(1);
    expect(h).not.toMatch(/<img|<b>|<\/text><\/svg>|href="javascript/i);
    expect(h).toContain('evil/&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;.pkt');
    expect(h).toContain('<code>javascript:alert(1)</code>');
    expect(h).toContain('<title>&lt;title&gt;');
    expect(h).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(h).toContain('\\x00');
  });

  it('pins failures to their events, and adds them when the trace lacks one', () => {
    const rows = ladderRows(failingPacket);
    expect(rows.length).toBe(failingPacket.verdict!.trace.length);
    expect(rows.filter((r) => r.failure).map((r) => r.line)).toEqual([9]);
    const m = ladderRows(missing);
    expect(m[m.length - 1]).toMatchObject({ missing: true, t: 7_100_000, due: 7_100_000, waitedUntil: 7_104_000 });
    const lone = ladderRows({ ...missing, verdict: { ...missing.verdict!, trace: [] } });
    expect(lone).toMatchObject([{ kind: 'outbound', missing: true, t: 7_100_000, line: 13 }]);
    expect(ladderRows(errored)).toEqual([]);
    expect(ladderRows(deadline).map((r) => r.kind)).toEqual(['command', 'syscall', 'syscall', 'syscall', 'syscall', 'stop']);
  });

  it('spaces waits so a doubling backoff still looks like one', () => {
    expect(gapPixels(0)).toBe(0);
    expect(gapPixels(-5)).toBe(0);
    expect(gapPixels(Number.NaN)).toBe(0);
    expect(gapPixels(10_000)).toBeLessThan(gapPixels(49_000) + 1);
    const s = [1, 2, 4, 8].map((x) => gapPixels(x * 1e6));
    for (let i = 1; i < s.length; i++) expect(s[i]! / s[i - 1]!).toBeGreaterThan(1.2);
    expect(gapPixels(3600e6)).toBe(160);
  });
});

// ------------------------------------------------------------------ Chromium

function findChromium(): string | null {
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (existsSync(c)) return c;
  return null;
}

const chromium = findChromium();
const keep = process.env.PKTDRILL_REPORT_OUT;
const work = mkdtempSync(join(tmpdir(), 'pktdrill-html-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runChromium(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(work, 'profile-'));
  const r = spawnSync(
    chromium!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', ...args],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 },
  );
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe.skipIf(chromium === null)('HTML report in headless Chromium', () => {
  const dir = keep ?? work;
  mkdirSync(dir, { recursive: true });
  const page = join(dir, 'report.html');
  writeFileSync(page, formatHtml(everything, { generated: GENERATED }));

  it('renders with the arrows and labels in the DOM and no CSP violation', () => {
    const r = runChromium(['--dump-dom', `file://${page}`]);
    expect(r.status, r.stderr).toBe(0);
    const dom = r.stdout;
    expect(dom.match(/<svg class="ladder"/g)!.length).toBe(everything.filter((x) => ladderRows(x).length > 0).length);
    expect(dom).toContain('local stack (kernel)');
    expect(dom).toContain('remote peer (pktdrill)');
    expect(dom.match(/class="arrow arrow-missing"/g)!.length).toBe(1);
    expect(dom).toContain('✗ expected, never came');
    expect(dom).toContain('live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)');
    expect(dom.match(/class="arrow arrow-in"/g)!.length).toBeGreaterThan(5);
    const csp = r.stderr.split('\n').filter((l) => /Content Security Policy|Refused to/i.test(l));
    expect(csp).toEqual([]);
  });

  it('takes a screenshot', () => {
    const png = join(dir, 'report.png');
    const r = runChromium([`--screenshot=${png}`, '--window-size=1200,1600', '--hide-scrollbars', `file://${page}`]);
    expect(r.status, r.stderr).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.readUInt32BE(16)).toBe(1200); // IHDR width
  });
});
