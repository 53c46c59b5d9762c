/**
 * Texts the PII measuring scripts share: the presidio-synth sentences and a log/JSON text with
 * sparse PII, roughly what a gateway sees in tool I/O.
 */
import { readFileSync } from 'node:fs';
import { DATASETS } from './datasets.js';

export const PRESIDIO = `${DATASETS}/presidio-synth/presidio_synth_v2.jsonl`;

export function presidioTexts(path: string = PRESIDIO): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

/** Deterministic log/JSON-ish text with sparse PII. */
export function mixedLog(size: number): string {
  const lines: string[] = [];
  let n = 0;
  let length = 0;
  while (length < size) {
    n++;
    const ip = `10.${n % 256}.${(n * 7) % 256}.${(n * 13) % 256}`;
    const line =
      n % 3 === 0
        ? JSON.stringify({ ts: `2024-05-${String((n % 28) + 1).padStart(2, '0')}T12:00:00Z`, level: 'info', msg: 'request completed', path: `/api/v1/items/${n}`, status: 200, durationMs: n % 250, user: `user${n}@example.com` })
        : n % 3 === 1
          ? `${new Date(1_700_000_000_000 + n * 1000).toISOString()} INFO worker-${n % 8} processed batch ${n} from ${ip} in ${n % 97} ms, queue depth ${n % 17}`
          : `The customer asked about order ${100000 + n} and wanted to know when the shipment would arrive; support replied that it left the warehouse yesterday.`;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}
