// The printer's property: every script in the repository, parsed, printed
// and parsed again, gives the same AST. "The same" is deep equality once
// source positions are dropped (every `span` and `nameSpan`, at any depth):
// they say where the text was, which a printer cannot keep.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Script } from '../src/script/ast.js';
import { parseScript } from '../src/script/parse.js';
import { printScript } from '../src/script/print.js';

const ROOT = join(import.meta.dirname, '..');

function pktFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...pktFiles(path));
    else if (name.endsWith('.pkt')) out.push(path);
  }
  return out;
}

/** The AST without source positions. */
function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'span' && k !== 'nameSpan') out[k] = withoutSpans(v);
  return out;
}

function parsed(text: string, file: string): Script {
  const r = parseScript(text, file);
  if (!r.ok) throw new Error(`${file}:${r.error.span.line}:${r.error.span.column}: ${r.error.message}`);
  return r.value;
}

const files = ['scripts-tcp', 'test', 'bench'].flatMap((d) => pktFiles(join(ROOT, d)));

describe('printScript', () => {
  it('finds the repository scripts', () => {
    expect(files.length).toBeGreaterThan(60);
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('parse(print(ast)) = ast: %s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const first = parseScript(text, file);
    if (!first.ok) return; // a script that is meant not to parse has no AST to print
    const printed = printScript(first.value);
    expect(withoutSpans(parsed(printed, `${file} (printed)`))).toEqual(withoutSpans(first.value));
    // Printing is a fixed point: the printed text prints as itself.
    expect(printScript(parsed(printed, file))).toBe(printed);
  });

  it('keeps what layout cannot: quoted option values, floods, AccECN, ICMP quotes, blocking times', () => {
    const text = [
      '--define=X="a b"',
      '--tolerance_usecs=8000',
      '--dry_run',
      '--code_command="python3 -u"',
      '`echo init`',
      '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
      '+0...0.25 accept(3, ..., ...) = 4',
      '+0.1~+0.2 < [ect0, tos 0x10] 41000..41199>8080 S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7,ECN e1b 1 ceb 0 e0b 1>',
      '* > S.E 0:0(0) ack 1 <...>',
      '+0 < - 1:1(0) win 10 <FO 0102,FOEXP,md5 00ff,eol,sack 1:2 3:4> { mut tcp mss }',
      '+0 < icmp unreachable frag_needed mtu 1200 id 7 [1:1001(1000)]',
      '+0 < udp 5000>6000 (100)',
      '-0.5 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = -1 EINVAL (Invalid argument)',
      '+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, MSG_DONTWAIT|0x40) = 1000',
      '+0 write(3, "abc"..., 0xff) = 3',
      '%{ assert x == 1 }%',
    ].join('\n');
    const ast = parsed(text, 't.pkt');
    const printed = printScript(ast);
    expect(withoutSpans(parsed(printed, 'printed.pkt'))).toEqual(withoutSpans(ast));
    expect(printed).toContain('--define="X="a b""'.replace('"X="a b""', 'X="a b"'));
    expect(printed).toContain('--code_command="python3 -u"');
    expect(printed).toContain('+0...0.25 accept(3, ..., ...) = 4');
  });
});
