import { createInjectionScanner } from '../../src/guard/injection/index.js';
import { benignDocument, rng } from './generate-data.js';
const r = rng(7);
let corpus = '';
while (corpus.length < 4 * 1024 * 1024) corpus += benignDocument(r) + '\n\n';
const scanner = createInjectionScanner();
const surface = (process.argv[2] ?? 'indirect') as 'direct' | 'indirect';
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  scanner.scan(corpus, surface);
  console.log(surface, (corpus.length / 1e6 / ((performance.now() - t) / 1000)).toFixed(1), 'MB/s');
}
