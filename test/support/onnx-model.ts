/**
 * A tiny, real ONNX text classifier and a matching tokenizer.json, built in memory so the ONNX
 * classifier can be tested without downloading a model. The protobuf is encoded by hand (field
 * numbers from onnx/onnx.proto); onnxruntime rejects anything malformed, which is the check.
 *
 * The model is a bag of words that still depends on every input: per-token logits are gathered
 * from an embedding table by input_ids, zeroed where attention_mask is 0, summed over the
 * sequence and offset by a bias, so `logits[b] = bias + Σ_t mask[b,t] · E[ids[b,t]]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// Protobuf wire format: only what ModelProto needs (varints and length-delimited fields).

class Proto {
  private readonly chunks: Uint8Array[] = [];

  varint(field: number, value: number): this {
    this.raw(varint((field << 3) | 0));
    this.raw(varint(value));
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.raw(varint((field << 3) | 2));
    this.raw(varint(data.length));
    this.raw(data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (inner: Proto) => void): this {
    const inner = new Proto();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  private raw(data: Uint8Array): void {
    this.chunks.push(data);
  }
}

function varint(value: number): Uint8Array {
  // Everything encoded here is a small non-negative count, id or enum; negatives would need 10-byte two's complement.
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

// onnx.proto enums.
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

type Dim = number | string;

function valueInfo(g: Proto, field: 11 | 12, name: string, elemType: number, dims: Dim[]): void {
  g.message(field, (vi) =>
    vi.string(1, name).message(2, (type) =>
      type.message(1, (tensor) =>
        tensor.varint(1, elemType).message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
        }),
      ),
    ),
  );
}

function floatTensor(g: Proto, name: string, dims: number[], values: number[]): void {
  const raw = new DataView(new ArrayBuffer(values.length * 4));
  // raw_data is little-endian by the spec, whatever the host.
  values.forEach((v, i) => raw.setFloat32(i * 4, v, true));
  g.message(5, (t) => {
    for (const d of dims) t.varint(1, d);
    t.varint(2, FLOAT).string(8, name).bytes(9, new Uint8Array(raw.buffer));
  });
}

function int64Tensor(g: Proto, name: string, values: number[]): void {
  const raw = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => raw.setBigInt64(i * 8, BigInt(v), true));
  g.message(5, (t) => t.varint(1, values.length).varint(2, INT64).string(8, name).bytes(9, new Uint8Array(raw.buffer)));
}

function node(g: Proto, opType: string, inputs: string[], outputs: string[], ints: Record<string, number> = {}): void {
  g.message(1, (n) => {
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, `${opType}_${outputs[0]}`).string(4, opType);
    for (const [name, value] of Object.entries(ints)) n.message(5, (a) => a.string(1, name).varint(3, value).varint(20, ATTR_INT));
  });
}

// ---------------------------------------------------------------------------------------------
// The model.

export interface TinyModelSpec {
  /** One row of logits per token id: `embeddings[id][label]`. Every row must have the same length. */
  embeddings: number[][];
  /** Added to the summed logits; defaults to zeros. */
  bias?: number[];
  /** Also declare a `token_type_ids` input; it is added to the mask, so anything but zeros changes the score. */
  tokenTypeIds?: boolean;
  /** Rename the ids input (a model the classifier must refuse when it is not `input_ids`). */
  idsName?: string;
  /** Leave out attention_mask: padding then changes the logits, as in exports that drop the mask. */
  noAttentionMask?: boolean;
  /** Output per-token logits `[batch, seq, n]` instead of `[batch, n]` (another model to refuse). */
  perToken?: boolean;
}

