/**
 * The subscriber side of bench/fanout.ts, in its own process so it does not share
 * the server's event loop: opens N SSE connections, counts events per connection
 * and, for latency runs, records now − event.timestamp for every delivery on a
 * tenth of the connections.
 * Talks to the parent over IPC.
 */
import net from 'node:net';

interface Command {
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  readonly expect: number;
  readonly latency: boolean;
}

const TIMESTAMP = /"timestamp":"([^"]+)"/g;

process.on('message', (command: Command) => {
  const { hostname, port } = new URL(command.url);
  const latencies: number[] = [];
  let finished = 0;
  let opened = 0;
  const sockets: net.Socket[] = [];
  const started = performance.now();
  for (let i = 0; i < command.connections; i++) {
    const socket = net.connect(Number(port), hostname);
    sockets.push(socket);
    let seen = 0;
    let carry = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      socket.write(`GET ${command.path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on('data', (text: string) => {
      if (opened < command.connections && text.startsWith('HTTP/1.1 200')) {
        opened++;
        if (opened === command.connections) process.send!({ kind: 'open' });
      }
      const now = Date.now();
      const chunk = carry + text;
      let index = chunk.indexOf('\nid: ');
      let last = 0;
      while (index !== -1) {
        seen++;
        last = index + 5;
        index = chunk.indexOf('\nid: ', last);
      }
      // Latency is sampled on every tenth connection: parsing all of them would make this process the bottleneck.
      if (command.latency && i % 10 === 0) {
        TIMESTAMP.lastIndex = 0;
        let match: RegExpExecArray | null;
        while ((match = TIMESTAMP.exec(text)) !== null) latencies.push(now - Date.parse(match[1]!));
      }
      carry = chunk.slice(Math.max(last, chunk.length - 8));
      if (seen === command.expect) {
        finished++;
        if (finished === command.connections) {
          process.send!({ kind: 'done', ms: performance.now() - started, latencies: command.latency ? latencies : [] });
          for (const s of sockets) s.destroy();
        }
      }
    });
    socket.on('error', (error) => process.send!({ kind: 'error', message: error.message }));
  }
});
