import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../src/http/listen.js';
import { startAaepServer, type AaepServer, type AaepServerOptions } from '../../src/http/startAaepServer.js';
import { publishSession } from '../helpers/fakeSession.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function serve(options: Omit<AaepServerOptions, 'hub' | 'port'> = {}): Promise<{ hub: EventHub; server: AaepServer }> {
  const hub = new EventHub();
  const server = await startAaepServer({ hub, port: 0, ...options });
  cleanups.push(() => server.close());
  return { hub, server };
}

/** Sends `text` over a raw socket, then (if given) one more byte every `everyMs`; resolves with what the server said once it closed. */
function rawClient(server: AaepServer, text: string, everyMs?: number): Promise<string> {
  const socket = connect(server.port, '127.0.0.1');
  let heard = '';
  socket.on('data', (chunk: Buffer) => (heard += chunk.toString('latin1')));
  socket.on('error', () => {});
  const trickle = everyMs === undefined ? undefined : setInterval(() => socket.writable && socket.write('x'), everyMs);
  cleanups.push(() => {
    clearInterval(trickle);
    socket.destroy();
  });
  socket.write(text);
  return new Promise((resolve) => socket.once('close', () => {
    clearInterval(trickle);
    resolve(heard);
  }));
}

describe('startAaepServer deadlines', () => {
  it('answers 408 and disconnects a client slow to send its headers or its body, while an event stream outlives both deadlines', async () => {
    const { hub, server } = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const stream = await connectSse(`${server.url}/aaep/v1/events`);
    cleanups.push(() => stream.close());
    const [slowHeaders, slowBody] = await Promise.all([
      rawClient(server, 'POST /aaep/v1/replies HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
      rawClient(server, 'POST /aaep/v1/replies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', 100),
    ]);
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408 /);
    expect(slowBody).toMatch(/^HTTP\/1\.1 408 /);
    // The stream, open since before both were cut off, still delivers.
    publishSession(hub, 2);
    await stream.waitFor(sessionDone());
    expectLegalStream(stream.events);
  }, 15_000);

  it('takes its deadlines from the options, else AAEP_HEADERS_TIMEOUT_MS and AAEP_REQUEST_TIMEOUT_MS, else 10 s and 30 s', async () => {
    const saved = { headers: process.env.AAEP_HEADERS_TIMEOUT_MS, request: process.env.AAEP_REQUEST_TIMEOUT_MS };
    cleanups.push(() => {
      for (const [name, value] of [['AAEP_HEADERS_TIMEOUT_MS', saved.headers], ['AAEP_REQUEST_TIMEOUT_MS', saved.request]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    delete process.env.AAEP_HEADERS_TIMEOUT_MS;
    delete process.env.AAEP_REQUEST_TIMEOUT_MS;
    const defaults = (await serve()).server.server;
    expect([defaults.headersTimeout, defaults.requestTimeout]).toEqual([DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS]);
    expect([DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS]).toEqual([10_000, 30_000]);
    process.env.AAEP_HEADERS_TIMEOUT_MS = '2000';
    process.env.AAEP_REQUEST_TIMEOUT_MS = '5000';
    const fromEnv = (await serve()).server.server;
    expect([fromEnv.headersTimeout, fromEnv.requestTimeout]).toEqual([2000, 5000]);
    const fromOptions = (await serve({ headersTimeoutMs: 1000, requestTimeoutMs: 3000 })).server.server;
    expect([fromOptions.headersTimeout, fromOptions.requestTimeout]).toEqual([1000, 3000]);
    await expect(serve({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).rejects.toThrow(/must not exceed/);
  });
});
