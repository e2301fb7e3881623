// The calls that wait for readiness: poll and the epoll family, with their
// events shown by name as packetdrill shows them.

import type { Expr } from '../script/ast.js';
import { CallError } from './calls.js';
import { arg, fd, fieldOf, structArg, type Env, type Handler } from './syscall-args.js';

/** packetdrill's names for poll bits, in its table's order (first match wins). */
const POLL_NAMES = [
  'POLLIN',
  'POLLPRI',
  'POLLOUT',
  'POLLRDNORM',
  'POLLRDBAND',
  'POLLWRNORM',
  'POLLWRBAND',
  'POLLMSG',
  'POLLREMOVE',
  'POLLRDHUP',
  'POLLERR',
  'POLLHUP',
  'POLLNVAL',
];

/** packetdrill's flags_to_string: each set bit, low to high, by name ("???" if unnamed), joined by |; "" for none. */
export function pollFlagsToString(flags: number, consts: Record<string, number>): string {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    if (Math.floor(flags / mask) % 2 === 0) continue;
    out.push(POLL_NAMES.find((n) => consts[n] === mask) ?? '???');
  }
  return out.join('|');
}

interface EpollEventSpec {
  events: number;
  /** Which member of epoll_data the script named. */
  kind: 'fd' | 'ptr' | 'u32' | 'u64';
  /** The script's value: a script fd for `fd`. */
  value: bigint;
}

function epollEvent(env: Env, e: Expr | undefined): EpollEventSpec {
  const s = structArg(e, 'an epoll_event: {events=..., fd=N}');
  const ev = fieldOf(s, 'events');
  if (!ev) throw new CallError('epoll_event specified incorrectly', s);
  const events = env.evalr.int(ev.value) >>> 0;
  for (const kind of ['ptr', 'fd', 'u32', 'u64'] as const) {
    const f = fieldOf(s, kind);
    if (!f) continue;
    const v = env.evalr.value(f.value);
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new CallError(`epoll_event ${kind} must be an integer`, f);
    return { events, kind, value: BigInt(v) };
  }
  throw new CallError('epoll_event specified incorrectly', s);
}

/** The epoll_data the kernel holds for a script event: fds become live fds. */
function epollData(env: Env, spec: EpollEventSpec): bigint {
  if (spec.kind === 'fd') return BigInt(env.fds.live(Number(spec.value)) >>> 0);
  if (spec.kind === 'u32') return spec.value & 0xffffffffn;
  return BigInt.asUintN(64, spec.value);
}

// ---------------------------------------------------------------- the calls

export const pollCalls: Record<string, Handler> = {
  // poll([{fd=3, events=POLLIN, revents=POLLIN}, ...], nfds, timeout)
  poll: (env) => {
    const list = arg(env, 0);
    if (list.kind !== 'array') throw new CallError('expected a pollfd array: [{fd=N, events=..., revents=...}, ...]', list);
    const pollfds = list.items.map((item) => {
      const s = structArg(item, 'a pollfd: {fd=N, events=..., revents=...}');
      const f = fieldOf(s, 'fd');
      const ev = fieldOf(s, 'events');
      if (!f || !ev) throw new CallError('a pollfd needs fd and events', s);
      const rev = fieldOf(s, 'revents');
      return { fd: env.fds.live(env.evalr.int(f.value)), events: env.evalr.int(ev.value), revents: rev ? env.evalr.int(rev.value) : 0 };
    });
    const nfds = env.evalr.int(arg(env, 1));
    if (nfds !== pollfds.length) throw new CallError(`nfds ${nfds} does not match ${pollfds.length}-element pollfd array`, arg(env, 1));
    return {
      op: 'poll',
      args: [pollfds.map((p) => ({ fd: p.fd, events: p.events })), env.evalr.int(arg(env, 2))],
      check: (res) => {
        const got = res.revents ?? [];
        for (let i = 0; i < pollfds.length; i++) {
          const want = pollfds[i]!.revents;
          const have = got[i] ?? 0;
          if (have !== want) {
            return `Expected revents of ${pollFlagsToString(want, env.consts)} but got ${pollFlagsToString(have, env.consts)} for pollfd ${i}`;
          }
        }
        return null;
      },
    };
  },

  epoll_create: (env) => ({ op: 'epoll_create', args: [env.evalr.int(arg(env, 0))] }),
  // epoll_ctl(epfd, op, fd, {events=..., fd=fd}): the data is the live fd.
  epoll_ctl: (env) => {
    const scriptFd = env.evalr.int(arg(env, 2));
    const ev = epollEvent(env, arg(env, 3));
    if (ev.kind === 'fd' && Number(ev.value) !== scriptFd) throw new CallError('wrong fd specified in epoll_event', arg(env, 3));
    return { op: 'epoll_ctl', args: [fd(env), env.evalr.int(arg(env, 1)), env.fds.live(scriptFd), ev.events, epollData(env, ev)] };
  },
  // epoll_wait(epfd, {events=..., fd=N}, maxevents, timeout): the first
  // event returned (zeros if none) must match.
  epoll_wait: (env) => {
    const ev = epollEvent(env, arg(env, 1));
    const want = epollData(env, ev);
    return {
      op: 'epoll_wait',
      args: [fd(env), env.evalr.int(arg(env, 2)), env.evalr.int(arg(env, 3))],
      check: (res) => {
        const first = res.events?.[0] ?? { events: 0, data: 0n };
        const events = first.events >>> 0;
        if (events !== ev.events) {
          return `epoll_event->events does not match script: expected: 0x${ev.events.toString(16)} actual: 0x${events.toString(16)}`;
        }
        const data = BigInt(first.data);
        switch (ev.kind) {
          case 'fd': {
            // Shown as script fds (packetdrill shows its live ones).
            const live = Number(BigInt.asIntN(32, data));
            if (live !== Number(want)) {
              const shown = env.fds.scriptFd(live) ?? live;
              return `epoll_event->data does not match script: expected: ${ev.value} actual: ${shown}`;
            }
            return null;
          }
          case 'u32':
            if ((data & 0xffffffffn) !== want) return `epoll_event->data does not match script: expected: ${want} actual: ${data & 0xffffffffn}`;
            return null;
          case 'ptr':
            if (data !== want) return `epoll_event->data does not match script: expected: 0x${want.toString(16)} actual: 0x${data.toString(16)}`;
            return null;
          case 'u64':
            if (data !== want) return `epoll_event->data does not match script: expected: ${want} actual: ${data}`;
            return null;
        }
      },
    };
  },
};
