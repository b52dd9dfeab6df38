/**
 * Just enough SRTP to check that a load test's packets really are what the worker encrypts for a
 * browser: AEAD_AES_256_GCM (RFC 7714) with libsrtp's key derivation (RFC 3711 §4.3, AES-256 PRF per
 * RFC 6188). A sink decrypts a sample of packets; a wrong key, IV or tag makes the decrypt fail.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const KEY_BYTES = 32;
const SALT_BYTES = 12;
const TAG_BYTES = 16;
const LABEL_RTP_ENCRYPTION = 0x00;
const LABEL_RTP_SALT = 0x02;

export interface SrtpSessionKeys {
  key: Buffer;
  salt: Buffer;
}

/**
 * Session key and salt from the 44-byte master key + salt of the SDES-like `keyBase64`. libsrtp pads the
 * 12-byte GCM master salt with zeros to the 14 bytes of the AES-CM PRF and puts the label in byte 7.
 */
export function srtpSessionKeys(keyBase64: string): SrtpSessionKeys {
  const master = Buffer.from(keyBase64, 'base64');
  if (master.length !== KEY_BYTES + SALT_BYTES) throw new Error(`SRTP master key: ${master.length} bytes`);
  const masterKey = master.subarray(0, KEY_BYTES);
  const masterSalt = master.subarray(KEY_BYTES);
  const derive = (label: number, length: number): Buffer => {
    const iv = Buffer.alloc(16);
    masterSalt.copy(iv);
    iv[7]! ^= label;
    const prf = createCipheriv('aes-256-ctr', masterKey, iv);
    return Buffer.concat([prf.update(Buffer.alloc(length)), prf.final()]);
  };
  return { key: derive(LABEL_RTP_ENCRYPTION, KEY_BYTES), salt: derive(LABEL_RTP_SALT, SALT_BYTES) };
}

/** Length of the RTP header (fixed part, CSRCs, extension): the AEAD's associated data. */
export function rtpHeaderLength(packet: Buffer): number {
  const csrcs = packet[0]! & 0x0f;
  let length = 12 + 4 * csrcs;
  if (packet[0]! & 0x10) {
    if (packet.length < length + 4) return -1;
    length += 4 + 4 * packet.readUInt16BE(length + 2);
  }
  return length <= packet.length ? length : -1;
}

/**
 * Decrypts one SRTP packet (RFC 7714 §8): IV = salt XOR (0x0000 ‖ SSRC ‖ ROC ‖ SEQ), AAD = the RTP
 * header, ciphertext ‖ 16-byte tag. Answers the plaintext payload, or null when the tag does not verify.
 */
export function decryptSrtp(keys: SrtpSessionKeys, packet: Buffer, roc: number): Buffer | null {
  const headerLength = rtpHeaderLength(packet);
  if (headerLength < 0 || packet.length < headerLength + TAG_BYTES) return null;
  const iv = Buffer.alloc(SALT_BYTES);
  packet.copy(iv, 2, 8, 12); // SSRC
  iv.writeUInt32BE(roc >>> 0, 6);
  packet.copy(iv, 10, 2, 4); // sequence number
  for (let i = 0; i < SALT_BYTES; i++) iv[i]! ^= keys.salt[i]!;
  const decipher = createDecipheriv('aes-256-gcm', keys.key, iv);
  decipher.setAAD(packet.subarray(0, headerLength));
  decipher.setAuthTag(packet.subarray(packet.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(packet.subarray(headerLength, packet.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return null;
  }
}
