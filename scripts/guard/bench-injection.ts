/**
 * Throughput of the local injection scanner on ordinary text (documents, JSON, logs), per core:
 * `tsx scripts/guard/bench-injection.ts`. Each figure is the best of a few runs, in CPU time of
 * this thread, so that other work on a shared machine does not decide it.
 */
import { createInjectionScanner } from '../../src/guard/injection/index.js';
import { normalize } from '../../src/guard/normalize.js';
import { matchRules } from '../../src/guard/injection/rules.js';
import { benignDocument, rng } from './generate-data.js';

const RUNS = 3;

const r = rng(7);
let corpus = '';
while (corpus.length < 8 * 1024 * 1024) corpus += benignDocument(r) + '\n\n';
const scanner = createInjectionScanner();
const canonical = normalize(corpus).canonical;

function measure(label: string, run: () => void): void {
  run();
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  console.log(`${label.padEnd(22)} ${(corpus.length / 1e6 / best).toFixed(1)} MB/s`);
}

measure('normalize', () => normalize(corpus));
measure('rules (canonical text)', () => matchRules(canonical));
measure('scan direct', () => scanner.scan(corpus, 'direct'));
measure('scan indirect', () => scanner.scan(corpus, 'indirect'));
