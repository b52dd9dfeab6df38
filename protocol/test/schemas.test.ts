import { describe, expect, it } from 'vitest';
import { requestSchemas } from '@cloudschool/protocol';

describe('protocol schemas', () => {
  const produce = requestSchemas['media:produce'];
  const base = {
    transportId: 't1',
    kind: 'video',
    source: 'camera',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }] },
  };

  it('accepts real RTP parameters and keeps unknown keys mediasoup may need', () => {
    const parsed = produce.parse({
      ...base,
      rtpParameters: { ...base.rtpParameters, encodings: [{ ssrc: 1, extra: true }], mid: '0' },
    });
    expect(parsed.rtpParameters.encodings?.[0]).toEqual({ ssrc: 1, extra: true });
  });

  it('bounds sizes', () => {
    const many = Array.from({ length: 17 }, () => base.rtpParameters.codecs[0]);
    expect(produce.safeParse({ ...base, rtpParameters: { codecs: many } }).success).toBe(false);
    const longParam = {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      parameters: { a: 'x'.repeat(257) },
    };
    expect(produce.safeParse({ ...base, rtpParameters: { codecs: [longParam] } }).success).toBe(false);
    const nested = {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      parameters: { a: { deep: 1 } },
    };
    expect(produce.safeParse({ ...base, rtpParameters: { codecs: [nested] } }).success).toBe(false);
  });

  it('rejects impossible values', () => {
    expect(produce.safeParse({ ...base, kind: 'screen' }).success).toBe(false);
    const badPt = { mimeType: 'video/VP8', payloadType: 300, clockRate: 90000 };
    expect(produce.safeParse({ ...base, rtpParameters: { codecs: [badPt] } }).success).toBe(false);
    expect(
      requestSchemas['media:connectPlainTransport'].safeParse({ transportId: 't', ip: 'x', port: 1 }).success,
    ).toBe(false);
  });
});
