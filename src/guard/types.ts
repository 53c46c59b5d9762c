/**
 * The content guard's vocabulary: what a scanner is given and what it reports. Every scanner —
 * the local rules and model, the optional ONNX classifier, the AWS Comprehend adapter — speaks
 * these types, so the Gate, `warden scan` and the evaluation harness treat them alike.
 */

/** Where text came from: typed by the user (direct) or read from a tool, email, page or document (indirect). */
export type Surface = 'direct' | 'indirect';

/** A prompt-injection / jailbreak verdict for one text. */
export interface InjectionResult {
  /** Whether the score reached the surface's threshold, or a rule that alone is decisive fired. */
  flagged: boolean;
  /** Calibrated 0–1: the probability that the text carries an injection or a jailbreak. */
  score: number;
  /** Names of the rules that fired (`override.ignore_previous`, `exfil.markdown_image`, ...), sorted. */
  rules: string[];
}

/** Scans text for prompt injection; synchronous so it can sit on every call. */
export interface InjectionScanner {
  scan(text: string, surface: Surface): InjectionResult;
}

/** A learned classifier that may run off the event loop (ONNX): scores a batch, each 0–1. */
export interface TextClassifier {
  readonly name: string;
  classify(texts: string[]): Promise<number[]>;
  close?(): Promise<void>;
}

/**
 * One PII or secret found in a text. `start`/`end` are JavaScript string indices (UTF-16 code
 * units, end exclusive); surfaces that print offsets convert them to code points.
 */
export interface PiiEntity {
  /** Presidio's entity name where one exists (EMAIL_ADDRESS, CREDIT_CARD, ...), else AWS Comprehend's (AWS_ACCESS_KEY, ...). */
  type: string;
  start: number;
  end: number;
  /** Confidence 0–1, raised or lowered by context words. */
  score: number;
  /** Which recognizer found it, for explanations (`email`, `credit_card.luhn`, ...). */
  recognizer?: string;
}

/** Finds PII and secrets in text. */
export interface PiiScanner {
  scan(text: string): PiiEntity[];
}

/** The same for scanners that call out (AWS Comprehend). */
export interface AsyncPiiScanner {
  scan(text: string): Promise<PiiEntity[]>;
}

/** What to do with PII once found. */
export type PiiMode = 'report' | 'mask' | 'redact' | 'pseudonymize';
