/**
 * The local prompt-injection scanner: normalization, named rules and the hashed-n-gram model,
 * combined into one calibrated score. Direct text (what a user typed) is scored whole; indirect
 * text (tool outputs, documents) is scored by its most suspicious line/sentence window together
 * with the whole, so one inserted instruction stands out from a clean document around it.
 */
import type { InjectionResult, InjectionScanner, Surface } from '../types.js';
import { normalize } from '../normalize.js';
import { directMargin, documentMargins, MIN_WORDS, sigmoid, type InjectionModel } from './model.js';
import { DECISIVE_WEIGHT, matchRules } from './rules.js';

export interface InjectionThresholds {
  direct: number;
  indirect: number;
}

/** Texts are scanned in chunks of this many UTF-16 units so memory stays bounded on huge inputs. */
export const CHUNK = 64 * 1024;
/** Overlap between chunks, so an instruction cut by a chunk edge is whole in one of them. */
export const OVERLAP = 2 * 1024;
/** A weak signal that a detector only saw after decoding: hiding text is itself suspicious. */
const ENCODED_RULE = { name: 'obfuscation.encoded_payload', weight: 0.3 } as const;

/** What the model and the rules said about a text, before thresholds. */
export interface InjectionEvidence {
  modelScore: number;
  rules: Map<string, number>;
}

/** Splits a long text into overlapping chunks, cutting at a line break where one is near. */
export function chunks(text: string): string[] {
  if (text.length <= CHUNK) return [text];
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + CHUNK);
    if (end < text.length) {
      const lineBreak = text.lastIndexOf('\n', end);
      if (lineBreak > start + CHUNK / 2) end = lineBreak + 1;
      // Never split a surrogate pair: the halves would read as lone surrogates.
      const last = text.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end--;
    }
    out.push(text.slice(start, end));
    if (end >= text.length) break;
    start = Math.max(start + 1, end - OVERLAP);
  }
  return out;
}

/**
 * The model's probability for one reading of a text; 0 when the text has too few words for the
 * model to judge (ids, addresses, paths, labels), which leaves the decision to the rules.
 */
function modelScore(view: string, surface: Surface, model: InjectionModel): number {
  if (surface === 'direct') {
    const { margin, words } = directMargin(view, model.direct);
    if (words < MIN_WORDS) return 0;
    const [a, b] = model.directCalibration;
    return sigmoid(a * margin + b);
  }
  const [a, c, d, b] = model.indirectCalibration;
  const { maxWindow, whole, typical, words } = documentMargins(view, model.indirect);
  return words < MIN_WORDS ? 0 : sigmoid(a * maxWindow + c * whole + d * typical + b);
}

/** Gathers model and rule evidence over every chunk and every reading of `text`. */
export function gatherEvidence(text: string, surface: Surface, model: InjectionModel): InjectionEvidence {
  let best = 0;
  const rules = new Map<string, number>();
  const note = (name: string, weight: number): void => {
    if ((rules.get(name) ?? 0) < weight) rules.set(name, weight);
  };
  for (const chunk of chunks(text)) {
    const { canonical, decoded } = normalize(chunk);
    if (canonical.trim().length === 0 && decoded.length === 0) continue;
    best = Math.max(best, modelScore(canonical, surface, model));
    for (const hit of matchRules(canonical)) note(hit.name, hit.weight);
    for (const view of decoded) {
      best = Math.max(best, modelScore(view, surface, model));
      const hits = matchRules(view);
      for (const hit of hits) note(hit.name, hit.weight);
      if (hits.length > 0) note(ENCODED_RULE.name, ENCODED_RULE.weight);
    }
  }
  return { modelScore: best, rules };
}

/** Noisy-or of the model's probability and each fired rule's weight. */
export function combine(evidence: InjectionEvidence): number {
  let clean = 1 - evidence.modelScore;
  for (const weight of evidence.rules.values()) clean *= 1 - weight;
  return Math.min(1, Math.max(0, 1 - clean));
}

/** A scanner over a given model; index.ts wires in the trained one. */
export function createScannerFromModel(model: InjectionModel, thresholds: InjectionThresholds): InjectionScanner {
  return {
    scan(text: string, surface: Surface): InjectionResult {
      if (text.length === 0) return { flagged: false, score: 0, rules: [] };
      const evidence = gatherEvidence(text, surface, model);
      const score = combine(evidence);
      let decisive = false;
      for (const weight of evidence.rules.values()) if (weight >= DECISIVE_WEIGHT) decisive = true;
      const threshold = surface === 'direct' ? thresholds.direct : thresholds.indirect;
      return { flagged: decisive || score >= threshold, score, rules: [...evidence.rules.keys()].sort() };
    },
  };
}
