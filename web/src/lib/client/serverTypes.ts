/**
 * The protocol types mediasoup parameters with the server's mediasoup (3.19),
 * whose list of RTP header extension URIs has one that mediasoup-client
 * (3.24) lacks ('toffset'). The data is the same thing, but the types do not
 * assign, so they are bridged here, in one place. mediasoup-client validates
 * both objects at run time (Device.load, Transport.consume) and throws on
 * anything malformed.
 */
import type { types } from 'mediasoup-client';
import type { ConsumerInfo, JoinResult } from '@cloudschool/protocol';

export function clientRtpCapabilities(caps: JoinResult['routerRtpCapabilities']): types.RtpCapabilities {
  return caps as types.RtpCapabilities;
}

export function clientRtpParameters(params: ConsumerInfo['rtpParameters']): types.RtpParameters {
  return params as types.RtpParameters;
}
