/**
 * An optional learned injection classifier: any Hugging Face sequence-classification model
 * exported to ONNX (Llama Prompt Guard 2, a DeBERTa fine-tune, ...), run in-process on the CPU
 * with onnxruntime-node and tokenized with @huggingface/tokenizers.
 *
 * Both packages are optionalDependencies and are imported only when a classifier is loaded, so
 * Warden runs without them. Everything that can be wrong with the files — missing, not ONNX, the
 * wrong inputs or outputs, a label that does not exist — is found by loadOnnxClassifier, which
 * also runs the model once, so a gateway that starts never fails on its first scan instead.
 *
 * Texts longer than the model's window are scored as overlapping token windows and the text
 * takes the highest window score: an injection appended to a long document must not be lost to
 * truncation. Work per text is capped by `maxWindows`.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { WardenError } from '../../core/errors.js';
import type { TextClassifier } from '../types.js';

export interface OnnxClassifierOptions {
  /** Path to the .onnx file. */
  model: string;
  /** Path to the Hugging Face tokenizer.json exported with the model. */
  tokenizer: string;
  /** Path to tokenizer_config.json; defaults to the one beside tokenizer.json, if there is one. */
  tokenizerConfig?: string;
  /** Tokens per window, special tokens included (the model's max_position_embeddings). Default 512. */
  maxLength?: number;
  /**
   * Which logit is "injection". 'last' (the default) fits binary [benign, malicious] models such
   * as Prompt Guard 2; an array sums several classes (Prompt Guard 1: [1, 2] = injection + jailbreak).
   * Ignored for a single-logit model, which is read through a sigmoid.
   */
  positiveLabel?: number | readonly number[] | 'last';
  /** Windows per inference call. Default 8. */
  batchSize?: number;
  /**
   * The most windows scored per text, which bounds the work a huge text can cause. Up to that,
   * windows cover the text with a quarter overlap; past it they are spread evenly from the first
   * token to the last, so the head and the tail are always scored. Default 16.
   */
  maxWindows?: number;
  /** onnxruntime's intra-op threads; its default is one per physical core. */
  threads?: number;
  /** The classifier's name in verdicts and logs; default `onnx:<model file name>`. */
  name?: string;
}

const DEFAULT_MAX_LENGTH = 512;
const DEFAULT_BATCH_SIZE = 8;
const DEFAULT_MAX_WINDOWS = 16;
/** The inputs a text classifier export can have; anything else we could not fill in. */
const FEEDABLE_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

type OrtModule = typeof Ort;

/**
 * The slice of @huggingface/tokenizers' Tokenizer used here. Its published types import their
 * Encoding without a file extension, which nodenext cannot resolve, so `ids` would be `any`.
 */
interface Tokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
}

/**
 * Imports an optional dependency, turning its absence into advice. Exported for tests; the
 * loader is a parameter so the missing case can be simulated.
 */
export async function importOptional<T>(pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isMissingPackage(err, pkg)) throw new WardenError('unavailable', `the ONNX classifier needs the optional package ${pkg}: npm i ${pkg}`);
    throw new WardenError('unavailable', `the ONNX classifier could not load ${pkg}: ${messageOf(err)}`);
  }
}

