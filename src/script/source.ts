// Reading a script's text, safely: only a regular file, and only up to a
// size no script comes near. A FIFO, a device (/dev/zero behind a symlink)
// or a huge file gets one line saying why, instead of blocking the tool or
// filling its memory.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { err, ok, type Result } from './errors.js';

/** The largest script read: 16 MiB. */
export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/** The text of a script file, or why it cannot be read (`is a directory`; the caller says which file). */
export function readScriptSource(file: string, maxBytes = MAX_SCRIPT_BYTES): Result<string, string> {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return err(`${describe(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return err(`is a directory`);
    if (!st.isFile()) return err(`not a regular file`);
    if (st.size > maxBytes) return err(`file is larger than ${mib(maxBytes)}`);
    // Read to the end, never more than the bound plus one byte (a file
    // may grow after fstat).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) return err(`file is larger than ${mib(maxBytes)}`);
    }
    return ok(Buffer.concat(chunks, total).toString('utf8'));
  } catch (e) {
    return err(`${describe(e)}`);
  } finally {
    closeSync(fd);
  }
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}
