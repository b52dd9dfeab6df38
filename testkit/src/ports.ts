/**
 * Ports for test servers and their media: free now, so parallel runs, leftovers and a running `npm start` never
 * clash. A range handed out once by this process is not handed out again, so ranges asked for one after the
 * other (an HTTP port, then media ports, then plain ports) never overlap even before anything binds them.
 */
import dgram from 'node:dgram';
import net from 'node:net';

const LOW = 20_000;
const HIGH = 30_000;

/** Ranges this process handed out: [first, last] inclusive. */
const handedOut: [number, number][] = [];

const overlaps = (first: number, count: number): boolean =>
  handedOut.some(([a, b]) => first <= b && a <= first + count - 1);

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

/** Whether every port of `first` … `first + count − 1` is free on loopback, for UDP and TCP. */
export async function rangeFree(first: number, count: number): Promise<boolean> {
  for (let p = first; p < first + count; p++) if (!(await tcpFree(p)) || !(await udpFree(p))) return false;
  return true;
}

/** The first of `count` consecutive ports, each free for UDP and TCP on loopback, anywhere in 20000–29999. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    if (overlaps(base, count)) continue;
    if (await rangeFree(base, count)) {
      handedOut.push([base, base + count - 1]);
      return base;
    }
  }
  throw new Error('no free port range for a test server');
}

/**
 * The first block of `count` free ports at `from`, `from + step`, `from + 2·step` …, below `below`: for tools
 * that want predictable ports near a default (the cluster launcher), but never ones in use.
 */
export async function freePortRangeFrom(
  from: number,
  count: number,
  o: { step?: number; below?: number } = {},
): Promise<number> {
  const step = o.step ?? count;
  const below = o.below ?? 65_536;
  for (let base = from; base + count <= below; base += step) {
    if (overlaps(base, count)) continue;
    if (await rangeFree(base, count)) {
      handedOut.push([base, base + count - 1]);
      return base;
    }
  }
  throw new Error(`no ${count} free ports from ${from} below ${below}`);
}

/** A TCP port nobody listens on: bind port 0, read what the OS gave, close. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => {
          if (address !== null && typeof address === 'object') resolve(address.port);
          else reject(new Error('no port assigned'));
        });
      });
    });
    if (overlaps(port, 1)) continue;
    handedOut.push([port, port]);
    return port;
  }
  throw new Error('no free port');
}