export async function loadOnnxClassifier(options: OnnxClassifierOptions): Promise<TextClassifier> {
  const maxLength = positiveInteger(options.maxLength, DEFAULT_MAX_LENGTH, 'maxLength');
  const batchSize = positiveInteger(options.batchSize, DEFAULT_BATCH_SIZE, 'batchSize');
  const maxWindows = positiveInteger(options.maxWindows, DEFAULT_MAX_WINDOWS, 'maxWindows');
  const threads = options.threads === undefined ? undefined : positiveInteger(options.threads, 1, 'threads');

  const ort = await loadOrt();
  const { Tokenizer: HfTokenizer } = await importOptional('@huggingface/tokenizers', () => import('@huggingface/tokenizers'));

  const tokenizerJson = await readJsonObject(options.tokenizer, 'tokenizer');
  const configPath = options.tokenizerConfig ?? path.join(path.dirname(options.tokenizer), 'tokenizer_config.json');
  const tokenizerConfig = options.tokenizerConfig !== undefined || (await isFile(configPath)) ? await readJsonObject(configPath, 'tokenizer config') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new HfTokenizer(tokenizerJson, tokenizerConfig);
  } catch (err) {
    throw new WardenError('config_invalid', `tokenizer ${options.tokenizer}: not a usable Hugging Face tokenizer.json: ${messageOf(err)}`);
  }
  const encoder = windowEncoder(tokenizer, maxLength, maxWindows, options.tokenizer);
  const padId = padTokenId(tokenizer, tokenizerJson, tokenizerConfig);

  if (!(await isFile(options.model))) throw new WardenError('config_invalid', `ONNX model ${options.model}: no such file`);
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(options.model, {
      graphOptimizationLevel: 'all',
      // Warnings (unused initializers, fallbacks) would go straight to the gateway's stderr.
      logSeverityLevel: 3,
      ...(threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: 1 }),
    });
  } catch (err) {
    throw new WardenError('config_invalid', `ONNX model ${options.model}: cannot be loaded: ${messageOf(err)}`);
  }

  try {
    const io = inspectModel(session, options.model);
    const runner = new Runner(ort, session, io, padId, batchSize);
    // One real run settles what metadata may leave open (a symbolic label count) and proves the
    // graph accepts our tensors, at load time rather than on the first guarded call.
    const labels = await runner.probe(encoder.windows('Warden load check'), encoder.windows('')).catch((err: unknown) => {
      throw new WardenError('config_invalid', `ONNX model ${options.model}: does not run as a text classifier: ${messageOf(err)}`);
    });
    if (io.labels !== undefined && io.labels !== labels) {
      throw new WardenError('config_invalid', `ONNX model ${options.model}: declares ${io.labels} labels but returned ${labels}`);
    }
    runner.setPositive(positiveIndices(options.positiveLabel ?? 'last', labels, options.model));
    return new OnnxClassifier(options.name ?? `onnx:${path.basename(options.model)}`, encoder, runner, session);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}

class OnnxClassifier implements TextClassifier {
  private closed = false;

  constructor(
    readonly name: string,
    private readonly encoder: WindowEncoder,
    private readonly runner: Runner,
    private readonly session: Ort.InferenceSession,
  ) {}

