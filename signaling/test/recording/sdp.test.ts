import { describe, expect, it } from 'vitest';
import type { types as ms } from 'mediasoup';
import { recorderCapabilities, sdpOf } from '../../src/recording/sdp.ts';

describe('sdp', () => {
  it('consumes Opus and VP8 only, without RTX or header extensions, video with PLI', () => {
    const room: ms.RtpCapabilities = {
      codecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
        {
          kind: 'video',
          mimeType: 'video/VP8',
          clockRate: 90000,
          preferredPayloadType: 101,
          rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }],
        },
        { kind: 'video', mimeType: 'video/rtx', clockRate: 90000, preferredPayloadType: 102 },
        { kind: 'video', mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 103 },
      ],
      headerExtensions: [{ kind: 'video', uri: 'urn:3gpp:video-orientation', preferredId: 4 }],
    };
    const caps = recorderCapabilities(room);
    expect(caps.codecs?.map((c) => [c.mimeType, c.rtcpFeedback])).toEqual([
      ['audio/opus', []],
      ['video/VP8', [{ type: 'nack', parameter: 'pli' }]],
    ]);
    expect(caps.headerExtensions).toEqual([]);
  });

  it('writes one media line per consumer, on its port, with its payload type', () => {
    const sdp = sdpOf([
      {
        kind: 'video',
        port: 40000,
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
      },
      {
        kind: 'audio',
        port: 40002,
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        },
      },
    ]);
    expect(sdp.split('\r\n')).toEqual([
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=CloudSchool recording',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=video 40000 RTP/AVP 101',
      'a=rtpmap:101 VP8/90000',
      'a=recvonly',
      'm=audio 40002 RTP/AVP 100',
      'a=rtpmap:100 opus/48000/2',
      'a=recvonly',
      '',
    ]);
    expect(() => sdpOf([{ kind: 'audio', port: 1, rtpParameters: { codecs: [] } }])).toThrow();
  });
});
