#!/usr/bin/env node
// Brings a fresh clone to a runnable state using only Node's built-ins:
// Debian packages, npm ci, the grammar, the native
// addon and the TypeScript build. Each step runs only when its output is
// missing or older than its inputs, so a second run costs almost nothing.
//
//   node bootstrap.mjs              everything `npm start` needs
//   node bootstrap.mjs --test       plus what the test suite needs (tshark, ...)
//   node bootstrap.mjs --build-only skip system packages and npm ci

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const quiet = !args.has('-v');

function say(msg) {
  process.stderr.write(`bootstrap: ${msg}\n`);
}
function fail(msg) {
  process.stderr.write(`bootstrap: ${msg}\n`);
  process.exit(2);
}
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    if (quiet) process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''));
    fail(`'${cmd} ${argv.join(' ')}' failed (exit ${r.status})`);
  }
  return r.stdout ?? '';
}
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}
function newest(dir, exts) {
  let best = -1;
  if (!existsSync(dir)) return best;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) best = Math.max(best, newest(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) best = Math.max(best, mtime(p));
  }
  return best;
}

// ---------------------------------------------------------------- Debian packages
function systemPackages() {
  const need = [];
  const check = [
    ['iproute2', () => has('ip') && has('tc')],
    ['ethtool', () => has('ethtool')],
    ['util-linux', () => has('unshare') && has('setpriv') && has('nsenter')],
    ['procps', () => has('sysctl')],
    ['python3', () => has('python3')],
    ['make', () => has('make')],
    ['g++', () => has('g++')],
  ];
  if (args.has('--test')) {
    check.push(['tshark', () => has('tshark')]);
    check.push(['tcpdump', () => has('tcpdump')]);
    // The HTML report is rendered and screenshotted in headless Chromium; JUnit checked by xmllint.
    check.push(['chromium', () => has('chromium')]);
    check.push(['libxml2-utils', () => has('xmllint')]);
    check.push(['bc', () => has('bc')]);
  }
  for (const [pkg, ok] of check) if (!ok()) need.push(pkg);
  if (need.length === 0) return;
  if (process.geteuid?.() !== 0) fail(`missing Debian packages: ${need.join(' ')} (run as root, or: sudo apt-get install ${need.join(' ')})`);
  say(`installing Debian packages: ${need.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...need], { env });
}

// ---------------------------------------------------------------- npm ci
function npmDeps() {
  const stamp = join(root, 'node_modules', '.package-lock.json');
  if (mtime(stamp) >= mtime(join(root, 'package-lock.json')) && existsSync(join(root, 'node_modules', '.bin', 'vitest'))) return;
  say('npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// ---------------------------------------------------------------- build
function nodeGyp() {
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) fail('node-gyp not found (it ships with npm)');
  return found;
}

async function build() {
  const grammarOut = join(root, 'src', 'script', 'grammar.generated.js');
  if (existsSync(join(root, 'grammar', 'pkt.peggy')) && mtime(grammarOut) < mtime(join(root, 'grammar', 'pkt.peggy'))) {
    say('compiling grammar');
    run(process.execPath, [join(root, 'node_modules', 'peggy', 'bin', 'peggy.js'), '--format', 'es', '--dts', '-o', grammarOut, join(root, 'grammar', 'pkt.peggy')]);
  }
  const addon = join(root, 'build', 'Release', 'pktdrill_native.node');
  // The sandbox launcher is built with the addon (binding.gyp): the older of the two decides.
  const launcher = join(root, 'build', 'Release', 'pktdrill_sandbox');
  const sources = Math.max(
    newest(join(root, 'src', 'syscalls', 'native'), ['.cc', '.h', '.inc']),
    newest(join(root, 'src', 'link', 'native'), ['.cc', '.h']),
    newest(join(root, 'src', 'sandbox', 'native'), ['.c', '.h']),
    mtime(join(root, 'binding.gyp')),
  );
  if (existsSync(join(root, 'binding.gyp')) && Math.min(mtime(addon), mtime(launcher)) < sources) {
    say('building native addon');
    const gypArgs = ['rebuild'];
    if (existsSync('/usr/include/node/node_api.h')) gypArgs.push('--nodedir=/usr');
    run(process.execPath, [nodeGyp(), ...gypArgs]);
  }
  const distStamp = join(root, 'dist', 'cli.js');
  if (mtime(distStamp) < Math.max(newest(join(root, 'src'), ['.ts', '.js']), mtime(join(root, 'tsconfig.json')))) {
    say('compiling TypeScript');
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')]);
  }
  await bundle();
}

/**
 * The two programs a run starts (the CLI and the script's process), each
 * bundled into one file: Node's module loader costs about 1 ms a module, and
 * a run loads some 60 in each process (28 ms of the CLI's 44, measured:
 * bench/RESULTS.md). bin/pktdrill.js and the runner use a bundle only when
 * it is newer than the compiled modules it was made from.
 */
async function bundle() {
  const out = join(root, 'dist', 'bundle');
  const entries = { cli: join(root, 'dist', 'cli.js'), 'child-entry': join(root, 'dist', 'sandbox', 'child-entry.js') };
  const stale = Object.entries(entries).some(([name, from]) => mtime(join(out, `${name}.js`)) < mtime(from));
  if (!stale) return;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    say('esbuild not installed: running from the compiled modules (slower start)');
    return;
  }
  say('bundling');
  await esbuild.build({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (!args.has('--build-only')) {
  systemPackages();
  npmDeps();
}
await build();
