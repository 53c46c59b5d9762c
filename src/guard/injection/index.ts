/**
 * The local prompt-injection and jailbreak scanner (rules + hashed-n-gram model), wired to the
 * weights committed in weights.generated.ts.
 */
import type { InjectionScanner } from '../types.js';
import { deserializeModel, type InjectionModel } from './model.js';
import { createScannerFromModel, type InjectionThresholds } from './scanner.js';
import { TRAINED_MODEL, TRAINED_THRESHOLDS } from './weights.generated.js';

export type { InjectionThresholds } from './scanner.js';
export { isGarakTrainingRow } from './garak-split.js';
export { INJECTION_RULES } from './rules.js';

/** Thresholds on the calibrated score, per surface, chosen on held-out training data. */
export const DEFAULT_INJECTION_THRESHOLDS: Readonly<InjectionThresholds> = Object.freeze({ ...TRAINED_THRESHOLDS });

export interface InjectionScannerOptions {
  thresholds?: { direct?: number; indirect?: number };
}

// Decoding the weights costs a few milliseconds, so it happens once, on first use.
let model: InjectionModel | undefined;

export function createInjectionScanner(options: InjectionScannerOptions = {}): InjectionScanner {
  model ??= deserializeModel(TRAINED_MODEL);
  return createScannerFromModel(model, {
    direct: options.thresholds?.direct ?? DEFAULT_INJECTION_THRESHOLDS.direct,
    indirect: options.thresholds?.indirect ?? DEFAULT_INJECTION_THRESHOLDS.indirect,
  });
}
