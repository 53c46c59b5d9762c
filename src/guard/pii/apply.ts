import type { PiiEntity } from '../types.js';

export type ApplyMode = 'mask' | 'redact';

export interface ApplyOptions {
  /** Replacement used by `redact` (default `[REDACTED]`). */
  redaction?: string;
}

/**
 * Rewrites `text` so that no detected value survives.
 * - `mask` replaces each entity with its type in brackets: `[EMAIL_ADDRESS]`, keeping the shape of
 *   the message readable for a model or a human.
 * - `redact` replaces each entity with one fixed marker (`[REDACTED]` by default), so not even the
 *   kind of data leaks.
 * Overlapping entities are resolved first (highest score, then longest), and entities outside
 * the text are clamped, so the output never contains a partially replaced value.
 */
export function applyPii(text: string, entities: readonly PiiEntity[], mode: ApplyMode, options: ApplyOptions = {}): string {
  if (entities.length === 0) return text;
  const clamped = entities
    .map((e) => ({ ...e, start: Math.max(0, e.start), end: Math.min(text.length, e.end) }))
    .filter((e) => e.end > e.start);
  const spans = mergeOverlaps(clamped);
  const redaction = options.redaction ?? '[REDACTED]';
  let out = '';
  let cursor = 0;
  for (const e of spans) {
    out += text.slice(cursor, e.start) + (mode === 'mask' ? `[${e.type}]` : redaction);
    cursor = e.end;
  }
  return out + text.slice(cursor);
}

/**
 * Overlapping entities become one replaced region covering all of them (so no tail of a
 * shorter or lower-scored entity leaks), labelled with its best entity: highest score, then longest.
 */
function mergeOverlaps(entities: readonly PiiEntity[]): PiiEntity[] {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiEntity[] = [];
  let group: PiiEntity | undefined;
  let best: PiiEntity | undefined;
  for (const e of sorted) {
    if (group !== undefined && best !== undefined && e.start < group.end) {
      group.end = Math.max(group.end, e.end);
      if (e.score > best.score || (e.score === best.score && e.end - e.start > best.end - best.start)) best = e;
      group.type = best.type;
      continue;
    }
    group = { ...e };
    best = e;
    out.push(group);
  }
  return out;
}
