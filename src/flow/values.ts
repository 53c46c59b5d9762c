import { createHash } from 'node:crypto';

/**
 * The values provenance tracking follows: whole strings, and the significant substrings an agent
 * copies out of a tool output into a later call's arguments — IBANs, e-mail addresses, URLs,
 * account and card numbers, amounts. Each becomes a short digest of its normal form, so the index
 * never holds the values themselves.
 */

/** Longer strings are followed by their significant substrings only. */
const MAX_WHOLE = 512;
const MIN_WHOLE = 4;

const PATTERNS: RegExp[] = [
  // IBAN: two letters, two digits, then 11–30 alphanumerics, whole or in groups of four.
  /\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)\b/g,
  /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g,
  /\bhttps?:\/\/[^\s<>"')\]]+/gi,
  /\bwww\.[\w-]+(?:\.[\w-]+)+(?:\/[^\s<>"')\]]*)?/gi,
  // Account, card and reference numbers: six or more digits, possibly grouped.
  /\b\d(?:[ -]?\d){5,}\b/g,
  // Identifiers such as ACC-1042 or INV-0042.
  /\b[A-Z]{2,5}-\d{2,}\b/g,
];

/** Web addresses, with or without a scheme: each also stands for its host, so `www.x.com` matches `https://x.com/page`. */
const WEB = /\b(?:https?:\/\/)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?=[/:?#\s"'<>)\]]|$)/gi;
const URLISH = /^(?:https?:\/\/|www\.)/i;

function hostKeys(text: string, keys: Set<string>): void {
  for (const m of text.matchAll(WEB)) {
    if (URLISH.test(m[0])) keys.add(digest('h', m[1]!.toLowerCase()));
  }
}

/** Amounts: 100 and above (smaller numbers match far too much to mean anything), with separators. */
const AMOUNT = /(?<![\w.,])\d{1,3}(?:[,' ]\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d{3,}(?:\.\d+)?(?![\w])/g;

const digest = (kind: string, normal: string) => createHash('sha256').update(kind).update('\0').update(normal).digest('base64url').slice(0, 16);

function normalText(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

function normalToken(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s-]+/g, '');
}

export function normalAmount(raw: string): string | undefined {
  const n = Number(raw.replace(/[,' ]/g, ''));
  return Number.isFinite(n) && n >= 100 ? String(n) : undefined;
}

/** Digests of a string value as it appears in a tool output: the whole of it, and its significant substrings. */
export function valueKeys(text: string): Set<string> {
  const keys = new Set<string>();
  const whole = normalText(text);
  if (whole.length >= MIN_WHOLE && whole.length <= MAX_WHOLE) keys.add(digest('s', whole));
  for (const pattern of PATTERNS) {
    for (const m of text.matchAll(pattern)) keys.add(digest('t', normalToken(m[0])));
  }
  for (const m of text.matchAll(AMOUNT)) {
    const amount = normalAmount(m[0]);
    if (amount) keys.add(digest('n', amount));
  }
  hostKeys(text, keys);
  return keys;
}

/** Digests of an argument value: a string as above; a number as an amount. */
export function argumentKeys(value: unknown): Set<string> {
  if (typeof value === 'string') {
    const keys = valueKeys(value);
    // A whole argument that is itself a token (an IBAN typed without spaces) matches the token form.
    const token = normalToken(value);
    if (token.length >= 6 && token.length <= 64) keys.add(digest('t', token));
    return keys;
  }
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) >= 100) return new Set([digest('n', String(value))]);
  return new Set();
}

/** Every string and number leaf of a JSON value, to a bounded depth. */
export function leaves(value: unknown, visit: (leaf: string | number) => void, depth = 16): void {
  if (typeof value === 'string' || typeof value === 'number') {
    visit(value);
    return;
  }
  if (depth <= 0 || typeof value !== 'object' || value === null) return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) leaves(v, visit, depth - 1);
}
