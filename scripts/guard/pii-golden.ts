/**
 * Safety net for PII scanner performance work: records every entity the scanner (and every
 * recognizer, before overlap resolution) returns on a fixed corpus, and later compares against
 * that record. A speed-up must leave the comparison identical.
 *
 * Corpus: the presidio-synth texts as they are, upper-cased, lower-cased and joined in pairs
 * (context cues then cross text boundaries), the guard bench's document kinds whole and as 1 KB
 * leaves, a mixed log/JSON text and a few hundred PII-dense generated documents.
 *
 * Run: npx tsx scripts/guard/pii-golden.ts record [file]   (default /tmp/warden-pii-golden.json)
 *      npx tsx scripts/guard/pii-golden.ts check [file]
 *      npx tsx scripts/guard/pii-golden.ts bench [repeats]  (MB per CPU-second on the three corpora)
 *      npx tsx scripts/guard/pii-golden.ts ab /copy/of/old/pii/scanner.ts [repeats]
 *        (old and new scanners interleaved in one process, so machine load hits both alike)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createPiiScanner, RECOGNIZERS } from '../../src/guard/pii/scanner.js';
import type { PiiEntity } from '../../src/guard/types.js';
import { corpus, leaves } from '../../bench/guard.js';
import { rng } from './generate-data.js';
import { mixedLog, presidioTexts } from './corpora.js';


/** PII-dense documents built from fragments of the presidio texts and hand-written cues. */
function piiDocuments(seed: number, count: number, pool: readonly string[]): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const cues = [
    'my name is ', 'Dear ', 'Hi ', 'I live at ', 'send it to ', 'flew to ', 'born in ', 'based in ', 'Mr. ', 'Dr ', 'contact ',
    'visited ', 'the corner of Main St. and ', 'ship to ', 'DOB: ', 'since ', 'in ', 'from ', 'at ', 'and ', 'Producer ', 'CEO ',
    'name: ', "I'm ", 'City of ', 'moved here from ', 'Apt. ', 'Suite ', 'PSC ', 'USS ', 'call me ', 'thanks, ', 'regards,\n',
  ];
  const tails = [
    ' said', "'s", ' 12', ' 2906', ', Springfield, IL 62704', '\nApt 4B\nBerlin\n10115', ' Inc', ' University', ' is a', ' wrote:',
    ' on Monday', ' 1987', ' 12/31/1999', ' March 3, 2020', ' years old', ' street', ' Straße 5', ' FPO AE 09499', ' Box 1234',
  ];
  const docs: string[] = [];
  for (let d = 0; d < count; d++) {
    const parts: string[] = [];
    const n = 3 + Math.floor(r() * 10);
    for (let i = 0; i < n; i++) {
      const src = pick(pool);
      const a = Math.floor(r() * src.length);
      const b = Math.min(src.length, a + 5 + Math.floor(r() * 80));
      const frag = src.slice(a, b);
      const shaped = r() < 0.15 ? frag.toUpperCase() : r() < 0.15 ? frag.toLowerCase() : frag;
      parts.push(pick(cues), shaped, pick(tails), pick([' ', '\n', ', ', '. ', '\t', ' > ', '\n\n']));
    }
    docs.push(parts.join(''));
  }
  return docs;
}

export function goldenCorpus(): Array<{ label: string; texts: string[] }> {
  const presidio = presidioTexts();
  const pairs: string[] = [];
  for (let i = 0; i + 1 < presidio.length; i += 2) pairs.push(`${presidio[i] ?? ''} ${presidio[i + 1] ?? ''}`);
  const bench = corpus(42, 1024 * 1024);
  return [
    { label: 'presidio', texts: presidio },
    { label: 'presidio-upper', texts: presidio.map((t) => t.toUpperCase()) },
    { label: 'presidio-lower', texts: presidio.map((t) => t.toLowerCase()) },
    { label: 'presidio-pairs', texts: pairs },
    { label: 'bench-docs', texts: bench },
    { label: 'bench-leaves', texts: leaves(bench) },
    { label: 'mixed-log', texts: [mixedLog(200_000)] },
    { label: 'generated', texts: piiDocuments(7, 600, presidio) },
  ];
}

const key = (e: PiiEntity): string => `${e.type}|${e.start}|${e.end}|${e.score}|${e.recognizer ?? ''}`;

/** One digest per text: the final entities, then every recognizer's raw candidates in order. */
function digest(text: string, scan: (t: string) => PiiEntity[]): string {
  const h = createHash('sha1');
  h.update(scan(text).map(key).join(';'));
  for (const r of RECOGNIZERS) {
    const out: PiiEntity[] = [];
    r.scan(text, out);
    h.update(`#${r.name}:`);
    h.update(out.map(key).sort().join(';'));
  }
  return h.digest('base64');
}

