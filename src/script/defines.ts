// Symbols in packets: a Fast Open cookie or an MD5 digest written as a name
// (`FOEXP TFO_COOKIE`), or an ICMP code (`icmp unreachable CODE`), stands for
// the value `-D NAME=...` gives it, as packetdrill's lexer substitutes any
// defined word. Upstream's runners pass `-D TFO_COOKIE=<hex>` and
// `-D CODE=host_unreachable`.

import type { Script, Span, TcpOptionAst } from './ast.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface UndefinedSymbol {
  name: string;
  span: Span;
}

/** A hex blob written as a name, and not also valid hex (`FOEXP abcd` is hex). */
export function isSymbolBlob(blob: string): boolean {
  return NAME.test(blob) && !/^[0-9a-fA-F]*$/.test(blob);
}

/**
 * Put the defined values in place of the names, in the script itself.
 * Returns the first name no define gives, or null.
 */
export function substituteDefines(script: Script, defines: Readonly<Record<string, string>>): UndefinedSymbol | null {
  for (const ev of script.events) {
    if (ev.kind === 'packet' && ev.packet.kind === 'icmp') {
      // `< icmp unreachable CODE` with `-D CODE=host_unreachable`.
      const code = ev.packet.code;
      if (code !== null && defines[code] !== undefined) ev.packet.code = defines[code]!;
      continue;
    }
    if (ev.kind !== 'packet' || ev.packet.kind !== 'tcp' || !Array.isArray(ev.packet.options)) continue;
    for (const o of ev.packet.options as TcpOptionAst[]) {
      if (o.kind === 'fastopen' && isSymbolBlob(o.cookie)) {
        const v = defines[o.cookie];
        if (v === undefined) return { name: o.cookie, span: o.span };
        o.cookie = v;
      } else if (o.kind === 'md5' && o.digest !== undefined && isSymbolBlob(o.digest)) {
        const v = defines[o.digest];
        if (v === undefined) return { name: o.digest, span: o.span };
        o.digest = v;
      }
    }
  }
  return null;
}
