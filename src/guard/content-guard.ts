import type { Action } from '../core/action.js';
import type { ContentInspector, GuardFindings, InputInspection, OutputInspection, OutputTreatment, ToolResult } from '../core/ports.js';
import { mapStringLeaves, mapTextOrJson, type JsonCache } from './leaves.js';
import type { AsyncPiiScanner, InjectionResult, InjectionScanner, PiiEntity, PiiScanner, Surface, TextClassifier } from './types.js';

export type InjectionTreatment = 'withhold' | 'neutralise' | 'flag';

export interface ContentGuardOptions {
  injection?: InjectionScanner;
  /** An optional learned classifier (ONNX) consulted beside the local scanner; the higher score counts. */
  classifier?: { model: TextClassifier; thresholds: Record<Surface, number> };
  /** The local scanner, or one that calls out (AWS Comprehend). */
  pii?: PiiScanner | AsyncPiiScanner;
  /** Masks entities in a text (`[EMAIL_ADDRESS]`). */
  mask?: (text: string, entities: PiiEntity[]) => string;
  onInjection: InjectionTreatment;
  maxDepth: number;
}

const NOTHING_FOUND: InjectionResult = Object.freeze({ flagged: false, score: 0, rules: [] });

/** Stronger treatments win when a policy obligation and the configuration disagree. */
const STRENGTH: Record<InjectionTreatment, number> = { flag: 0, neutralise: 1, withhold: 2 };

/** What is left of a neutralised text: enough for the agent to know something was there and why. */
function neutralised(text: string, verdict: InjectionResult): string {
  const why = verdict.rules.length ? `rules: ${verdict.rules.join(', ')}` : `score ${verdict.score.toFixed(2)}`;
  return `[withheld by Warden: suspected prompt injection (${why}); ${text.length} characters removed]`;
}

/**
 * The Gate's content stages. Input: every string in the arguments is scanned; findings become
 * labels on the argument they were found in (`injection`, `pii`, `pii:<TYPE>`), for policies.
 * Output: every string in the result is scanned as indirect content; an injection is neutralised
 * (that string replaced), withheld (the whole result) or only flagged, per the decision's
 * `on_injection` obligation or the configuration; `redact: pii` masks PII before the agent sees it.
 */
export class ContentGuard implements ContentInspector {
  constructor(private readonly options: ContentGuardOptions) {}

  async inspectInput(_action: Action, args: Record<string, unknown>): Promise<InputInspection> {
    const textsOf = new Map<string, string[]>();
    for (const [name, value] of Object.entries(args)) {
      const texts: string[] = [];
      mapStringLeaves(value, (text) => (texts.push(text), text), this.options.maxDepth);
      textsOf.set(name, texts);
    }
    const scans = await this.scanAll([...textsOf.values()].flat(), 'direct');
    const labels: Record<string, string[]> = {};
    const acc = new FindingsAccumulator();
    for (const [name, texts] of textsOf) {
      const argLabels = new Set<string>();
      for (const text of texts) {
        const { verdict, entities } = scans.get(text)!;
        if (verdict.flagged) {
          argLabels.add('injection');
          acc.injection(verdict);
        }
        for (const entity of entities) {
          argLabels.add('pii').add(`pii:${entity.type}`);
          acc.pii(entity.type);
        }
      }
      if (argLabels.size) labels[name] = [...argLabels].sort();
    }
    return { labels, findings: acc.findings() };
  }

  async inspectOutput(_action: Action, result: ToolResult, obligations: Record<string, string>): Promise<OutputInspection> {
    const treatment = this.injectionTreatment(obligations.on_injection);
    const redactTypes = redactionOf(obligations.redact);
    const acc = new FindingsAccumulator();

    const texts: string[] = [];
    const parsed: JsonCache = new Map();
    this.mapResult(result, (text) => (texts.push(text), text), parsed);
    const scans = await this.scanAll(texts, 'indirect');

    let redacted = false;
    let neutralisedAny = false;
    const rewrite = (text: string): string => {
      const { verdict, entities } = scans.get(text)!;
      if (verdict.flagged) {
        acc.injection(verdict);
        if (treatment === 'neutralise') {
          neutralisedAny = true;
          return neutralised(text, verdict);
        }
      }
      for (const e of entities) acc.pii(e.type);
      const toMask = redactTypes ? entities.filter((e) => (redactTypes === 'all' ? !NOT_IDENTIFYING.has(e.type) : redactTypes.has(e.type))) : [];
      if (toMask.length && this.options.mask) {
        redacted = true;
        return this.options.mask(text, toMask);
      }
      return text;
    };
    const rewritten = this.mapResult(result, rewrite, parsed);
    const findings = acc.findings();
    let outcome: OutputTreatment = 'clean';
    if (findings.injection && treatment === 'withhold') return { result: { content: [] }, treatment: 'withheld', findings };
    if (neutralisedAny) outcome = 'neutralised';
    else if (redacted) outcome = 'redacted';
    else if (findings.injection || findings.pii) outcome = 'flagged';
    return { result: rewritten, treatment: outcome, findings };
  }

