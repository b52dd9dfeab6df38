/** A transport, producer or consumer id that this peer or room does not have. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** A media operation the SFU refused (e.g. incompatible RTP capabilities). */
export class MediaError extends Error {
  override name = 'MediaError';
}
