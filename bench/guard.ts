/**
 * Content guard throughput: MB/s per core (CPU time of this one thread) of the local prompt-injection
 * scanner (direct and indirect surfaces) and the local PII scanner, side by side with the baseline
 * they replace — the short regex list of the common approach — on the same corpus in the same run.
 * The corpus is ordinary agent traffic made here from a fixed seed: JSON tool results, logs, e-mails,
 * HTML pages and prose, scanned whole and as the 1 KB leaves the Gate sees in tool results.
 * Target (DESIGN.md): at least 10 MB/s per core for each local scanner.
 */
import { createInjectionScanner } from '../src/guard/injection/index.js';
import { createPiiScanner } from '../src/guard/pii/index.js';
import { regexBaseline } from '../eval/guard/peers/regex-baseline.js';
import { rng } from '../scripts/guard/generate-data.js';
import type { BenchOptions } from './run.js';

const TARGET_MB_PER_S = 10;
const CORPUS_BYTES = 4 * 1024 * 1024;
const LEAF_CHARS = 1024;

const log = (line: string) => process.stderr.write(`${line}\n`);

const WORDS = 'the invoice report account balance customer order shipping delivery team meeting quarter revenue budget server request latency error cache deploy release branch review schedule contract payment supplier product price discount update summary project status'.split(' ');
const NAMES = ['Alice Martin', 'Bob Chen', 'Carol Diaz', 'Dmitri Ivanov', 'Eva Novak', 'Farid Haddad'];

export function corpus(seed: number, totalBytes = CORPUS_BYTES): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sentence = () => {
    const n = 6 + Math.floor(r() * 14);
    const words = Array.from({ length: n }, () => pick(WORDS));
    return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
  };
  const kinds = [
    () => JSON.stringify({ results: Array.from({ length: 5 }, (_, i) => ({ id: `R-${Math.floor(r() * 1e6)}`, title: sentence(), score: r(), rank: i, url: `https://docs.example.com/${pick(WORDS)}/${i}` })) }),
    () => Array.from({ length: 12 }, () => `2024-09-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}T10:${String(Math.floor(r() * 60)).padStart(2, '0')}:00Z INFO ${pick(WORDS)}-service request_id=${Math.floor(r() * 1e9)} status=200 duration_ms=${Math.floor(r() * 900)} path=/v1/${pick(WORDS)}`).join('\n'),
    () => `From: ${pick(NAMES)} <${pick(WORDS)}@acme.example>\nSubject: ${sentence()}\n\nHi ${pick(NAMES).split(' ')[0]},\n\n${sentence()} ${sentence()} ${sentence()}\nCall me on +1 415 555 ${String(Math.floor(r() * 10000)).padStart(4, '0')} if anything is unclear.\n\nThanks,\n${pick(NAMES)}`,
    () => `<html><body><h1>${sentence()}</h1><p>${sentence()} ${sentence()}</p><ul>${Array.from({ length: 4 }, () => `<li>${sentence()}</li>`).join('')}</ul></body></html>`,
    () => `${sentence()} ${sentence()} ${sentence()} ${sentence()}\n\n${sentence()} ${sentence()}`,
  ];
  const docs: string[] = [];
  let bytes = 0;
  while (bytes < totalBytes) {
    const doc = pick(kinds)();
    docs.push(doc);
    bytes += Buffer.byteLength(doc);
  }
  return docs;
}

/**
 * MB per CPU-second in the steady state: one full pass first (so the JIT has compiled what the
 * corpus exercises; its background compiler threads count in process.cpuUsage), then the best of
 * three timed passes. Every scanner and the baseline are measured the same way.
 */
function mbPerSecond(texts: readonly string[], scan: (text: string) => unknown): number {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  for (const t of texts) scan(t);
  let best = 0;
  for (let pass = 0; pass < 3; pass++) {
    const before = process.cpuUsage();
    for (const t of texts) scan(t);
    const used = process.cpuUsage(before);
    best = Math.max(best, bytes / 1e6 / ((used.user + used.system) / 1e6));
  }
  return Math.round(best * 100) / 100;
}

export function leaves(docs: readonly string[], size = LEAF_CHARS): string[] {
  const out: string[] = [];
  for (const d of docs) for (let i = 0; i < d.length; i += size) out.push(d.slice(i, i + size));
  return out;
}

export async function run(opts: BenchOptions): Promise<void> {
  const docs = corpus(42);
  const small = leaves(docs);
  const injection = createInjectionScanner();
  const pii = createPiiScanner();
  log(`corpus: ${docs.length} documents, ${(CORPUS_BYTES / 1e6).toFixed(1)} MB; also as ${small.length} leaves of ${LEAF_CHARS} characters`);

  const rows: Array<{ scanner: string; documents: number; leaves: number }> = [];
  const measure = (scanner: string, scan: (text: string) => unknown) => {
    log(`measuring ${scanner} …`);
    rows.push({ scanner, documents: mbPerSecond(docs, scan), leaves: mbPerSecond(small, scan) });
  };
  measure('baseline: regex list', (t) => regexBaseline(t));
  measure('injection (direct)', (t) => injection.scan(t, 'direct'));
  measure('injection (indirect)', (t) => injection.scan(t, 'indirect'));
  measure('pii', (t) => pii.scan(t));

  const baseline = rows[0]!;
  const line = (cells: string[]) => cells[0]!.padEnd(24) + cells.slice(1).map((c) => c.padStart(14)).join('');
  const out: string[] = [line(['scanner', 'docs MB/s', 'leaves MB/s', 'vs baseline', 'target'])];
  for (const r of rows) {
    const ratio = r === baseline ? '1.00×' : `${(r.documents / baseline.documents).toFixed(3)}×`;
    const met = r === baseline ? '' : Math.min(r.documents, r.leaves) >= TARGET_MB_PER_S ? 'met' : 'missed';
    out.push(line([r.scanner, r.documents.toFixed(2), r.leaves.toFixed(2), ratio, met]));
  }
  out.push(`target: at least ${TARGET_MB_PER_S} MB/s per core on documents and on 1 KB leaves`);
  for (const l of out) process.stdout.write(`${l}\n`);
  if (opts.json) {
    const find = (name: string) => rows.find((r) => r.scanner === name)!;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'guard',
        target_mb_per_s: TARGET_MB_PER_S,
        baseline_mb_per_s: baseline.documents,
        injection_direct_mb_per_s: find('injection (direct)').documents,
        injection_indirect_mb_per_s: find('injection (indirect)').documents,
        injection_direct_leaves_mb_per_s: find('injection (direct)').leaves,
        injection_indirect_leaves_mb_per_s: find('injection (indirect)').leaves,
        pii_mb_per_s: find('pii').documents,
        pii_leaves_mb_per_s: find('pii').leaves,
      })}\n`,
    );
  }
}