/** Serialises the classifier described above as an ONNX ModelProto (IR 8, opset 13). */
export function tinyClassifierModel(spec: TinyModelSpec): Uint8Array {
  const labels = spec.embeddings[0]?.length ?? 0;
  if (labels === 0 || spec.embeddings.some((row) => row.length !== labels)) throw new Error('embeddings must be a non-empty rectangular table');
  const bias = spec.bias ?? new Array<number>(labels).fill(0);
  const ids = spec.idsName ?? 'input_ids';
  if (spec.noAttentionMask && (spec.perToken || spec.tokenTypeIds)) throw new Error('noAttentionMask combines with neither perToken nor tokenTypeIds');

  const graph = new Proto();
  node(graph, 'Gather', ['embeddings', ids], ['token_logits'], { axis: 0 });
  if (spec.noAttentionMask) {
    node(graph, 'ReduceSum', ['token_logits', 'reduce_axes'], ['summed'], { keepdims: 0 });
    node(graph, 'Add', ['summed', 'bias'], ['logits']);
  } else {
    let mask = 'attention_mask';
    if (spec.tokenTypeIds) {
      node(graph, 'Add', ['attention_mask', 'token_type_ids'], ['mask_plus_types']);
      mask = 'mask_plus_types';
    }
    node(graph, 'Cast', [mask], ['mask_f'], { to: FLOAT });
    // Opset 13 moved Unsqueeze's and ReduceSum's axes from attributes to inputs.
    node(graph, 'Unsqueeze', ['mask_f', 'unsqueeze_axes'], ['mask_3d']);
    if (spec.perToken) {
      node(graph, 'Mul', ['token_logits', 'mask_3d'], ['logits']);
    } else {
      node(graph, 'Mul', ['token_logits', 'mask_3d'], ['masked']);
      node(graph, 'ReduceSum', ['masked', 'reduce_axes'], ['summed'], { keepdims: 0 });
      node(graph, 'Add', ['summed', 'bias'], ['logits']);
    }
  }
  graph.string(2, 'tiny_classifier');
  floatTensor(graph, 'embeddings', [spec.embeddings.length, labels], spec.embeddings.flat());
  // Only what the nodes use: onnxruntime warns about (and drops) unused initializers.
  if (!spec.noAttentionMask) int64Tensor(graph, 'unsqueeze_axes', [2]);
  if (!spec.perToken) {
    floatTensor(graph, 'bias', [labels], bias);
    int64Tensor(graph, 'reduce_axes', [1]);
  }
  valueInfo(graph, 11, ids, INT64, ['batch', 'sequence']);
  if (!spec.noAttentionMask) valueInfo(graph, 11, 'attention_mask', INT64, ['batch', 'sequence']);
  if (spec.tokenTypeIds) valueInfo(graph, 11, 'token_type_ids', INT64, ['batch', 'sequence']);
  valueInfo(graph, 12, 'logits', FLOAT, spec.perToken ? ['batch', 'sequence', labels] : ['batch', labels]);

  return new Proto()
    .varint(1, 8) // ir_version
    .string(2, 'warden-tests') // producer_name
    .bytes(7, graph.finish()) // graph
    .message(8, (opset) => opset.string(1, '').varint(2, 13)) // opset_import
    .finish();
}

// ---------------------------------------------------------------------------------------------
// The tokenizer and a ready-made injection detector.

/** Token ids of the tiny vocabulary; [PAD] is 0 so padding exercises the attention mask. */
export const TINY_VOCAB: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    [
      '[PAD]', '[UNK]', '[CLS]', '[SEP]',
      'ignore', 'previous', 'instructions', 'reveal', 'system', 'prompt',
      'hello', 'world', 'the', 'weather', 'is', 'nice', 'today', 'please', 'summarize', 'this', 'document', 'all',
    ].map((token, id) => [token, id]),
  ),
);

/**
 * A WordPiece tokenizer.json over TINY_VOCAB: lowercases, splits on whitespace and punctuation,
 * wraps each text in [CLS] … [SEP] like BERT/DeBERTa. (tokenizers.js has no WordLevel model;
 * WordPiece over whole words behaves the same.)
 */
export function tinyTokenizerJson(): Record<string, unknown> {
  const special = (content: string) => ({ id: TINY_VOCAB[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(special),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [TINY_VOCAB['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [TINY_VOCAB['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: { ...TINY_VOCAB } },
  };
}

/**
 * Logits per token for an injection detector with labels [benign, injection]: override words
 * push towards injection, ordinary words slightly towards benign, and [PAD] hugely towards
 * injection so that a broken attention mask cannot go unnoticed.
 */
export function tinyInjectionEmbeddings(labels: 1 | 2 = 2): number[][] {
  const injection: Record<string, number> = { ignore: 2.5, previous: 1, instructions: 2, reveal: 1.5, system: 0.5, prompt: 1 };
  const rows = Object.keys(TINY_VOCAB).map((token): [number, number] => {
    if (token === '[PAD]') return [0, 50];
    if (token in injection) return [0, injection[token] ?? 0];
    if (token.startsWith('[')) return [0, 0];
    return [0.2, 0];
  });
  // One logit: the log-odds of injection, so the classifier's sigmoid sees the same margin as the softmax.
  return labels === 2 ? rows : rows.map(([benign, inj]) => [inj - benign]);
}

export interface TinyClassifierFiles {
  model: string;
  tokenizer: string;
}

/** Writes `<name>.onnx` and `tokenizer.json` into dir (created if needed). */
export async function writeTinyClassifier(dir: string, spec: Partial<TinyModelSpec> & { labels?: 1 | 2 } = {}, name = 'model'): Promise<TinyClassifierFiles> {
  const { labels = 2, ...modelSpec } = spec;
  const embeddings = modelSpec.embeddings ?? tinyInjectionEmbeddings(labels);
  const bias = modelSpec.bias ?? (labels === 2 ? [1, 0] : [-1]);
  await mkdir(dir, { recursive: true });
  const files = { model: path.join(dir, `${name}.onnx`), tokenizer: path.join(dir, 'tokenizer.json') };
  await writeFile(files.model, tinyClassifierModel({ ...modelSpec, embeddings, bias }));
  await writeFile(files.tokenizer, JSON.stringify(tinyTokenizerJson()));
  return files;
}
