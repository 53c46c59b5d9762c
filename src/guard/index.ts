import path from 'node:path';
import type { GuardConfig } from '../config/schema.js';
import { ContentGuard } from './content-guard.js';
import { createInjectionScanner, DEFAULT_INJECTION_THRESHOLDS } from './injection/index.js';
import { loadOnnxClassifier } from './injection/onnx-classifier.js';
import { applyPii, ComprehendPiiScanner, createPiiScanner } from './pii/index.js';
import type { LanguageCode } from '@aws-sdk/client-comprehend';
import type { InjectionThresholds } from './injection/scanner.js';
import type { AsyncPiiScanner, PiiEntity, PiiScanner, TextClassifier } from './types.js';

export { ContentGuard } from './content-guard.js';

/** The configured thresholds, with the trained defaults for what is unset. */
export function injectionThresholds(configured: { direct?: number; indirect?: number } = {}): InjectionThresholds {
  return { direct: configured.direct ?? DEFAULT_INJECTION_THRESHOLDS.direct, indirect: configured.indirect ?? DEFAULT_INJECTION_THRESHOLDS.indirect };
}

/** Warden's own PII scanner with the configuration's threshold and entity types (defaults without one). */
export function localPiiScanner(pii?: Pick<GuardConfig['pii'], 'min_score' | 'entities'>): PiiScanner {
  return createPiiScanner({ ...(pii ? { minScore: pii.min_score } : {}), ...(pii?.entities ? { entities: pii.entities } : {}) });
}

/** Masks entities with their type: `[EMAIL_ADDRESS]`. */
export const maskPii = (text: string, entities: PiiEntity[]): string => applyPii(text, entities, 'mask');

/** The guard the configuration asks for; paths in it are relative to the configuration's directory. */
export async function createContentGuard(config: GuardConfig, configDir: string): Promise<{ guard: ContentGuard; close(): Promise<void> }> {
  const thresholds = injectionThresholds(config.injection.thresholds);
  let classifier: TextClassifier | undefined;
  if (config.injection.enabled && config.injection.onnx) {
    const onnx = config.injection.onnx;
    classifier = await loadOnnxClassifier({
      model: path.resolve(configDir, onnx.model),
      tokenizer: path.resolve(configDir, onnx.tokenizer),
      positiveLabel: onnx.positive_label,
      maxLength: onnx.max_length,
    });
  }
  const guard = new ContentGuard({
    ...(config.injection.enabled ? { injection: createInjectionScanner({ thresholds }) } : {}),
    ...(classifier ? { classifier: { model: classifier, thresholds } } : {}),
    ...(config.pii.enabled ? { pii: piiScannerFor(config.pii), mask: maskPii } : {}),
    onInjection: config.on_injection,
    maxDepth: config.max_depth,
  });
  return { guard, close: async () => classifier?.close?.() };
}

function piiScannerFor(pii: GuardConfig['pii']): PiiScanner | AsyncPiiScanner {
  if (pii.provider === 'local') return localPiiScanner(pii);
  const { region, endpoint, language_code } = pii.comprehend;
  const comprehend = new ComprehendPiiScanner({
    client: { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) },
    languageCode: language_code as LanguageCode, // validated by the service, which names the codes it takes
    minScore: pii.min_score,
  });
  if (!pii.entities) return comprehend;
  const wanted = new Set(pii.entities);
  return { scan: async (text) => (await comprehend.scan(text)).filter((e) => wanted.has(e.type)) };
}
