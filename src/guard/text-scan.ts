import type { InjectionResult, InjectionScanner, PiiEntity, PiiScanner, Surface } from './types.js';

/** What `warden scan` reports for one input. PII offsets are Unicode code points, so any language can use them. */
export interface TextScanReport {
  injection: InjectionResult;
  pii: Array<{ type: string; start: number; end: number; score: number }>;
  redacted: string;
}

export interface TextScanners {
  injection: InjectionScanner;
  pii: PiiScanner;
  mask: (text: string, entities: PiiEntity[]) => string;
}

/** Code points in `text` before UTF-16 index `index`. */
export function codePointOffset(text: string, index: number, from = 0): number {
  let count = 0;
  for (let i = from; i < index; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; a lone surrogate counts as one.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < index) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Scans one text held in memory. */
export function scanText(text: string, scanners: TextScanners, surface: Surface): TextScanReport {
  const scan = new WindowedScan(scanners, surface);
  const head = scan.push(text);
  const { redacted, ...rest } = scan.finish();
  return { ...rest, redacted: head + redacted };
}

/**
 * Scans a text that arrives in pieces, in windows of bounded size: memory stays bounded however
 * long the input. Each window keeps an overlap with the next so an entity or an injected sentence
 * that straddles a boundary is still seen whole; entities starting in the overlap are left for the
 * next window, which sees them again.
 */
export class WindowedScan {
  private buffer = '';
  /** Code points already emitted, the base for the offsets of the next window. */
  private base = 0;
  private score = 0;
  private flagged = false;
  private readonly rules = new Set<string>();
  private readonly entities: TextScanReport['pii'] = [];

  constructor(
    private readonly scanners: TextScanners,
    private readonly surface: Surface,
    private readonly window = 256 * 1024,
    private readonly overlap = 1024,
  ) {}

  /** Adds text; returns the redacted text that is final so far. */
  push(chunk: string): string {
    this.buffer += chunk;
    let out = '';
    while (this.buffer.length >= this.window + this.overlap) out += this.scanWindow(false);
    return out;
  }

  /** Scans what is left and returns the report, whose `redacted` is the text not yet returned by `push`. */
  finish(): TextScanReport {
    const redacted = this.scanWindow(true);
    return {
      injection: { flagged: this.flagged, score: Math.round(this.score * 1e4) / 1e4, rules: [...this.rules].sort() },
      pii: this.entities,
      redacted,
    };
  }

  private scanWindow(final: boolean): string {
    const text = final ? this.buffer : this.buffer.slice(0, this.window + this.overlap);
    const verdict = this.scanners.injection.scan(text, this.surface);
    this.score = Math.max(this.score, verdict.score);
    this.flagged ||= verdict.flagged;
    for (const r of verdict.rules) this.rules.add(r);

    let cut = final ? text.length : this.window;
    const found = this.scanners.pii.scan(text);
    const kept: PiiEntity[] = [];
    for (const e of found) {
      if (!final && e.start >= this.window) continue; // seen again, whole, in the next window
      kept.push(e);
      cut = Math.max(cut, e.end);
    }
    if (!final && cut < text.length) {
      // Never cut between the two halves of a surrogate pair.
      const c = text.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut++;
    }
    // Offsets are converted in one pass over the window, entities in order.
    let at = 0;
    let points = 0;
    const toPoints = (index: number) => {
      if (index < at) return codePointOffset(text, index);
      points += codePointOffset(text, index, at);
      at = index;
      return points;
    };
    for (const e of [...kept].sort((a, b) => a.start - b.start)) {
      const start = toPoints(e.start);
      this.entities.push({ type: e.type, start: this.base + start, end: this.base + start + codePointOffset(text, e.end, e.start), score: e.score });
    }
    const emitted = text.slice(0, cut);
    this.base += codePointOffset(emitted, emitted.length);
    this.buffer = this.buffer.slice(cut);
    return kept.length ? this.scanners.mask(emitted, kept) : emitted;
  }
}
