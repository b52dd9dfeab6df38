/** A transport, producer or consumer id that this peer or room does not have. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** A media operation the SFU refused (e.g. incompatible RTP capabilities). */
export class MediaError extends Error {
  override name = 'MediaError';
}

/**
 * The object asked is closed (or closed while the call was under way): the Sfu, a room, a peer or NodePipes.
 * A MediaError, so a client that raced a close sees `media_error`.
 */
export class InvalidStateError extends MediaError {
  override name = 'InvalidStateError';
}
