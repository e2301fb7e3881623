import { readFileSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { parseScript } from '../src/script/parse.js';
import { newConfig, applyOption, finishConfig } from '../src/engine/options.js';
import { renderScriptToPcap } from '../src/pcap/render.js';
import { decodePcap } from '../src/pcap/read.js';
import { pcapToPkt } from '../src/pcap/pcap2pkt.js';
it('rt', async () => {
  for (const f of ['passive-open', 'active-open-nonblocking', 'connect-refused', 'synack-retransmit']) {
    const src = readFileSync(`/work/main/scripts-tcp/${f}.pkt`, 'utf8');
    const s = parseScript(src, f);
    if (!s.ok) throw new Error(JSON.stringify(s.error));
    const cfg = newConfig();
    const r = renderScriptToPcap(s.value, cfg, { file: f });
    if (!r.ok) throw new Error(r.error);
    writeFileSync(`/tmp/p2p/${f}.pcap`, r.value.pcap);
    const tr = await decodePcap(r.value.pcap, f + '.pcap');
    if (!tr.ok) throw new Error(tr.error);
    const out = pcapToPkt(tr.value, { source: f + '.pcap', localIs: f.includes('passive') || f.includes('synack') ? 'acceptor' : 'opener' });
    console.log(r.value.warnings, out.ok ? out.value.script + out.value.warnings.join('\n') : out.error);
  }
});
