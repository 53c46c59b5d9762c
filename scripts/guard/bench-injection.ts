/**
 * Throughput of the local injection scanner on ordinary text (documents, JSON, logs), per core:
 * `tsx scripts/guard/bench-injection.ts`.
 */
import { createInjectionScanner } from '../../src/guard/injection/index.js';
import { normalize } from '../../src/guard/normalize.js';
import { matchRules } from '../../src/guard/injection/rules.js';
import { benignDocument, rng } from './generate-data.js';

const r = rng(7);
let corpus = '';
while (corpus.length < 8 * 1024 * 1024) corpus += benignDocument(r) + '\n\n';
const scanner = createInjectionScanner();

function measure(label: string, run: () => void): void {
  run();
  const started = performance.now();
  run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(22)} ${(corpus.length / 1e6 / seconds).toFixed(1)} MB/s`);
}

measure('normalize', () => normalize(corpus));
measure('rules', () => matchRules(normalize(corpus).canonical));
measure('scan direct', () => scanner.scan(corpus, 'direct'));
measure('scan indirect', () => scanner.scan(corpus, 'indirect'));
