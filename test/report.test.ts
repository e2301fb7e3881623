// TAP, JUnit and JSON reports on hand-made results: each is checked by a
// small reader of its own format (and by xmllint when it is installed).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatJson, formatJunit, formatTap, toJsonReport, type ReportResult } from '../src/report/index.js';
import { all, errored, failingNoTrace, failingPacket, late, missing, passing, skipped } from './fixtures/report/results.js';

const GENERATED = new Date('2025-03-04T05:06:07.089Z');

/** A result whose text tries every escaping trap. */
const hostile: ReportResult = {
  file: 'evil/<b>&"\'#x.pkt',
  status: 'fail',
  durationMs: Number.NaN,
  stderr: 'nul\u0000 esc\u001b[1mbold\u001b[0m del\u007f c1\u0085 ffff\uffff lone\ud800 pair\ud83d\ude00 ]]> \u2028',
  verdict: {
    file: 'evil/<b>&"\'#x.pkt',
    passed: false,
    seed: 1,
    durationMs: 1,
    trace: [{ timeUsecs: 0, line: 2, kind: 'command', text: 'echo "</system-out><x>" \u0001', ok: false }],
    failures: [
      {
        kind: 'command',
        span: { line: 2, column: 1, endLine: 2, endColumn: 9 },
        message: 'error executing `echo "</failure>&amp;"` command: exit 1\u0003',
        detail: 'line1\nline2 <tag> & \u000b',
      },
    ],
  },
};

// ------------------------------------------------------------------ TAP

interface TapPoint {
  ok: boolean;
  n: number;
  name: string;
  directive: string | null;
  yaml: Record<string, unknown> | null;
}