// Only when run directly: the corpus builders above are also imported by profiling scripts.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

async function main(): Promise<void> {
  const [mode = 'check', file = '/tmp/warden-pii-golden.json'] = process.argv.slice(2);
  const scanner = createPiiScanner();
  const scan = (t: string): PiiEntity[] => scanner.scan(t);
  const result: Record<string, string[]> = {};
  if (mode !== 'bench') for (const { label, texts } of goldenCorpus()) result[label] = texts.map((t) => digest(t, scan));

  /** MB per CPU-second of this thread, best of `repeats` passes after a warm-up pass. */
  function mbPerSecond(texts: readonly string[], repeats: number): number {
    const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
    for (const t of texts) scanner.scan(t);
    let best = 0;
    for (let k = 0; k < repeats; k++) {
      const before = process.cpuUsage();
      for (const t of texts) scanner.scan(t);
      const used = process.cpuUsage(before);
      best = Math.max(best, bytes / 1e6 / ((used.user + used.system) / 1e6));
    }
    return Math.round(best * 100) / 100;
  }

  if (mode === 'ab') {
    const old = (await import(file)) as { createPiiScanner: typeof createPiiScanner };
    const reference = old.createPiiScanner();
    const repeats = Number(process.argv[4] ?? 5);
    const bench = corpus(42, 4 * 1024 * 1024);
    const rows: Array<[string, readonly string[]]> = [
      ['presidio concatenated', [presidioTexts().join('\n')]],
      ['bench documents', bench],
      ['bench 1 KB leaves', leaves(bench)],
      ['1 MB mixed log/JSON', [mixedLog(1_000_000)]],
    ];
    const cpu = (texts: readonly string[], s: { scan(t: string): unknown }): number => {
      const before = process.cpuUsage();
      for (const t of texts) s.scan(t);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1e6;
    };
    for (const [label, texts] of rows) {
      const mb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
      cpu(texts, reference);
      cpu(texts, scanner);
      let a = Infinity;
      let b = Infinity;
      for (let k = 0; k < repeats; k++) {
        a = Math.min(a, cpu(texts, reference));
        b = Math.min(b, cpu(texts, scanner));
      }
      console.log(`${label.padEnd(24)} old ${(mb / a).toFixed(2).padStart(6)} MB/s   new ${(mb / b).toFixed(2).padStart(6)} MB/s   ×${(a / b).toFixed(2)}`);
    }
  } else if (mode === 'bench') {
    const repeats = Number(file === '/tmp/warden-pii-golden.json' ? 3 : file);
    const bench = corpus(42, 4 * 1024 * 1024);
    const rows: Array<[string, readonly string[]]> = [
      ['presidio concatenated', [presidioTexts().join('\n')]],
      ['presidio texts one by one', presidioTexts()],
      ['bench documents', bench],
      ['bench 1 KB leaves', leaves(bench)],
      ['1 MB mixed log/JSON', [mixedLog(1_000_000)]],
    ];
    // PII_BENCH_ONLY=presidio limits the run to matching rows, for profiling one corpus.
    const only = process.env.PII_BENCH_ONLY;
    for (const [label, texts] of rows) if (only === undefined || label.includes(only)) console.log(`${label.padEnd(28)} ${mbPerSecond(texts, repeats).toFixed(2).padStart(7)} MB/s`);
  } else if (mode === 'record') {
    writeFileSync(file, JSON.stringify(result));
    const n = Object.values(result).reduce((s, x) => s + x.length, 0);
    console.log(`recorded ${n} texts to ${file}`);
  } else {
    if (!existsSync(file)) throw new Error(`no golden file at ${file}; run with "record" first`);
    const golden = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
    const corpus = goldenCorpus();
    let bad = 0;
    let total = 0;
    for (const { label, texts } of corpus) {
      const want = golden[label] ?? [];
      const got = result[label] ?? [];
      for (let i = 0; i < got.length; i++) {
        total++;
        if (want[i] !== got[i]) {
          bad++;
          if (bad <= 5) {
            const t = texts[i] ?? '';
            console.log(`DIFF ${label}[${i}]: ${JSON.stringify(t.slice(0, 300))}`);
            console.log('  now:', scanner.scan(t).map((e) => `${key(e)} ${JSON.stringify(t.slice(e.start, e.end))}`).join('\n       '));
          }
        }
      }
    }
    console.log(bad === 0 ? `identical: ${total} texts` : `${bad} of ${total} texts differ`);
    if (bad > 0) process.exitCode = 1;
  }
}
