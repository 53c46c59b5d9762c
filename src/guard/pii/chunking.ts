/**
 * Splitting text for services with a byte limit, and converting code-point offsets back to
 * JavaScript string indices.
 */

export interface Chunk {
  text: string;
  /** UTF-16 index of the chunk's first character in the original text. */
  offset: number;
}

/**
 * Splits `text` into chunks of at most `maxBytes` UTF-8 bytes, preferring to cut after
 * whitespace so an entity is rarely split, and never inside a surrogate pair.
 */
export function chunkByUtf8Bytes(text: string, maxBytes: number): Chunk[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must be at least 4');
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < text.length) {
    let bytes = 0;
    let i = start;
    let lastBreak = -1;
    while (i < text.length) {
      const code = text.codePointAt(i) ?? 0;
      const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      if (bytes + width > maxBytes) break;
      bytes += width;
      i += code > 0xffff ? 2 : 1;
      if (code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d) lastBreak = i;
    }
    // Cut at the last whitespace when it keeps at least half the chunk; else cut hard.
    const end = i >= text.length || lastBreak <= start + (i - start) / 2 ? i : lastBreak;
    chunks.push({ text: text.slice(start, end), offset: start });
    start = end;
  }
  return chunks;
}

/**
 * Returns a function mapping code-point offsets in `text` to UTF-16 indices. Texts without
 * astral characters map to themselves, which is the common case and costs nothing.
 */
export function codePointToUtf16(text: string): (codePoint: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) return (cp) => cp;
  const units: number[] = [];
  let u = 0;
  for (const ch of text) {
    units.push(u);
    u += ch.length;
  }
  units.push(u);
  return (cp) => units[Math.min(Math.max(cp, 0), units.length - 1)] ?? u;
}
