/**
 * PII detectors under test, each returning spans typed with Presidio's names. Peers that only
 * return redacted text get their spans back by aligning output with input (recoverRedactedSpans).
 */
import { redact as arcjetRedact } from '@arcjet/redact';
import { OpenRedaction } from '@openredaction/openredaction';
import { PIIConfig, pii as openaiPii } from '@openai/guardrails';
import redactPii from 'redact-pii';
import { createPiiScanner, PII_ENTITY_TYPES } from '../../../src/guard/pii/index.js';
import { entityFamily, normalizeWithOffsets, recoverRedactedSpans, type Span } from '../spans.js';
import type { PeerStatus } from './injection.js';

export interface PiiTool {
  name: string;
  /**
   * Entity families (see entityFamily) the peer claims to detect in general; its own-scope column
   * scores only these. ZIP_CODE is never listed: the set's zips mostly sit inside address spans
   * (a zip finding there would count as wrong), and Warden's own presidio map drops the type.
   */
  supports: ReadonlySet<string>;
  spans: 'native' | 'redaction-diff';
  scan(text: string): Span[] | Promise<Span[]>;
  /** Texts whose redacted output could not be aligned with the input (scored as finding nothing). */
  unaligned: number;
}

/** The families Warden's local scanner claims (PII_ENTITY_TYPES), e.g. STREET_ADDRESS counted as LOCATION. */
export function wardenPiiFamilies(): string[] {
  return [...new Set(PII_ENTITY_TYPES.map(entityFamily))].sort();
}

function wardenPii(): PiiTool {
  const scanner = createPiiScanner();
  return {
    name: 'warden',
    supports: new Set(wardenPiiFamilies()),
    spans: 'native',
    unaligned: 0,
    scan: (text) => scanner.scan(text).map((e) => ({ type: e.type, start: e.start, end: e.end })),
  };
}

/** redact-pii's placeholder (snake-cased rule name) → Presidio type. USERNAME/PASSWORD/DIGITS have no Presidio twin. */
export const REDACT_PII_TYPES: Record<string, string> = {
  CREDIT_CARD_NUMBER: 'CREDIT_CARD',
  STREET_ADDRESS: 'STREET_ADDRESS',
  ZIPCODE: 'ZIP_CODE',
  PHONE_NUMBER: 'PHONE_NUMBER',
  IP_ADDRESS: 'IP_ADDRESS',
  US_SOCIAL_SECURITY_NUMBER: 'US_SSN',
  EMAIL_ADDRESS: 'EMAIL_ADDRESS',
  USERNAME: 'USERNAME',
  PASSWORD: 'PASSWORD',
  CREDENTIALS: 'CREDENTIALS',
  DIGITS: 'DIGITS',
  URL: 'URL',
  PERSON_NAME: 'PERSON',
};
// Longest first, so CREDIT_CARD_NUMBER is not read as a shorter name; no \b, because redact-pii
// replaces inside words ("DE89...": "DECREDIT_CARD_NUMBER3000").
const REDACT_PII_PLACEHOLDER = new RegExp(
  Object.keys(REDACT_PII_TYPES)
    .sort((a, b) => b.length - a.length)
    .join('|'),
  'g',
);

function redactPiiTool(): PiiTool {
  // redact-pii ignores per-rule replaceWith (composition.js), so the default placeholders are what we parse.
  const redactor = new redactPii.SyncRedactor();
  const tool: PiiTool = {
    name: 'redact-pii',
    supports: new Set(['PERSON', 'LOCATION', 'PHONE_NUMBER', 'IP_ADDRESS', 'US_SSN', 'EMAIL_ADDRESS', 'URL', 'CREDIT_CARD']),
    spans: 'redaction-diff',
    unaligned: 0,
    scan(text) {
      const r = recoverRedactedSpans(text, redactor.redact(text), REDACT_PII_PLACEHOLDER, (m) => REDACT_PII_TYPES[m[0]]);
      if (!r.aligned) tool.unaligned++;
      return r.spans;
    },
  };
  return tool;
}

/** OpenRedaction pattern name → Presidio type; the other ~500 patterns keep their own name (out of scope). */
export function openRedactionType(type: string): string {
  if (type.startsWith('PHONE_')) return 'PHONE_NUMBER';
  const map: Record<string, string> = {
    NAME: 'PERSON',
    EMAIL: 'EMAIL_ADDRESS',
    CREDIT_CARD: 'CREDIT_CARD',
    IBAN: 'IBAN_CODE',
    UK_BANK_ACCOUNT_IBAN: 'IBAN_CODE',
    SSN: 'US_SSN',
    IPV4: 'IP_ADDRESS',
    IPV6: 'IP_ADDRESS',
    ADDRESS_STREET: 'STREET_ADDRESS',
    ADDRESS_PO_BOX: 'STREET_ADDRESS',
    ZIP_CODE_US: 'ZIP_CODE',
    POSTCODE_UK: 'ZIP_CODE',
    DATE_OF_BIRTH: 'DATE_TIME',
    DRIVING_LICENSE_US: 'US_DRIVER_LICENSE',
    PASSPORT_US: 'US_PASSPORT',
    URL_WITH_AUTH: 'URL',
  };
  return map[type] ?? type;
}

