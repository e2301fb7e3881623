// A small server for the README's walkthrough of a listener incident: its
// workers answer a few requests, then get stuck: a stuck worker takes its
// connection and never reads from it or closes it, so a client that gives up
// and closes leaves the socket in CLOSE_WAIT with the request unread, and
// once no worker is free the listen queue fills.
//
//   node examples/stuck-workers.mjs [--port 8080] [--host 192.168.0.1] [--backlog 16] [--healthy 0]
//
// The backlog's default is $BACKLOG, else 16 (`pktdrill run -D BACKLOG=32`
// hands a script's commands BACKLOG=32: a new release of the server).
// --healthy N: the first N connections are answered (`ok`) and closed; every
// later one is taken by a stuck worker. Meant to run inside pktdrill's
// namespaces (`pktdrill probe --server ...`), where 192.168.0.1 exists.
import net from 'node:net';

const opts = { port: 8080, host: '192.168.0.1', backlog: Number(process.env.BACKLOG || 16), healthy: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '');
  const value = argv[++i];
  if (!(name in opts) || value === undefined) {
    console.error(`stuck-workers: unknown option ${argv[i - 1]}; expected --port, --host, --backlog or --healthy with a value`);
    process.exit(2);
  }
  opts[name] = name === 'host' ? value : Number(value);
}

let served = 0;
const stuck = [];
// pauseOnConnect: a connection is read only when a worker says so.
const server = net.createServer({ pauseOnConnect: true }, (sock) => {
  sock.on('error', () => {});
  if (served++ < opts.healthy) {
    sock.resume();
    sock.once('data', () => sock.end('ok\n'));
    return;
  }
  stuck.push(sock); // never read, never closed
});
server.on('error', (e) => {
  console.error(`stuck-workers: ${e.message}`);
  process.exit(1);
});
server.listen({ port: opts.port, host: opts.host, backlog: opts.backlog }, () => {
  console.log(`stuck-workers: listening on ${opts.host}:${opts.port}, backlog ${opts.backlog}, ${opts.healthy} answered, then stuck`);
});