/** A line-by-line TAP 13 reader, strict about everything pktdrill writes. */
function readTap(text: string): { plan: number; points: TapPoint[]; comments: string[] } {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('TAP version 13');
  const plan = /^1\.\.(\d+)$/.exec(lines[1]!);
  expect(plan, 'plan line').not.toBeNull();
  const points: TapPoint[] = [];
  const comments: string[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!;
    const m = /^(not )?ok (\d+) - ((?:[^#\\]|\\.)*?)(?: # (SKIP|TODO)(?: (.*))?)?$/.exec(line);
    if (m) {
      points.push({ ok: !m[1], n: Number(m[2]), name: m[3]!.replace(/\\(.)/g, '$1'), directive: m[4] ? `${m[4]}${m[5] ? ' ' + m[5] : ''}` : null, yaml: null });
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      continue;
    }
    if (line === '  ---') {
      const point = points[points.length - 1];
      expect(point, `YAML block at line ${i + 1} follows a test point`).toBeDefined();
      expect(point!.yaml).toBeNull();
      const yaml: Record<string, unknown> = {};
      let list: Array<Record<string, unknown>> | null = null;
      for (i++; i < lines.length && lines[i] !== '  ...'; i++) {
        const y = lines[i]!;
        const kv = /^  ([a-z_]+):(?: (.*))?$/.exec(y);
        const item = /^    (- |  )([a-z_]+): (.*)$/.exec(y);
        if (kv) {
          if (kv[2] === undefined) yaml[kv[1]!] = list = [];
          else yaml[kv[1]!] = scalar(kv[2]);
        } else if (item && list) {
          if (item[1] === '- ') list.push({});
          list[list.length - 1]![item[2]!] = scalar(item[3]!);
        } else throw new Error(`not YAML pktdrill writes, line ${i + 1}: ${JSON.stringify(y)}`);
      }
      expect(lines[i], 'YAML block closed').toBe('  ...');
      point!.yaml = yaml;
      continue;
    }
    throw new Error(`not TAP, line ${i + 1}: ${JSON.stringify(line)}`);
  }
  return { plan: Number(plan![1]), points, comments };
}

function scalar(s: string): unknown {
  if (s.startsWith('"')) {
    // A YAML double-quoted scalar the way we write it: JSON, plus no raw C1/DEL/U+2028.
    expect(/[\u007f-\u009f\u2028\u2029]/.test(s)).toBe(false);
    expect(/\\ud[89a-f]/i.test(s), 'no surrogate escapes').toBe(false);
    return JSON.parse(s);
  }
  if (s === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  expect(s).toMatch(/^[a-z]+$/);
  return s;
}

describe('TAP', () => {
  it('has a plan, a point per script in order, and YAML under the failures', () => {
    const tap = readTap(formatTap(all));
    expect(tap.plan).toBe(all.length);
    expect(tap.points.map((p) => p.n)).toEqual(all.map((_, i) => i + 1));
    expect(tap.points.map((p) => p.name)).toEqual(all.map((r) => r.file));
    expect(tap.points.map((p) => p.ok)).toEqual([true, false, false, false, false, true]);
    expect(tap.points[0]!.yaml).toBeNull();
    expect(tap.comments[tap.comments.length - 1]).toMatch(/^# 1 passed, 3 failed, 1 errors, 1 skipped/);

    const fail = tap.points[1]!.yaml!;
    expect(fail.message).toBe('error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)');
    expect(fail.line).toBe(9);
    expect(fail.kind).toBe('packet');
    expect(fail.severity).toBe('fail');
    expect(fail.script_packet).toBe('0.100000 S. 0:0(0) ack 2 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>');
    expect(fail.actual_packet).toBe('0.100170 S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>');
    expect(fail.duration_ms).toBe(233);
    expect(fail.seed).toBe(7);
    // packetdrill's text, exactly as the plain report prints it.
    expect(String(fail.text).split('\n')).toEqual([
      'scripts-tcp/synack-ack.pkt:9: error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)',
      'script packet:  0.100000 S. 0:0(0) ack 2 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
      'actual packet:  0.100170 S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
    ]);

    const err = tap.points[2]!.yaml!;
    expect(err.severity).toBe('error');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/^expected an integer; got 'x'/);

    const miss = tap.points[3]!.yaml!;
    expect(miss.kind).toBe('missing');
    expect(miss.script_packet).toMatch(/^7\.100000 S\. /);
    expect(miss.actual_packet).toBeUndefined();

    expect(tap.points[5]!.directive).toBe('SKIP needs IPv6 \\# disabled on this host');
  });

  it('keeps every hostile string on its own line and out of directives', () => {
    const text = formatTap([hostile, skipped]);
    const tap = readTap(text);
    expect(tap.points[0]!.name).toBe(hostile.file);
    expect(tap.points[0]!.directive).toBeNull();
    expect(tap.points[0]!.yaml!.duration_ms).toBe(0);
    expect(String(tap.points[0]!.yaml!.stderr)).toContain('\u0000');
    expect(String(tap.points[0]!.yaml!.stderr)).toContain('\ufffd'); // the lone surrogate
    expect(String(tap.points[0]!.yaml!.stderr)).toContain('\ud83d\ude00'); // a pair survives
  });

  it('lists every failure of a non-fatal run', () => {
    const two: ReportResult = { ...late, verdict: { ...late.verdict!, failures: [...late.verdict!.failures, ...failingPacket.verdict!.failures] } };
    const y = readTap(formatTap([two])).points[0]!.yaml!;
    expect((y.failures as unknown[]).length).toBe(2);
    expect(y.failures).toMatchObject([{ kind: 'timing', line: 14 }, { kind: 'packet', line: 9 }]);
  });

  it('writes a plan of 0 for nothing', () => {
    expect(readTap(formatTap([])).plan).toBe(0);
  });
});

// ------------------------------------------------------------------ JUnit

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const XML_CHAR = /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
}

/** A small, strict XML 1.0 reader: throws on anything not well-formed. */
function readXml(xml: string): XmlNode {
  if (!XML_CHAR.test(xml)) throw new Error('a character XML 1.0 forbids');
  let s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  while (s.length > 0) {
    const top = stack[stack.length - 1]!;
    if (s.startsWith('<!--')) {
      const e = s.indexOf('-->');
      if (e < 0) throw new Error('open comment');
      s = s.slice(e + 3);
    } else if (s.startsWith('</')) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(s);
      if (!m || m[1] !== top.name) throw new Error(`mismatched end tag ${m?.[1]} for ${top.name}`);
      stack.pop();
      s = s.slice(m[0].length);
    } else if (s.startsWith('<')) {
      const m = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(s);
      if (!m) throw new Error(`bad tag at ${JSON.stringify(s.slice(0, 40))}`);
      const node: XmlNode = { name: m[1]!, attrs: {}, children: [], text: '' };
      for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const raw = a[2] ?? a[3] ?? '';
        if (/&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error('bad entity in attribute');
        if (a[1]! in node.attrs) throw new Error('duplicate attribute');
        node.attrs[a[1]!] = decodeEntities(raw);
      }
      top.children.push(node);
      if (!m[3]) stack.push(node);
      s = s.slice(m[0].length);
    } else {
      const e = s.indexOf('<');
      const raw = e < 0 ? s : s.slice(0, e);
      if (/&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error('bad entity in text');
      if (raw.includes(']]>')) throw new Error(']]> in text');
      if (stack.length === 1 && raw.trim() !== '') throw new Error('text outside the root');
      top.text += decodeEntities(raw);
      s = e < 0 ? '' : s.slice(e);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('not exactly one root');
  return root.children[0]!;
}

function xmllint(xml: string): { ran: boolean; ok: boolean; out: string } {
  const has = spawnSync('sh', ['-c', 'command -v xmllint'], { stdio: 'ignore' }).status === 0;
  if (!has) return { ran: false, ok: true, out: '' };
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-junit-'));
  try {
    const f = join(dir, 'r.xml');
    writeFileSync(f, xml);
    const r = spawnSync('xmllint', ['--noout', f], { encoding: 'utf8' });
    return { ran: true, ok: r.status === 0, out: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('JUnit', () => {
  it('is one well-formed suite with a testcase per script', () => {
    const xml = formatJunit(all, 'pktdrill', { generated: GENERATED });
    const root = readXml(xml);
    expect(root.name).toBe('testsuites');
    const suite = root.children[0]!;
    expect(root.children.length).toBe(1);
    expect(suite.name).toBe('testsuite');
    expect(suite.attrs).toMatchObject({ name: 'pktdrill', tests: '6', failures: '3', errors: '1', skipped: '1', time: '8.149', timestamp: '2025-03-04T05:06:07' });
    const cases = suite.children;
    expect(cases.map((c) => [c.attrs.classname, c.attrs.name])).toEqual(all.map((r) => ['scripts-tcp', r.file.split('/').pop()]));
    expect(cases[0]!.attrs.time).toBe('0.512');

    // Pass: no failure; the trace and the capture in system-out.
    expect(cases[0]!.children.map((c) => c.name)).toEqual(['system-out']);
    expect(cases[0]!.children[0]!.text).toContain('scripts-tcp/passive-open.pkt:9: > S. 0:0(0) ack 1 win 64240');
    expect(cases[0]!.children[0]!.text).toContain('[[ATTACHMENT|out/passive-open.pcap]]');

    // Fail: message is the first line, body packetdrill's text, type the kind.
    const failure = cases[1]!.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs.type).toBe('packet');
    expect(failure.attrs.message).toBe('scripts-tcp/synack-ack.pkt:9: error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)');
    expect(failure.text.split('\n')).toEqual([
      failure.attrs.message,
      'script packet:  0.100000 S. 0:0(0) ack 2 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
      'actual packet:  0.100170 S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
    ]);
    // stderr without colour codes, the bell made visible.
    expect(cases[1]!.children.find((c) => c.name === 'system-err')!.text).toBe('libpcap: warning red\\x07 bell\n');

    const error = cases[2]!.children[0]!;
    expect(error.name).toBe('error');
    expect(error.attrs.message).toBe("scripts-tcp/bad.pkt:3:22: expected an integer; got 'x'");
    expect(error.text).toContain('+0 listen(3, x) = 0');

    expect(cases[3]!.children[0]!.attrs.type).toBe('missing');
    expect(cases[5]!.children).toEqual([{ name: 'skipped', attrs: { message: 'needs IPv6 # disabled on this host' }, children: [], text: '' }]);

    const lint = xmllint(xml);
    expect(lint.ok, lint.out).toBe(true);
  });

  it('escapes markup, keeps newlines in attributes, and replaces what XML 1.0 forbids', () => {
    const xml = formatJunit([hostile, errored], 'suite <&> "q"', { generated: GENERATED });
    const root = readXml(xml);
    expect(root.attrs.name).toBe('suite <&> "q"');
    const c = root.children[0]!.children[0]!;
    expect(c.attrs).toMatchObject({ classname: 'evil', name: '<b>&"\'#x.pkt', time: '0.000' });
    const failure = c.children.find((x) => x.name === 'failure')!;
    expect(failure.attrs.type).toBe('command');
    expect(failure.attrs.message).toBe('evil/<b>&"\'#x.pkt:2: error executing `echo "</failure>&amp;"` command: exit 1\\x03');
    expect(failure.text).toContain('  | line2 <tag> & \\x0b');
    const out = c.children.find((x) => x.name === 'system-out')!;
    expect(out.text).toContain('`echo "</system-out><x>" \\x01` failed');
    const err = c.children.find((x) => x.name === 'system-err')!.text;
    expect(err).toContain('nul\\x00 esc');
    expect(err).toContain('bold del');
    expect(err).not.toContain('\u001b');
    expect(err).toContain('lone\ufffd pair\ud83d\ude00 ]]>');
    // A multi-line message keeps its lines in the attribute.
    const e = root.children[0]!.children[1]!.children[0]!;
    expect(e.attrs.message).not.toContain('\n');
    expect(formatJunit([{ ...errored, error: 'scripts-tcp/bad.pkt: a\tb' }]).includes('a&#9;b')).toBe(true);

    const lint = xmllint(xml);
    expect(lint.ok, lint.out).toBe(true);
  });
});

// ------------------------------------------------------------------ JSON

type Schema = {
  $ref?: string;
  $defs?: Record<string, Schema>;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  format?: string;
};

const SCHEMA_KEYWORDS = new Set(['$schema', '$id', '$ref', '$defs', 'title', 'description', 'type', 'const', 'enum', 'properties', 'required', 'items', 'minimum', 'format']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * The subset of JSON Schema 2020-12 the report's schema uses. `strict` also
 * rejects properties the schema does not name, so schema and code stay in step.
 */
function validate(schema: Schema, root: Schema, v: unknown, path = '$', strict = true): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(schema)) if (!SCHEMA_KEYWORDS.has(k)) errs.push(`${path}: schema keyword ${k} not supported by this validator`);
  if (schema.$ref) {
    const m = /^#\/\$defs\/(\w+)$/.exec(schema.$ref);
    const target = m ? root.$defs?.[m[1]!] : undefined;
    if (!target) return [`${path}: unresolved $ref ${schema.$ref}`];
    errs.push(...validate(target, root, v, path, strict));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...errs, `${path}: ${t}, want ${types.join('|')}`];
  }
  if ('const' in schema && v !== schema.const) errs.push(`${path}: ${JSON.stringify(v)} is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.minimum !== undefined && typeof v === 'number' && v < schema.minimum) errs.push(`${path}: ${v} < ${schema.minimum}`);
  if (schema.format === 'date-time' && typeof v === 'string' && !(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)))) errs.push(`${path}: not a date-time`);
  if (schema.items && Array.isArray(v)) v.forEach((x, i) => errs.push(...validate(schema.items!, root, x, `${path}[${i}]`, strict)));
  if ((schema.properties || schema.required) && typeOf(v) === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) errs.push(`${path}: missing ${r}`);
    for (const [k, x] of Object.entries(o)) {
      const sub = schema.properties?.[k];
      if (sub) errs.push(...validate(sub, root, x, `${path}.${k}`, strict));
      else if (strict) errs.push(`${path}.${k}: not in the schema`);
    }
  }
  return errs;
}

const schema = JSON.parse(readFileSync(new URL('../src/report/report.schema.json', import.meta.url), 'utf8')) as Schema;

describe('JSON', () => {
  it('validates against report.schema.json', () => {
    for (const set of [all, [hostile, failingNoTrace], []]) {
      const doc = JSON.parse(formatJson(set, { generated: GENERATED }));
      expect(validate(schema, schema, doc)).toEqual([]);
    }
  });

  it('the validator catches what it should', () => {
    const doc = JSON.parse(formatJson(all)) as ReturnType<typeof toJsonReport>;
    const broken = structuredClone(doc) as unknown as Record<string, any>;
    broken.scripts[1].verdict = 'failed';
    broken.scripts[1].failures[0].line = '9';
    delete broken.summary.skipped;
    broken.scripts[0].extra = 1;
    broken.generated = 'yesterday';
    const errs = validate(schema, schema, broken);
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.stringContaining('$.generated: not a date-time'),
        expect.stringContaining('$.summary: missing skipped'),
        expect.stringContaining('$.scripts[1].verdict'),
        expect.stringContaining('$.scripts[1].failures[0].line: string'),
        expect.stringContaining('$.scripts[0].extra: not in the schema'),
      ]),
    );
  });

  it('says what happened, per script', () => {
    const doc = toJsonReport(all, { generated: GENERATED });
    expect(doc.schema).toBe('pktdrill-report/1');
    expect(doc.generated).toBe('2025-03-04T05:06:07.089Z');
    expect(doc.summary).toEqual({ total: 6, passed: 1, failed: 3, errors: 1, skipped: 1, durationMs: 8149 });
    const [pass, fail, err, miss, lat, skip] = doc.scripts;
    expect(pass).toMatchObject({ file: passing.file, verdict: 'pass', line: null, message: null, text: null, failures: [], pcap: 'out/passive-open.pcap', seed: 4242 });
    expect(pass!.trace[6]).toEqual({ timeUsecs: 100_190, expectedUsecs: 100_000, line: 9, kind: 'outbound', text: '', packet: 'S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>', ok: true });
    expect(pass!.trace[1]).toMatchObject({ kind: 'syscall', text: 'socket() = 3', expectedUsecs: null, packet: null });
    expect(fail).toMatchObject({ verdict: 'fail', line: 9, message: 'error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)', pcap: null, seed: 7 });
    expect(fail!.failures).toEqual([
      {
        kind: 'packet',
        line: 9,
        message: 'error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)',
        scriptPacket: 'S. 0:0(0) ack 2 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
        scriptPacketUsecs: 100_000,
        actualPacket: 'S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
        actualPacketUsecs: 100_170,
        detail: null,
      },
    ]);
    expect(fail!.text!.split('\n')[0]).toBe('scripts-tcp/synack-ack.pkt:9: error handling packet: live packet field tcp_ack: expected: 2 (0x2) vs actual: 1 (0x1)');
    expect(err).toMatchObject({ verdict: 'error', line: 3, seed: null, trace: [], failures: [] });
    expect(err!.message!.split('\n')[0]).toBe("expected an integer; got 'x'");
    expect(miss!.failures[0]).toMatchObject({ kind: 'missing', line: 13, actualPacket: null, scriptPacketUsecs: 7_100_000 });
    expect(miss!.trace[miss!.trace.length - 1]).toMatchObject({ kind: 'outbound', text: 'missing', ok: false, expectedUsecs: 7_100_000, timeUsecs: 7_104_000 });
    expect(lat!.failures[0]!.kind).toBe('timing');
    expect(skip).toMatchObject({ verdict: 'skip', message: 'needs IPv6 # disabled on this host', seed: null });
  });

  it('writes nothing JSON cannot carry', () => {
    const text = formatJson([hostile]);
    const doc = JSON.parse(text);
    expect(doc.scripts[0].durationMs).toBe(0); // NaN would have been null
    expect(doc.scripts[0].stderr).toContain('lone\ufffd pair\ud83d\ude00'); // a lone surrogate would be a `\ud800` escape
    expect(text).not.toMatch(/\\ud[89a-f]/i);
    expect(formatJson(all, { omitTrace: true })).not.toContain('"timeUsecs"');
  });
});
