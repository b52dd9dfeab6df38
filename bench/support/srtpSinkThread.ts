/**
 * One sink thread: a few UDP sockets that receive the SRTP of many classrooms' plain transports. The
 * worker sends each transport's packets from its own port, so the source port names the classroom.
 * Per stream (SSRC) it counts packets and follows the sequence number, which gives loss without any
 * feedback to the worker; it decrypts a sample of packets with the transport's key to prove they are the
 * worker's SRTP. Counting stays on this thread; the main thread asks for snapshots.
 */
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { decryptSrtp, srtpSessionKeys } from './srtp.ts';
import type { SrtpSessionKeys } from './srtp.ts';
import type { SinkCommand, SinkReply, SinkThreadOptions, StreamCounts } from './srtpSink.ts';

const { sockets: socketCount, recvBufferBytes, decryptEvery } = workerData as SinkThreadOptions;

interface Stream {
  counts: StreamCounts;
  /** The last sequence numbers (extended) by their low bits: a packet already there is a duplicate. */
  recent: Int32Array;
}

const RECENT = 1024;

interface Classroom {
  id: number;
  keys: SrtpSessionKeys;
  streams: Map<number, Stream>;
}

const bySourcePort = new Map<number, Classroom>();
const wallNow = (): number => performance.timeOrigin + performance.now();

function onPacket(packet: Buffer, rinfo: dgram.RemoteInfo): void {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return;
  const pt = packet[1]! & 0x7f;
  if (pt >= 72 && pt <= 76) return; // SRTCP (sender reports), multiplexed on the same port
  const classroom = bySourcePort.get(rinfo.port);
  if (!classroom) return;
  const ssrc = packet.readUInt32BE(8);
  const seq = packet.readUInt16BE(2);
  let stream = classroom.streams.get(ssrc);
  /** This packet's sequence number extended past wraps (the worker's SRTP index). */
  let index = seq;
  if (!stream) {
    stream = {
      counts: {
        ssrc,
        firstAt: wallNow(),
        packets: 0,
        duplicates: 0,
        bytes: 0,
        firstSeq: seq,
        highestSeq: seq,
        decrypted: 0,
        decryptFailed: 0,
      },
      recent: new Int32Array(RECENT).fill(-1),
    };
    classroom.streams.set(ssrc, stream);
  } else {
    // Signed distance from the highest sequence number seen: forward moves it (across a wrap too).
    const delta = ((seq - (stream.counts.highestSeq & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    index = stream.counts.highestSeq + delta;
    if (delta > 0) stream.counts.highestSeq = index;
  }
  const counts = stream.counts;
  counts.bytes += packet.length;
  if (stream.recent[index % RECENT] === index) {
    counts.duplicates++;
    return;
  }
  stream.recent[index % RECENT] = index;
  counts.packets++;
  if (counts.packets % decryptEvery === 1 || decryptEvery === 1) {
    // The worker's rollover counter is 0 at its first packet, which is the first one here.
    if (decryptSrtp(classroom.keys, packet, Math.floor(index / 0x10000))) counts.decrypted++;
    else counts.decryptFailed++;
  }
}

const sockets: dgram.Socket[] = [];
for (let i = 0; i < socketCount; i++) {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: recvBufferBytes });
  socket.on('message', onPacket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sockets.push(socket);
}

function threadCpuMicros(): number {
  const { user, system } = process.threadCpuUsage();
  return user + system;
}

const reply = (message: SinkReply): void => parentPort!.postMessage(message);

parentPort!.on('message', (command: SinkCommand) => {
  switch (command.type) {
    case 'add':
      bySourcePort.set(command.sourcePort, {
        id: command.classroom,
        keys: srtpSessionKeys(command.keyBase64),
        streams: new Map(),
      });
      break;
    case 'snapshot':
      reply({
        type: 'snapshot',
        requestId: command.requestId,
        at: wallNow(),
        cpuMicros: threadCpuMicros(),
        classrooms: [...bySourcePort.values()].map((c) => ({
          classroom: c.id,
          streams: [...c.streams.values()].map((x) => x.counts),
        })),
      });
      break;
    case 'close':
      for (const s of sockets) s.close();
      parentPort!.close();
      break;
  }
});

reply({ type: 'ready', ports: sockets.map((s) => s.address().port) });
