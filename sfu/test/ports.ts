/** Ports for tests' WebRtcServers: free for both UDP and TCP now, so parallel runs and leftovers never clash. */
import dgram from 'node:dgram';
import net from 'node:net';

const LOW = 20_000;
const HIGH = 30_000;

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports, each free for UDP and TCP on loopback. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = (await tcpFree(p)) && (await udpFree(p));
    if (free) return base;
  }
  throw new Error('no free port range for a test server');
}