function openRedactionTool(): PiiTool {
  const detector = new OpenRedaction();
  return {
    name: 'openredaction',
    // DATE_OF_BIRTH and URL_WITH_AUTH are narrow cases, not a claim on dates or URLs in general.
    supports: new Set(['PERSON', 'EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'LOCATION', 'US_DRIVER_LICENSE']),
    spans: 'native',
    unaligned: 0,
    scan: (text) => detector.detect(text).detections.map((d) => ({ type: openRedactionType(d.type), start: d.position[0], end: d.position[1] })),
  };
}

export const ARCJET_TYPES: Record<string, string> = {
  email: 'EMAIL_ADDRESS',
  'phone-number': 'PHONE_NUMBER',
  'ip-address': 'IP_ADDRESS',
  'credit-card-number': 'CREDIT_CARD',
};

function arcjetTool(): PiiTool {
  // Private-use sentinels instead of "<Redacted email #0>", so a placeholder cannot be confused with input text.
  const replace = (entity: string) => `\uE000${entity}\uE001`;
  const tool: PiiTool = {
    name: '@arcjet/redact',
    supports: new Set(Object.values(ARCJET_TYPES)),
    spans: 'redaction-diff',
    unaligned: 0,
    async scan(text) {
      const [redacted] = await arcjetRedact(text, { replace });
      const r = recoverRedactedSpans(text, redacted, /\uE000([^\uE001]+)\uE001/g, (m) => ARCJET_TYPES[m[1] ?? ''] ?? m[1]);
      if (!r.aligned) tool.unaligned++;
      return r.spans;
    },
  };
  return tool;
}

const openaiNormalize = (t: string) => t.normalize('NFKC').replace(/\u200B|\u200C|\u200D|\u2060|\uFEFF/g, '');

function openaiPiiTool(): PiiTool {
  // Default entity list: everything but PERSON and NRP, which the library deprecated as
  // "any two capitalized words" / "any two words".
  const config = PIIConfig.parse({});
  const known = new Set<string>(config.entities);
  const tool: PiiTool = {
    name: '@openai/guardrails',
    supports: new Set(['CREDIT_CARD', 'DATE_TIME', 'EMAIL_ADDRESS', 'IBAN_CODE', 'IP_ADDRESS', 'LOCATION', 'PHONE_NUMBER', 'URL', 'US_SSN', 'US_DRIVER_LICENSE'].filter((t) => known.has(t))),
    spans: 'redaction-diff',
    unaligned: 0,
    async scan(text) {
      if (text.trim() === '') return [];
      const result = await openaiPii({}, text, config);
      const checked = (result.info as { checked_text?: unknown }).checked_text;
      if (typeof checked !== 'string') return [];
      const placeholder = /<([A-Z0-9_]+)>/g;
      const typeOf = (m: RegExpExecArray) => (known.has(m[1] ?? '') ? m[1] : undefined);
      const r = recoverRedactedSpans(text, checked, placeholder, typeOf);
      if (r.aligned) return r.spans;
      // The check scrubs an NFKC-normalised, zero-width-stripped copy (checks/pii.js _normalizeUnicode): align with that copy, then map back.
      const norm = normalizeWithOffsets(text, openaiNormalize, openaiNormalize);
      const rn = norm ? recoverRedactedSpans(norm.text, checked, placeholder, typeOf) : undefined;
      if (!norm || !rn?.aligned) {
        tool.unaligned++;
        return [];
      }
      return rn.spans.map((s) => norm.toOriginal(s)).filter((s): s is Span => s !== undefined);
    },
  };
  return tool;
}

export async function loadPiiTools(): Promise<{ tools: PiiTool[]; status: Record<string, PeerStatus> }> {
  const tools: PiiTool[] = [];
  const status: Record<string, PeerStatus> = {};
  const peers: Array<[string, () => PiiTool, string]> = [
    ['warden', wardenPii, 'createPiiScanner() defaults (min score 0.5, all entity types)'],
    ['redact-pii', redactPiiTool, 'SyncRedactor defaults (built-in regexes + well-known-names list); spans recovered by diffing the redacted text'],
    ['openredaction', openRedactionTool, 'new OpenRedaction() defaults; native spans (detect().detections[].position)'],
    ['@arcjet/redact', arcjetTool, 'redact() with all 4 built-in entities, local WebAssembly; spans recovered by diffing the redacted text'],
    ['@openai/guardrails', openaiPiiTool, 'checks.pii with PIIConfig defaults (regex, local); spans recovered by diffing info.checked_text'],
  ];
  for (const [name, make, note] of peers) {
    try {
      tools.push(make());
      status[name] = { ran: true, note };
    } catch (err) {
      status[name] = { ran: false, reason: (err as Error).message };
    }
  }
  status['@arcjet/node'] = {
    ran: false,
    reason:
      'needs ARCJET_KEY and the Arcjet cloud: protect() calls decide.arcjet.com for the decision (and reports local denials there), and returns allow/deny per request, no spans; its sensitiveInfo detection is the same WebAssembly as @arcjet/redact, which is scored instead',
  };
  return { tools, status };
}
