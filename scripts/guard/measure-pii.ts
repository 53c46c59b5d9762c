/**
 * Measures the local PII scanner on presidio-synth v2: per-type and overall span P/R/F1 under
 * the overlap and exact rules, plus throughput.
 *
 * Run: npx tsx scripts/guard/measure-pii.ts [path/to/presidio_synth_v2.jsonl] [--errors TYPE]
 */
import { readFileSync } from 'node:fs';
import { createPiiScanner } from '../../src/guard/pii/index.js';
import { addScores, emptyScore, metrics, scoreSpans, scoreSpansExact, type SpanScore, type TypeMap } from '../../src/guard/pii/span-score.js';
import { DATASETS } from './datasets.js';
import { mixedLog } from './corpora.js';

interface Row {
  text: string;
  entities: Array<{ type: string; start: number; end: number; value: string }>;
}

/**
 * Dataset → Warden types. GPE and STREET_ADDRESS are both scored as the LOCATION family (the
 * dataset splits one address into street/unit/city/country pieces inconsistently); our
 * STREET_ADDRESS predictions map there too. DOMAIN_NAME values are all full URLs → URL.
 * Types Warden does not claim are dropped on both sides.
 */
export const PRESIDIO_SYNTH_TYPE_MAP: TypeMap = {
  GPE: 'LOCATION',
  STREET_ADDRESS: 'LOCATION',
  DOMAIN_NAME: 'URL',
  TITLE: null,
  NRP: null,
  AGE: null,
  ORGANIZATION: null,
  ZIP_CODE: null,
};

/** Code-point offsets → UTF-16 indices (only differs for texts with astral characters). */
function toUtf16(text: string, cp: number): number {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points === cp) return units;
    units += ch.length;
    points++;
  }
  return units;
}

const args = process.argv.slice(2);
const path = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--errors') ?? `${DATASETS}/presidio-synth/presidio_synth_v2.jsonl`;
const errorsFor = args.includes('--errors') ? args[args.indexOf('--errors') + 1] : undefined;
const rows = readFileSync(path, 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as Row);

const scanner = createPiiScanner();
let overlap: SpanScore = emptyScore();
let exact: SpanScore = emptyScore();
for (const row of rows) {
  const astral = /[\u{10000}-\u{10FFFF}]/u.test(row.text);
  const gold = row.entities.map((e) => ({
    type: e.type,
    start: astral ? toUtf16(row.text, e.start) : e.start,
    end: astral ? toUtf16(row.text, e.end) : e.end,
  }));
  const predicted = scanner.scan(row.text);
  const o = scoreSpans(gold, predicted, PRESIDIO_SYNTH_TYPE_MAP);
  overlap = addScores(overlap, o);
  exact = addScores(exact, scoreSpansExact(gold, predicted, PRESIDIO_SYNTH_TYPE_MAP));
  if (errorsFor !== undefined && (o.perType[errorsFor]?.fp ?? 0) + (o.perType[errorsFor]?.fn ?? 0) > 0) {
    const mapType = (t: string): string | null | undefined => (Object.hasOwn(PRESIDIO_SYNTH_TYPE_MAP, t) ? PRESIDIO_SYNTH_TYPE_MAP[t] : t);
    console.log(JSON.stringify(row.text));
    console.log('  gold:', gold.filter((g) => mapType(g.type) === errorsFor).map((g) => row.text.slice(g.start, g.end)));
    console.log('  pred:', predicted.filter((p) => mapType(p.type) === errorsFor).map((p) => `${row.text.slice(p.start, p.end)} (${p.score} ${p.recognizer ?? ''})`));
  }
}

const pct = (x: number): string => x.toFixed(3);
function table(title: string, s: SpanScore): void {
  console.log(`\n${title}`);
  console.log('type'.padEnd(20), 'gold'.padStart(5), 'pred'.padStart(5), '  P      R      F1');
  for (const [type, c] of Object.entries(s.perType).sort()) {
    const m = metrics(c);
    console.log(type.padEnd(20), String(c.tp + c.fn).padStart(5), String(c.matchedPredicted + c.fp).padStart(5), ' ', pct(m.precision), pct(m.recall), pct(m.f1));
  }
  const m = metrics(s);
  console.log('OVERALL'.padEnd(20), String(s.tp + s.fn).padStart(5), String(s.matchedPredicted + s.fp).padStart(5), ' ', pct(m.precision), pct(m.recall), pct(m.f1));
}
table('overlap match', overlap);
table('exact boundaries', exact);

function throughput(label: string, text: string): void {
  const bytes = Buffer.byteLength(text);
  scanner.scan(text.slice(0, 100_000));
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < 2000) {
    scanner.scan(text);
    runs++;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${label}: ${((bytes * runs) / seconds / 1e6).toFixed(1)} MB/s (${(bytes / 1e6).toFixed(2)} MB x ${runs})`);
}

console.log('');
throughput('presidio texts concatenated', rows.map((r) => r.text).join('\n'));
throughput('1 MB mixed log/JSON', mixedLog(1_000_000));
