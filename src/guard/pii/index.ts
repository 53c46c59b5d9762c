export { createPiiScanner, PII_ENTITY_TYPES, DEFAULT_MIN_SCORE, type PiiScannerOptions } from './scanner.js';
export { applyPii, type ApplyMode, type ApplyOptions } from './apply.js';
export { PseudonymVault, type PseudonymVaultOptions } from './vault.js';
export {
  ComprehendPiiScanner,
  ComprehendPiiError,
  COMPREHEND_TYPE_MAP,
  COMPREHEND_MAX_BYTES,
  type ComprehendPiiScannerOptions,
} from './comprehend.js';
export { resolveOverlaps } from './resolve.js';
export {
  scoreSpans,
  scoreSpansExact,
  addScores,
  emptyScore,
  metrics,
  type Span,
  type SpanCounts,
  type SpanScore,
  type SpanMetrics,
  type TypeMap,
} from './span-score.js';
