/** The part of the HTTP fuzz that is not HTTP at all: raw bytes to the HTTP port, one connection each. */
import net from 'node:net';
import type { Tally } from './fuzzTally.ts';
import { excerpt } from './fuzzTally.ts';

const RAW_HTTP: string[] = [
  'GARBAGE\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20_000) + '\r\n\r\n',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'GET /api/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/lessons/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/lessons/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://evil.example/api/auth/me HTTP/1.1\r\nHost: evil.example\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\nHost: x\n\n',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"username":',
  'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /socket.io/?EIO=4&transport=polling&sid=forged HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n4xx',
  'GET /socket.io/?EIO=3&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: bad\r\n\r\n',
  '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  '',
];

/** Raw bytes to the HTTP port, one connection each: the server answers under 500 or closes. */
export async function rawHttpCampaign(o: {
  url: string;
  count: number;
  tally: Tally;
  seed: number;
}): Promise<void> {
  const url = new URL(o.url);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < o.count; k = next++) await one(k);
  };
  const one = async (k: number): Promise<void> => {
    const text = RAW_HTTP[k % RAW_HTTP.length]!;
    const where = 'raw HTTP';
    o.tally.input(where, 'raw', 'anonymous');
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname);
      let received = '';
      const done = (s: string): void => {
        socket.destroy();
        resolve(s);
      };
      // Half a request (a body shorter than its length, nothing at all) is waited for: Node's own timeouts.
      socket.setTimeout(2000, () =>
        done(received ? statusOf(received) : 'no answer yet (waits for the rest)'),
      );
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
        if (received.includes('\r\n\r\n')) done(statusOf(received));
      });
      socket.on('error', () => done(received ? statusOf(received) : 'closed'));
      socket.on('close', () => done(received ? statusOf(received) : 'closed'));
      socket.on('connect', () => socket.write(Buffer.from(text, 'latin1')));
    });
    o.tally.answer(where, outcome);
    const status = Number(/^\d+/.exec(outcome)?.[0] ?? 0);
    if (status >= 500)
      o.tally.find({
        kind: '5xx',
        where,
        detail: outcome,
        input: excerpt(text.slice(0, 300)),
        replay: `raw HTTP #${k % RAW_HTTP.length}`,
      });
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

const statusOf = (received: string): string => /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 'not HTTP';
