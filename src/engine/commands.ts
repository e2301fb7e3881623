// Shell commands (`` `...` ``): run in the script's namespace at their time,
// with -D symbols in their environment. A command that leaves a program
// running (a server under test) does not hold the script up; what such a
// program writes is kept and shown if the script fails.

import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { CommandEvent } from '../script/ast.js';
import type { BackgroundProgram, RunState } from './state.js';
import type { TimedEvent } from './timing.js';

/** A command line at its time (or the init command, before the clock starts). */
export function runCommand(s: RunState, ev: CommandEvent, te: TimedEvent): Promise<void> {
  if (s.hooks.rehearsal) return Promise.resolve();
  const startUsecs = s.clock.started ? s.clock.nowUsecs() : 0;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(s.cfg.defines)) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', ev.command], { cwd: s.cfg.commandDir ?? dirname(s.file), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (b: Buffer) => {
      if (out.length < 65536) out += b.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    // 'exit', not 'close': a command that leaves a server running in the
    // background keeps the pipes open, and must not hold the script up.
    // Whatever that server writes later is kept (its last 8 KiB) and shown
    // if the script fails.
    let closed = false;
    let bg: BackgroundProgram | null = null;
    child.on('close', () => {
      closed = true;
      if (bg) bg.ended = true;
    });
    child.on('exit', async (code, signal) => {
      // A failed command's last words may still be in the pipe: give them
      // a moment (its pipes close at once unless it left a program running).
      if (code !== 0) await new Promise<void>((r) => (closed ? r() : (child.once('close', () => r()), setTimeout(r, 100))));
      child.stdout.removeListener('data', take);
      child.stderr.removeListener('data', take);
      if (closed || (child.stdout.readableEnded && child.stderr.readableEnded)) {
        child.stdout.destroy();
        child.stderr.destroy();
        // A program written to run in the background (`... &`) that is
        // gone already: its words are what a failure will want to show.
        if (/&\s*$/.test(ev.command.trim())) s.background.push({ command: ev.command.trim(), line: ev.span.line, text: out.slice(-8192), ended: true });
      } else {
        const running = { command: ev.command.trim(), line: ev.span.line, text: out.slice(-8192), ended: false };
        bg = running;
        const keep = (b: Buffer) => {
          running.text = (running.text + b.toString('utf8')).slice(-8192);
        };
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        s.background.push(running);
      }
      s.record({ timeUsecs: startUsecs, expectedUsecs: te.time, line: ev.span.line, kind: 'command', text: ev.command.trim(), ok: code === 0 });
      if (code !== 0) {
        const status = signal ? `got signal ${signal}` : `non-zero status ${code}`;
        try {
          s.fail({
            kind: 'command',
            span: ev.span,
            message: `error executing \`${ev.command.trim()}\` command: ${status}`,
            detail: out.trim() || undefined,
            command: ev.command.trim(),
          });
        } catch (e) {
          reject(e);
          return;
        }
      }
      resolve();
    });
    child.on('error', (e) => {
      try {
        s.fail({ kind: 'command', span: ev.span, message: `error executing \`${ev.command.trim()}\` command: ${e.message}`, command: ev.command.trim() });
      } catch (e2) {
        reject(e2);
        return;
      }
      resolve();
    });
  });
}

/**
 * Whether a command left a program running: one that kept our pipes open,
 * or one written to run in the background (`... &`).
 */
export function startedServer(s: RunState): boolean {
  if (s.background.length > 0) return true;
  return s.script.events.some((e) => e.kind === 'command' && /&\s*$/m.test(e.command.trim()));
}

/** What the programs that commands started wrote, for a failure's detail. */
export function backgroundOutputs(s: RunState): string[] {
  return s.background
    .filter((b) => b.text.trim())
    .map((b) => {
      const first = b.command.split('\n')[0]!;
      const shown = first.length > 60 || b.command.includes('\n') ? `${first.slice(0, 60)} ...` : first;
      return `output of \`${shown}\` (line ${b.line}), ${b.ended ? 'ended' : 'still running'}:\n${b.text.trimEnd()}`;
    });
}
