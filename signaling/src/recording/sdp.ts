import type { types as ms } from 'mediasoup';

/** One consumer as ffmpeg receives it: RTP on `port` (RTCP muxed in; ffmpeg also holds port + 1). */
export interface SdpStream {
  readonly kind: ms.MediaKind;
  readonly port: number;
  readonly rtpParameters: ms.RtpParameters;
}

/**
 * The capabilities the recorder consumes with: the room's Opus and VP8 as they are (ffmpeg copies both into
 * WebM), no RTX (ffmpeg sends no NACKs), no header extensions (it reads none), PLI only.
 */
export function recorderCapabilities(room: ms.RtpCapabilities): ms.RtpCapabilities {
  const codecs = (room.codecs ?? [])
    .filter((c) => c.mimeType.toLowerCase() === 'audio/opus' || c.mimeType.toLowerCase() === 'video/vp8')
    .map((c) => ({
      ...c,
      rtcpFeedback: c.kind === 'video' ? [{ type: 'nack', parameter: 'pli' }] : [],
    }));
  return { codecs, headerExtensions: [] };
}

/** The SDP ffmpeg reads its input from: one media line per consumer, on loopback. */
export function sdpOf(streams: readonly SdpStream[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=CloudSchool recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const { kind, port, rtpParameters } of streams) {
    const codec = rtpParameters.codecs[0];
    if (!codec) throw new Error(`a ${kind} consumer without a codec`);
    const name = codec.mimeType.split('/')[1] ?? codec.mimeType;
    const channels = kind === 'audio' && codec.channels ? `/${codec.channels}` : '';
    lines.push(
      `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
      `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
      'a=recvonly',
    );
  }
  return lines.join('\r\n') + '\r\n';
}
