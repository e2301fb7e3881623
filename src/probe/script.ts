// Writing the probe's scripts. One writer makes both kinds: a measuring
// script, whose kernel calls read (`= ...`) and whose only expected packets
// are the SYN-ACKs a handshake needs, and a pinning script (--write-scripts),
// the same timeline with every read replaced by the value measured and the
// packets seen written as expectations, so that it passes against the same
// server and fails at its line when the server or the kernel changes.

/** The server under test and where it listens. */
export interface ProbeTarget {
  /** A shell command that starts the server (it must listen on localIp or the wildcard, at port). */
  server: string;
  port: number;
  localIp: string;
  /** `name=value` sysctls for every script's namespace, before the script's own. */
  sysctls: string[];
  /** Where the server runs (its working directory). */
  cwd: string;
}

/** What a pinning script asserts: the value of each labelled read, and lines to add after a label. */
export interface Pins {
  reads: Record<string, string>;
  /** Lines (expectations of packets seen) to write after the labelled event. */
  after: Record<string, string[]>;
}

export class PktWriter {
  private readonly out: string[] = [];
  private readonly labels = new Map<string, number>();

  constructor(readonly pins: Pins | null) {}

  get pinning(): boolean {
    return this.pins !== null;
  }

  comment(text: string): void {
    for (const l of text.split('\n')) this.out.push(l ? `// ${l}` : '//');
  }

  blank(): void {
    this.out.push('');
  }

  /** An event line; with a label, the pins' lines for it follow. */
  line(time: string, body: string, label?: string): void {
    // A multi-line command is several lines of the file; a label names its first.
    const lines = (time ? `${time.padEnd(5)}${body}` : body).split('\n');
    const at = this.out.length + 1;
    this.out.push(...lines);
    if (label) this.mark(label, at);
  }

  /** A line only a pinning script has. */
  pinLine(time: string, body: string): void {
    if (this.pins) this.line(time, body);
  }

  /** A kernel call that reads when measuring and asserts the measured value when pinning. */
  read(label: string, time: string, call: string): void {
    const v = this.pins?.reads[label];
    if (this.pins && v === undefined) return; // not measured: not pinned
    this.out.push(`${time.padEnd(5)}${call} = ${v ?? '...'}`);
    this.mark(label, this.out.length);
  }

  private mark(label: string, line: number): void {
    this.labels.set(label, line);
    for (const l of this.pins?.after[label] ?? []) this.out.push(l);
  }

  /** The 1-based line of a labelled event. */
  lineOf(label: string): number | undefined {
    return this.labels.get(label);
  }

  text(): string {
    return this.out.join('\n') + '\n';
  }
}

/** The shell's single quotes around a word. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The backtick command that starts the server in the background, from its own directory. */
export function serverCommand(t: ProbeTarget): string {
  // A comment in the command would take the closing parenthesis with it.
  const end = t.server.includes('#') ? '\n' : '';
  return `\`(cd ${shellQuote(t.cwd)} && ${t.server.replace(/`/g, '\\`')}${end}) &\``;
}

/**
 * The start every probe script shares: options, the sysctls (the target's,
 * then the script's own), the server, and the listener's backlog read (the
 * first kernel call waits, bounded, for the server to listen). `freeze`
 * stops every process but the script's own (SIGSTOP to -1 in the script's
 * PID namespace), so that the server accepts and reads nothing while the
 * queues are filled.
 */
export function prologue(w: PktWriter, t: ProbeTarget, own: string[], freeze: boolean): void {
  if (t.port !== 8080) w.line('', `--bind_port=${t.port}`);
  if (t.localIp !== '192.168.0.1') w.line('', `--local_ip=${t.localIp}`);
  const sysctls = [...t.sysctls, ...own];
  if (sysctls.length) w.line('', `\`${sysctls.map((s) => `sysctl -q ${shellQuote(s)}`).join('\n')}\``);
  w.blank();
  w.line('0', serverCommand(t));
  w.comment('Waits until the server listens; its backlog: listen()\'s N clamped to net.core.somaxconn.');
  w.read('backlog', '+0', `listen_queue(${t.port})`);
  if (freeze) {
    w.comment('Stop the server (every process but this script\'s): it accepts and reads nothing now.');
    w.line('+0', '`kill -STOP -1`');
  }
}

/** `41000..41009>8080`, or one port. */
export function ports(first: number, count: number, port: number): string {
  return count === 1 ? `${first}>${port}` : `${first}..${first + count - 1}>${port}`;
}

/** `8080>41000..41009`, or one port. */
export function outPorts(first: number, count: number, port: number): string {
  return count === 1 ? `${port}>${first}` : `${port}>${first}..${first + count - 1}`;
}
