/**
 * The outcome of parsing bytes off the wire. Parsing never throws on hostile
 * input; it returns `{ ok: false, error }` with a short text naming the layer
 * and what is wrong, e.g. "ipv4: header length 16 < 20".
 */
export type Result<T> = { ok: true; value: T } | Failure;

/**
 * `truncated`: the bytes end before what their headers say is there (a
 * capture cut by its snap length, say), as against bytes that are wrong.
 */
export type Failure = { ok: false; error: string; truncated?: true };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (error: string): Failure => ({ ok: false, error });
/** A failure because the bytes stop short (see `Failure.truncated`). */
export const truncated = (error: string): Failure => ({ ok: false, error, truncated: true });

/**
 * Emitters trust their input and throw RangeError on a value that cannot be
 * represented (a bug in the caller, not a wire condition). This is that check:
 * `v` must be an integer in [0, max].
 */
export function checkUint(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} ${v} out of range 0..${max}`);
}