  /** Masks the identifying PII in one text: knowledge bases with `redact_pii` store chunks this way. */
  async redactPii(text: string): Promise<string> {
    const { pii, mask } = this.options;
    if (!pii || !mask) return text;
    const entities = (await pii.scan(text)).filter((e) => !NOT_IDENTIFYING.has(e.type));
    return entities.length ? mask(text, entities) : text;
  }

  private injectionTreatment(obligation: string | undefined): InjectionTreatment {
    const configured = this.options.onInjection;
    // Several policies may each set one (joined with ","): the strongest of them and the configuration wins.
    const asked = (obligation ?? '').split(',').filter((t): t is InjectionTreatment => t in STRENGTH);
    return [configured, ...asked].reduce((a, b) => (STRENGTH[b] > STRENGTH[a] ? b : a));
  }

  /**
   * Scans every distinct text once (the text and structured forms of a result repeat each other):
   * injection in a batch (the ONNX classifier batches), PII per text, awaited together.
   */
  private async scanAll(texts: string[], surface: Surface): Promise<Map<string, { verdict: InjectionResult; entities: PiiEntity[] }>> {
    const unique = [...new Set(texts)];
    const { pii } = this.options;
    const [verdicts, entities] = await Promise.all([this.scanInjection(unique, surface), Promise.all(unique.map(async (t) => (pii ? pii.scan(t) : [])))]);
    return new Map(unique.map((text, i) => [text, { verdict: verdicts[i] ?? NOTHING_FOUND, entities: entities[i] ?? [] }]));
  }

  private async scanInjection(texts: string[], surface: Surface): Promise<InjectionResult[]> {
    const { injection, classifier } = this.options;
    const local = texts.map((t) => injection?.scan(t, surface) ?? NOTHING_FOUND);
    if (!classifier || texts.length === 0) return local;
    const learned = await classifier.model.classify(texts);
    return local.map((v, i) => {
      const score = learned[i] ?? 0;
      if (score <= v.score) return v;
      return { flagged: v.flagged || score >= classifier.thresholds[surface], score, rules: v.rules };
    });
  }

  private mapResult(result: ToolResult, visit: (text: string) => string, parsed: JsonCache): ToolResult {
    const { maxDepth } = this.options;
    const content = result.content.map((item) => {
      if (isTextItem(item)) {
        const text = mapTextOrJson(item.text, visit, maxDepth, parsed);
        return text === item.text ? item : { ...item, text };
      }
      return mapStringLeaves(item, visit, maxDepth);
    });
    const structured = result.structuredContent ? (mapStringLeaves(result.structuredContent, visit, maxDepth) as Record<string, unknown>) : undefined;
    return { ...result, content, ...(structured ? { structuredContent: structured } : {}) };
  }
}

function isTextItem(item: unknown): item is { type: 'text'; text: string } {
  return typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'text' && typeof (item as { text?: unknown }).text === 'string';
}

/** Types `redact: pii` leaves alone: a date or a link on its own identifies no one (name them to mask them). */
const NOT_IDENTIFYING = new Set(['DATE_TIME', 'URL']);

/** `redact: pii` masks every identifying entity type; `redact: EMAIL_ADDRESS,PHONE_NUMBER` only those. */
function redactionOf(obligation: string | undefined): 'all' | Set<string> | undefined {
  if (!obligation) return undefined;
  const parts = obligation.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.includes('pii')) return 'all';
  const types = parts.filter((p) => /^[A-Z_]+$/.test(p));
  return types.length ? new Set(types) : undefined;
}

class FindingsAccumulator {
  private score = 0;
  private flagged = false;
  private readonly rules = new Set<string>();
  private readonly types = new Set<string>();

  injection(verdict: InjectionResult): void {
    this.flagged = true;
    this.score = Math.max(this.score, verdict.score);
    for (const r of verdict.rules) this.rules.add(r);
  }

  pii(type: string): void {
    this.types.add(type);
  }

  findings(): GuardFindings {
    return {
      ...(this.flagged ? { injection: { score: Math.round(this.score * 1000) / 1000, rules: [...this.rules].sort() } } : {}),
      ...(this.types.size ? { pii: [...this.types].sort() } : {}),
    };
  }
}