  async classify(texts: string[]): Promise<number[]> {
    if (this.closed) throw new Error(`${this.name} is closed`);
    const windows = texts.flatMap((text, owner) => this.encoder.windows(text).map((ids) => ({ owner, ids })));
    const probabilities = await this.runner.score(windows.map((w) => w.ids));
    const scores = new Array<number>(texts.length).fill(0);
    windows.forEach((w, i) => {
      scores[w.owner] = Math.max(scores[w.owner] ?? 0, probabilities[i] ?? 0);
    });
    return scores;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Tokenization into windows.

interface WindowEncoder {
  /** Token ids per window, each already wrapped in the model's special tokens. */
  windows(text: string): number[][];
}

function windowEncoder(tokenizer: Tokenizer, maxLength: number, maxWindows: number, file: string): WindowEncoder {
  // tokenizers.js has no truncation, and a window needs the special tokens around each slice
  // rather than around the whole text, so learn what the post-processor adds and add it ourselves.
  const probe = 'hello world';
  const body = tokenizer.encode(probe, { add_special_tokens: false }).ids;
  const full = tokenizer.encode(probe).ids;
  let at = -1;
  for (let i = 0; i + body.length <= full.length && at < 0; i++) if (body.every((id, k) => full[i + k] === id)) at = i;
  if (at < 0) throw new WardenError('config_invalid', `tokenizer ${file}: its post-processor rewrites the text's tokens, which windowing cannot reproduce`);
  const prefix = full.slice(0, at);
  const suffix = full.slice(at + body.length);
  const room = maxLength - prefix.length - suffix.length;
  if (room < 1) throw new WardenError('config_invalid', `maxLength ${maxLength} leaves no room for text beside the tokenizer's ${prefix.length + suffix.length} special tokens`);
  // A quarter overlap keeps any phrase shorter than that whole in at least one window.
  const stride = room - Math.floor(room / 4);

  return {
    windows(text) {
      const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
      return windowStarts(ids.length, room, stride, maxWindows).map((start) => [...prefix, ...ids.slice(start, start + room), ...suffix]);
    },
  };
}

/** Where each window starts, for `length` tokens and windows of `room`. */
export function windowStarts(length: number, room: number, stride: number, maxWindows: number): number[] {
  const last = length - room;
  if (last <= 0 || maxWindows === 1) return [0];
  const needed = Math.ceil(last / stride) + 1;
  if (needed <= maxWindows) return Array.from({ length: needed }, (_, i) => Math.min(i * stride, last));
  return Array.from({ length: maxWindows }, (_, i) => Math.round((i * last) / (maxWindows - 1)));
}

function padTokenId(tokenizer: Tokenizer, json: Record<string, unknown>, config: Record<string, unknown>): number {
  const padding = json.padding;
  if (isObject(padding) && typeof padding.pad_id === 'number') return padding.pad_id;
  const configured = config.pad_token;
  const named = typeof configured === 'string' ? configured : isObject(configured) && typeof configured.content === 'string' ? configured.content : undefined;
  for (const token of [named, '[PAD]', '<pad>']) {
    const id = token === undefined ? undefined : tokenizer.token_to_id(token);
    if (id !== undefined) return id;
  }
  // Padded positions are masked out, so any id the model can embed will do.
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The model.

interface ModelIo {
  output: string;
  attentionMask: boolean;
  tokenTypeIds: boolean;
  /** The label count when the export states it. */
  labels: number | undefined;
}

function inspectModel(session: Ort.InferenceSession, file: string): ModelIo {
  const fail = (why: string) => new WardenError('config_invalid', `ONNX model ${file}: ${why}`);
  const inputs = session.inputNames;
  if (!inputs.includes('input_ids')) throw fail(`has no input_ids input (its inputs: ${inputs.join(', ') || 'none'}); export a text classifier that takes token ids`);
  const unknown = inputs.filter((name) => !FEEDABLE_INPUTS.has(name));
  if (unknown.length > 0) throw fail(`needs inputs a text classifier cannot supply: ${unknown.join(', ')}`);
  // Metadata arrived in onnxruntime 1.22; without it the probe run is the only check.
  for (const meta of session.inputMetadata ?? []) {
    if (meta.isTensor && meta.type !== 'int64') throw fail(`input ${meta.name} is ${meta.type}; expected int64`);
  }

  const outputs = session.outputNames;
  const output = outputs.includes('logits') ? 'logits' : outputs.length === 1 ? outputs[0] : undefined;
  if (output === undefined) throw fail(`has no single logits output (its outputs: ${outputs.join(', ') || 'none'})`);
  let labels: number | undefined;
  const meta = (session.outputMetadata ?? []).find((m) => m.name === output);
  if (meta?.isTensor) {
    if (meta.shape.length > 0 && meta.shape.length !== 2) throw fail(`output ${output} has shape [${meta.shape.join(', ')}]; expected [batch, labels] from a sequence-classification head`);
    if (meta.type !== 'float32') throw fail(`output ${output} is ${meta.type}; expected float32`);
    if (typeof meta.shape[1] === 'number') labels = meta.shape[1];
  }
  return { output, attentionMask: inputs.includes('attention_mask'), tokenTypeIds: inputs.includes('token_type_ids'), labels };
}

function positiveIndices(label: number | readonly number[] | 'last', labels: number, file: string): number[] {
  const indices = label === 'last' ? [labels - 1] : typeof label === 'number' ? [label] : [...label];
  if (indices.length === 0 || indices.some((i) => !Number.isInteger(i) || i < 0 || i >= labels)) {
    throw new WardenError('config_invalid', `positiveLabel ${JSON.stringify(label)} does not name one of the ${labels} label(s) of ONNX model ${file} (0–${labels - 1})`);
  }
  if (labels === 1 && indices.some((i) => i !== 0)) throw new WardenError('config_invalid', `ONNX model ${file} has one logit; positiveLabel must be 0 or 'last'`);
  return [...new Set(indices)];
}

class Runner {
  private positive: number[] = [];
  private labels = 0;

  constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    private readonly io: ModelIo,
    private readonly padId: number,
    private readonly batchSize: number,
  ) {}

  setPositive(indices: number[]): void {
    this.positive = indices;
  }

  /** Runs two windows of different lengths in one padded batch; returns the label count. */
  async probe(a: number[][], b: number[][]): Promise<number> {
    const windows = [...a, ...b];
    const { labels } = await this.logits(windows);
    if (labels < 1) throw new Error('the model returned no logits');
    this.labels = labels;
    return labels;
  }

  /** The positive-class probability of each window, in order. */
  async score(windows: number[][]): Promise<number[]> {
    const out = new Array<number>(windows.length).fill(0);
    // Similar lengths together waste less on padding.
    const order = windows.map((_, i) => i).sort((x, y) => (windows[x]?.length ?? 0) - (windows[y]?.length ?? 0));
    for (let from = 0; from < order.length; ) {
      let to = Math.min(from + this.batchSize, order.length);
      // Without an attention mask padding would change the answer, so batch equal lengths only.
      if (!this.io.attentionMask) {
        const len = windows[order[from] ?? 0]?.length;
        let end = from + 1;
        while (end < to && windows[order[end] ?? 0]?.length === len) end++;
        to = end;
      }
      const batch = order.slice(from, to);
      const { data, labels } = await this.logits(batch.map((i) => windows[i] ?? []));
      if (labels !== this.labels) throw new Error(`the model returned ${labels} labels, not ${this.labels}`);
      batch.forEach((index, row) => {
        out[index] = this.probability(data, row * labels);
      });
      from = to;
    }
    return out;
  }

  private probability(data: ArrayLike<number>, offset: number): number {
    const logits = Array.from({ length: this.labels }, (_, k) => data[offset + k] ?? Number.NaN);
    let p: number;
    if (this.labels === 1) {
      p = 1 / (1 + Math.exp(-(logits[0] ?? Number.NaN)));
    } else {
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const total = exps.reduce((s, e) => s + e, 0);
      p = this.positive.reduce((s, i) => s + (exps[i] ?? 0), 0) / total;
    }
    // A NaN score would compare false against every threshold, i.e. pass silently.
    if (!Number.isFinite(p)) throw new Error('the ONNX classifier produced a non-finite score');
    return Math.min(1, Math.max(0, p));
  }

  private async logits(windows: number[][]): Promise<{ data: ArrayLike<number>; labels: number }> {
    const rows = windows.length;
    const cols = Math.max(1, ...windows.map((w) => w.length));
    const ids = new BigInt64Array(rows * cols).fill(BigInt(this.padId));
    const mask = new BigInt64Array(rows * cols);
    windows.forEach((w, r) => {
      w.forEach((id, c) => {
        ids[r * cols + c] = BigInt(id);
        mask[r * cols + c] = 1n;
      });
    });
    const dims = [rows, cols];
    const feeds: Record<string, Ort.Tensor> = { input_ids: new this.ort.Tensor('int64', ids, dims) };
    if (this.io.attentionMask) feeds.attention_mask = new this.ort.Tensor('int64', mask, dims);
    if (this.io.tokenTypeIds) feeds.token_type_ids = new this.ort.Tensor('int64', new BigInt64Array(rows * cols), dims);
    const result = await this.session.run(feeds, [this.io.output]);
    const tensor = result[this.io.output];
    if (!tensor || !('dims' in tensor) || tensor.type !== 'float32') throw new Error(`output ${this.io.output} is not a float32 tensor`);
    if (tensor.dims.length !== 2 || tensor.dims[0] !== rows) throw new Error(`output ${this.io.output} has shape [${tensor.dims.join(', ')}]; expected [${rows}, labels]`);
    return { data: tensor.data as Float32Array, labels: tensor.dims[1] ?? 0 };
  }
}

// ---------------------------------------------------------------------------------------------

async function loadOrt(): Promise<OrtModule> {
  const mod = await importOptional('onnxruntime-node', () => import('onnxruntime-node'));
  // onnxruntime-node is CommonJS: Node usually lifts its exports to named ones, but not always.
  return 'InferenceSession' in mod ? mod : (mod as { default: OrtModule }).default;
}

async function readJsonObject(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new WardenError('config_invalid', `${what} ${file}: ${errnoOf(err) === 'ENOENT' ? 'no such file' : messageOf(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WardenError('config_invalid', `${what} ${file}: not valid JSON`);
  }
  if (!isObject(value)) throw new WardenError('config_invalid', `${what} ${file}: expected a JSON object`);
  return value;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new WardenError('config_invalid', `ONNX classifier ${name} must be a positive integer, not ${value}`);
  return value;
}

function isMissingPackage(err: unknown, pkg: string): boolean {
  const code = errnoOf(err);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && messageOf(err).includes(`'${pkg}'`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errnoOf(err: unknown): unknown {
  return isObject(err) ? err.code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
