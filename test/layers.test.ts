// The layers of src/ point one way: a module imports only from its own part
// or from a part of a lower layer. Read off the source text (every static
// `import`/`export ... from` and every `import('...')` with a relative
// path), so a type-only import counts too: it is still a dependency of the
// code that reads it.
//
// The order, lowest first (README.md, "Layout"):
//   0  packet, script, syscalls, phases.ts   wire formats, the language, the native calls
//   1  pcap, link, kernel                    pcap codecs, inject/capture, kernel state
//   2  engine                                one script's run, in the sandbox's process
//   3  sandbox                               the namespace and the process that runs the engine
//   4  runner.ts                             a run from the tool's side
//   5  report, corpus.ts                     verdicts as text; many runs
//   6  tools, probe                          replay, pcap2pkt, render; the listener probe
//   7  probe/cli.ts, index.ts, testing.ts    probe's command; the library
//   8  cli.ts                                the command line
// and the library (index.ts, testing.ts) never reaches the command line.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Part of src/ → its layer. A part is a folder, or a module at the top. */
const LAYERS: Record<string, number> = {
  packet: 0,
  script: 0,
  syscalls: 0,
  'phases.ts': 0,
  pcap: 1,
  link: 1,
  kernel: 1,
  engine: 2,
  sandbox: 3,
  'runner.ts': 4,
  report: 5,
  'corpus.ts': 5,
  tools: 6,
  probe: 6,
  'probe/cli.ts': 7,
  'cli.ts': 8,
  'index.ts': 7,
  'testing.ts': 7,
};

/** The command line: what the library must not import, however indirectly. */
const CLI = new Set(['cli.ts', 'probe/cli.ts']);
const LIBRARY = ['index.ts', 'testing.ts'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The module's path under src/ (`engine/run.ts`). */
const under = (path: string) => relative(SRC, path).split('\\').join('/');

/** The part a module belongs to: a module with a layer of its own, else its folder (or itself at the top). */
function partOf(mod: string): string {
  if (mod in LAYERS) return mod;
  return mod.includes('/') ? mod.slice(0, mod.indexOf('/')) : mod;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

/** The src/ modules `file` imports (relative specifiers; `.js` names the `.ts` it is compiled from). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
    out.push(under(target));
  }
  return out;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [under(f), importsOf(f)]));

describe('layers', () => {
  it('knows the layer of every module', () => {
    const unknown = [...graph.keys()].filter((m) => LAYERS[partOf(m)] === undefined);
    expect(unknown).toEqual([]);
    expect(graph.size).toBeGreaterThan(50);
  });

  it('reads imports (a known edge is found)', () => {
    expect(graph.get('cli.ts')).toContain('tools/pcap2pkt.ts');
    expect(graph.get('runner.ts')).toContain('engine/options.ts');
  });

  it('imports point down: another part only of a lower layer', () => {
    const upward: string[] = [];
    for (const [mod, targets] of graph) {
      const from = partOf(mod);
      for (const t of targets) {
        const to = partOf(t);
        if (to === from) continue;
        const a = LAYERS[from]!;
        const b = LAYERS[to];
        if (b === undefined || b >= a) upward.push(`${mod} (${from}, layer ${a}) imports ${t} (${to}, layer ${b ?? '?'})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('pcap/ holds codecs only: it imports nothing but packet/', () => {
    const out = [...graph].flatMap(([mod, ts]) => (partOf(mod) === 'pcap' ? ts.filter((t) => !['pcap', 'packet'].includes(partOf(t))).map((t) => `${mod} imports ${t}`) : []));
    expect(out).toEqual([]);
  });

  it('the library never reaches the command line', () => {
    for (const entry of LIBRARY) {
      const seen = new Set<string>();
      const reach = (m: string): string[] | null => {
        if (CLI.has(m)) return [m];
        if (seen.has(m)) return null;
        seen.add(m);
        for (const t of graph.get(m) ?? []) {
          const found = reach(t);
          if (found) return [m, ...found];
        }
        return null;
      };
      expect(reach(entry) ?? [], `${entry} reaches the CLI`).toEqual([]);
    }
  });
});
