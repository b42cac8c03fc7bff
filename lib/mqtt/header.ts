/** Fixed-header facts shared by the encoder and the parser. */

/** Control packet type numbers (the high nibble of the first byte). */
export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

/** The largest remaining length four bytes can state. */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Bytes the remaining-length field takes for `length`. */
export function remainingLengthSize(length: number): number {
  return length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : 4;
}

/** Writes the remaining-length field at `offset`; returns the offset after it. */
export function writeRemainingLength(out: Uint8Array, offset: number, length: number): number {
  let o = offset;
  let rest = length;
  do {
    let digit = rest & 0x7f;
    rest >>>= 7;
    if (rest > 0) digit |= 0x80;
    out[o++] = digit;
  } while (rest > 0);
  return o;
}
