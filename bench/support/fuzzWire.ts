/**
 * Socket.IO spoken by hand over a WebSocket (engine.io 4, socket.io protocol 5), for the fuzzer: it sends
 * what socket.io-client refuses to (reserved event names, malformed packets, frames of any kind) and it
 * sees every packet the server sends back, so it counts acks per request id on the wire — an ack sent twice
 * would show here, where socket.io-client would quietly drop the second.
 */

/** What the server sent for one acknowledged request: the arguments of each ack packet with its id. */
export type AckListener = (id: number, args: unknown[]) => void;

export interface WireOptions {
  cookie?: string | undefined;
  /** Extra handshake headers (a hostile Origin, …). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Server events that announce the close of this page. */
const NOTICES = new Set(['session:replaced', 'session:removed', 'device:decision']);

/** Thrown when the server refuses the connection or the namespace (a CONNECT_ERROR, or the handshake fails). */
export class WireConnectError extends Error {
  override name = 'WireConnectError';
}

/**
 * One connection to the default namespace. Engine pings are answered; server events (pushes) are ignored
 * except those that say the server is about to close this page (`notice` records the last).
 */
export class WireSocket {
  readonly #ws: WebSocket;
  #nextId = 1;
  #closed = false;
  #closeReason = '';
  #notice: string | undefined;
  readonly #ackListeners: AckListener[] = [];
  readonly #closeListeners: ((reason: string) => void)[] = [];
  readonly #eventListeners: ((event: string, args: unknown[]) => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  /** Opens the WebSocket, connects to the namespace `/`, and answers once the server accepted it. */
  static async connect(url: string, o: WireOptions = {}): Promise<WireSocket> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.cookie) headers.cookie = o.cookie;
    const ws = new WebSocket(wsUrl, { headers } as unknown as string[]);
    ws.binaryType = 'arraybuffer';
    const socket = new WireSocket(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new WireConnectError('connect timed out'));
        ws.close();
      }, o.timeoutMs ?? 15_000);
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new WireConnectError(why));
      };
      ws.addEventListener('error', () => fail('websocket error'));
      ws.addEventListener('close', (e) => fail(`closed during connect (${e.code})`));
      ws.addEventListener('message', function first(e) {
        const data = typeof e.data === 'string' ? e.data : '';
        if (data.startsWith('0')) {
          ws.send('40');
        } else if (data.startsWith('40')) {
          clearTimeout(timer);
          ws.removeEventListener('message', first);
          socket.#listen();
          resolve();
        } else if (data.startsWith('44')) {
          fail(`connect error: ${data.slice(2, 200)}`);
          ws.close();
        }
      });
    });
    return socket;
  }

  #listen(): void {
    this.#ws.addEventListener('message', (e) => {
      if (typeof e.data !== 'string') return;
      this.#onFrame(e.data);
    });
    this.#ws.addEventListener('close', (e) => this.#onClose(`websocket closed (${e.code})`));
    this.#ws.addEventListener('error', () => this.#onClose('websocket error'));
  }

  #onFrame(frame: string): void {
    switch (frame[0]) {
      case '2':
        this.#send('3'); // engine ping → pong
        return;
      case '1':
        this.#onClose('engine close');
        return;
      case '4':
        this.#onPacket(frame.slice(1));
        return;
      default:
        return;
    }
  }

  #onPacket(packet: string): void {
    const type = packet[0];
    if (type === '1') {
      this.#onClose('server disconnect');
      return;
    }
    if (type !== '2' && type !== '3') return;
    let i = 1;
    let digits = '';
    while (i < packet.length && packet[i]! >= '0' && packet[i]! <= '9') digits += packet[i++];
    let args: unknown[] = [];
    try {
      const parsed: unknown = JSON.parse(packet.slice(i));
      if (Array.isArray(parsed)) args = parsed;
    } catch {
      args = [packet.slice(i)];
    }
    if (type === '3') {
      const id = Number(digits);
      for (const l of this.#ackListeners) l(id, args);
      return;
    }
    const [event, ...rest] = args;
    if (typeof event === 'string' && NOTICES.has(event)) this.#notice = event;
    for (const l of this.#eventListeners) l(String(event), rest);
  }

  #onClose(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    for (const l of this.#closeListeners) l(reason);
    try {
      this.#ws.close();
    } catch {
      // already closing
    }
  }

  #send(frame: string | Uint8Array): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(typeof frame === 'string' ? frame : new Uint8Array(frame));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get closeReason(): string {
    return this.#closeReason;
  }

  /** The last event by which the server told this page it is closed (another page took its place, the host removed it). */
  get notice(): string | undefined {
    return this.#notice;
  }

  /** Bytes the WebSocket still has to send. */
  get buffered(): number {
    return this.#ws.bufferedAmount;
  }

  onAck(listener: AckListener): void {
    this.#ackListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.#closeListeners.push(listener);
  }

  onEvent(listener: (event: string, args: unknown[]) => void): void {
    this.#eventListeners.push(listener);
  }

  /** A fresh ack id (the server answers with it). */
  nextId(): number {
    return this.#nextId++;
  }

  /**
   * An EVENT packet `[event, ...args]`, with an ack id if `id` is given. Binary arguments (Uint8Array)
   * travel as attachments, as Socket.IO sends them. Answers the encoded size of the text frame.
   */
  emit(event: string, args: unknown[], id?: number): number {
    const buffers: Uint8Array[] = [];
    const data = [event, ...args].map((a) => placeholders(a, buffers));
    const json = JSON.stringify(data);
    const head = buffers.length > 0 ? `45${buffers.length}-` : '42';
    const frame = `${head}${id ?? ''}${json}`;
    this.#send(frame);
    for (const b of buffers) this.#send(b);
    return Buffer.byteLength(frame);
  }

  /** A frame as it is: an engine.io packet of any kind, text or binary. */
  raw(frame: string | Uint8Array): void {
    this.#send(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#send('41');
    this.#onClose('client close');
  }
}

/** Replaces binary values by Socket.IO's attachment placeholders (top level and one level down). */
function placeholders(value: unknown, buffers: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    buffers.push(value);
    return { _placeholder: true, num: buffers.length - 1 };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.some(([, v]) => v instanceof Uint8Array))
      return Object.fromEntries(entries.map(([k, v]) => [k, placeholders(v, buffers)]));
  }
  return value;
}
