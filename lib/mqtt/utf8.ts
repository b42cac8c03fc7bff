/**
 * UTF-8 for MQTT strings, without TextEncoder/TextDecoder (not every host has them).
 * MQTT strings are well-formed UTF-8 with no U+0000 and no surrogate code points, and at most
 * 65535 bytes long [MQTT-1.5.3].
 */

export const MAX_STRING_BYTES = 0xffff;

// XS finds a string's index i by scanning from its start, so a plain charCodeAt(i) loop is quadratic
// there (9 ms for a 3.5 KB JSON text on a PC). Long strings are therefore walked a slice of at most
// SLICE units at a time (charCodeAt within a short slice), which stays linear enough on XS and is as
// fast as the plain loop on V8. A slice never ends between the two halves of a surrogate pair.
const SLICE = 64;

function sliceAt(text: string, start: number): string {
  if (start === 0 && text.length <= SLICE) return text;
  const end = start + SLICE;
  const last = text.charCodeAt(end - 1);
  return text.slice(start, last >= 0xd800 && last <= 0xdbff ? end + 1 : end);
}

/**
 * Bytes `text` takes in UTF-8. A lone surrogate counts as U+FFFD (3 bytes), which is what
 * `encodeUtf8Into` writes for it, so both agree even for strings `isMqttString` refuses.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let start = 0; start < text.length; ) {
    const part = sliceAt(text, start);
    const n = part.length;
    start += n;
    bytes += n;
    for (let i = 0; i < n; i++) {
      const c = part.charCodeAt(i);
      if (c < 0x80) continue;
      if (c < 0x800) bytes += 1;
      else if (c <= 0xdbff && c >= 0xd800 && i + 1 < n && isLowSurrogate(part.charCodeAt(i + 1))) {
        bytes += 2; // 2 UTF-16 units -> 4 bytes
        i++;
      } else bytes += 2;
    }
  }
  return bytes;
}

/** Writes `text` as UTF-8 at `offset`; returns the offset after it. `out` must have room (see utf8Length). */
export function encodeUtf8Into(text: string, out: Uint8Array, offset: number): number {
  let o = offset;
  for (let start = 0; start < text.length; ) {
    const part = sliceAt(text, start);
    const n = part.length;
    start += n;
    for (let i = 0; i < n; i++) {
      let c = part.charCodeAt(i);
      if (c < 0x80) {
        out[o++] = c;
      } else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6);
        out[o++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? part.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && isLowSurrogate(next)) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[o++] = 0xf0 | (c >> 18);
          out[o++] = 0x80 | ((c >> 12) & 0x3f);
          out[o++] = 0x80 | ((c >> 6) & 0x3f);
          out[o++] = 0x80 | (c & 0x3f);
        } else {
          out[o++] = 0xef; // a lone surrogate: U+FFFD, as Node's own encoder writes it
          out[o++] = 0xbf;
          out[o++] = 0xbd;
        }
      } else {
        out[o++] = 0xe0 | (c >> 12);
        out[o++] = 0x80 | ((c >> 6) & 0x3f);
        out[o++] = 0x80 | (c & 0x3f);
      }
    }
  }
  return o;
}

/**
 * Writes a short all-ASCII `text` (at most 64 units) at `offset`, returning the offset after it, or
 * -1 as soon as a character is not ASCII: one pass where utf8Length + encodeUtf8Into take two.
 */
export function writeShortAscii(text: string, out: Uint8Array, offset: number): number {
  const n = text.length;
  if (n > SLICE) return -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    out[offset + i] = c;
  }
  return offset + n;
}

/** UTF-8 bytes of `text` (lone surrogates become U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  encodeUtf8Into(text, out, 0);
  return out;
}

/** True when `text` may travel as an MQTT string: no U+0000, no lone surrogate, at most 65535 UTF-8 bytes. */
export function isMqttString(text: string): boolean {
  if (text.length > MAX_STRING_BYTES) return false;
  for (let start = 0; start < text.length; ) {
    const part = sliceAt(text, start);
    const n = part.length;
    start += n;
    for (let i = 0; i < n; i++) {
      const c = part.charCodeAt(i);
      if (c === 0) return false;
      if (c >= 0xd800 && c <= 0xdfff) {
        if (c > 0xdbff || i + 1 >= n || !isLowSurrogate(part.charCodeAt(i + 1))) return false;
        i++;
      }
    }
  }
  return utf8Length(text) <= MAX_STRING_BYTES;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Decodes bytes[start, end) strictly: undefined unless well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) without U+0000.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b === 0 || b >= 0x80) break;
    i++;
  }
  if (i === end) return asciiString(bytes, start, end);
  let text = i > start ? asciiString(bytes, start, i) : '';
  // UTF-16 units are collected and turned into a string a batch at a time, not one character at a time.
  const units: number[] = [];
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0) return undefined;
      units.push(b);
      i++;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (i + 1 >= end) return undefined;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return undefined;
      units.push(((b & 0x1f) << 6) | (b1 & 0x3f));
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (i + 2 >= end) return undefined;
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return undefined;
      const code = ((b & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      units.push(code);
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (i + 3 >= end) return undefined;
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      const b3 = bytes[i + 3]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return undefined;
      const code = ((b & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (code < 0x10000 || code > 0x10ffff) return undefined;
      units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      i += 4;
    } else {
      return undefined;
    }
    if (units.length >= BATCH) {
      text += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return units.length > 0 ? text + String.fromCharCode.apply(null, units) : text;
}

/** Characters turned into a string per call (well within every engine's argument limit). */
const BATCH = 4096;

/** bytes[start, end) are all ASCII (checked by the caller). */
export function asciiString(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    // Eight characters per call: about twice as fast as `apply` on V8 for short strings (no view to make).
    let text = '';
    let i = start;
    for (; i + 8 <= end; i += 8)
      text += String.fromCharCode(bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!, bytes[i + 4]!, bytes[i + 5]!, bytes[i + 6]!, bytes[i + 7]!);
    for (; i < end; i++) text += String.fromCharCode(bytes[i]!);
    return text;
  }
  if (end - start <= BATCH) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  let text = '';
  for (let i = start; i < end; i += BATCH) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(i + BATCH, end)) as unknown as number[]);
  }
  return text;
}
