/** Identifiers used in topics and payloads: locations, device types, device ids, groups, command ids. */

export const MAX_ID_LENGTH = 32;

/** 1..32 characters of lowercase `a-z`, digits and `-`: safe as a topic level (no `/`, `+`, `#`, `$`). */
export function isId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const lower = c >= 0x61 && c <= 0x7a;
    const digit = c >= 0x30 && c <= 0x39;
    if (!lower && !digit && c !== 0x2d) return false;
  }
  return true;
}
