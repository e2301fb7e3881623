import { describe, expect, it } from 'vitest';
import { wellFormedVerdict } from '../src/runner.js';

// The parent reads the script process's verdict as JSON: what it relies on
// (a failure's message is text) is checked at that boundary.
describe('wellFormedVerdict', () => {
  it('keeps a well-formed verdict as it is', () => {
    const v = { file: 'a.pkt', passed: false, failures: [{ kind: 'timing', span: null, message: 'timing error: late' }], trace: [], durationMs: 3, seed: 7 };
    expect(wellFormedVerdict(v, 'a.pkt', 7)).toEqual(v);
  });

  it('turns a failure whose message is not text into a readable one, and the run fails', () => {
    const v = { file: 'a.pkt', passed: true, failures: [{ kind: 'syscall', span: null, message: { x: 1 } }], trace: [], durationMs: 3, seed: 7 };
    const w = wellFormedVerdict(v, 'a.pkt', 7);
    expect(w.passed).toBe(false);
    expect(w.failures[0]!.message).toBe('internal error: a failure whose message is not text: {"x":1}');
    expect(w.failures[0]!.message.startsWith('timing error:')).toBe(false);
  });

  it('a missing verdict or failure list is a set-up failure of that script', () => {
    expect(wellFormedVerdict(null, 'b.pkt', 1).failures[0]!.message).toBe("internal error: the script's process sent no verdict");
    expect(wellFormedVerdict({ passed: true }, 'b.pkt', 1).failures[0]!.message).toBe("internal error: the script's process sent a verdict without failures");
    expect(wellFormedVerdict({ passed: true, failures: [3] }, 'b.pkt', 1).failures[0]!.message).toBe("internal error: the script's process sent the failure 3");
  });
});
