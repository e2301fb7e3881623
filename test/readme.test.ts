// The README is the user's manual: its examples must keep working.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptFile } from '../src/runner.js';
import { explain } from '../src/testing.js';

const readme = readFileSync('README.md', 'utf8');

/** The fenced block that follows a heading. */
function blockAfter(heading: string): string {
  const at = readme.indexOf(heading);
  expect(at, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
  return m![1]!;
}

describe('README', () => {
  it('starts with the two set-up commands', () => {
    const head = readme.split('\n').slice(0, 10).join('\n');
    expect(head).toMatch(/npm start/);
    expect(head).toMatch(/npm test/);
  });

  it("the language section's example script passes on this kernel", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktdrill-readme-'));
    const file = join(dir, 'example.pkt');
    writeFileSync(file, blockAfter('## The language'));
    const r = await runScriptFile(file);
    expect(r.status, explain(r)).toBe('pass');
  });

  it('the commands of "Running scripts" that take one script or check work as shown', () => {
    const lines = blockAfter('## Running scripts')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l.startsWith('npx pktdrill') && (l.includes('passive-open.pkt') || l.includes(' check ')));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const args = line.split(/\s+/).slice(2);
      // Throws (and fails the test) on a non-zero exit.
      execFileSync(process.execPath, ['bin/pktdrill.js', ...args], { stdio: 'pipe' });
    }
  });

  it("the upstream corpus command's options work (on a script of ours, in the corpus's stead)", () => {
    const command = blockAfter('### Running the public packetdrill corpus').replace(/\\\n\s*/g, ' ').trim();
    const args = command.split(/\s+/).slice(2);
    expect(args.pop()).toBe('tools/testing/selftests/net/packetdrill/');
    const out = execFileSync(process.execPath, ['bin/pktdrill.js', ...args, 'scripts-tcp/passive-open.pkt', 'scripts-tcp/fastopen-server-cookie-define.pkt'], { encoding: 'utf8' });
    expect(out).toMatch(/^2 passed, 0 failed$/m);
  });
});
