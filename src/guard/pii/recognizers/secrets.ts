import type { PiiEntity } from '../../types.js';
import { hasContextBefore, textBefore } from '../context.js';
import { shannonEntropy } from '../validators.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';

const AWS_ACCESS_KEY = /(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
const AWS_ANYWHERE = /aws|amazon|secret|access_key/i;
const AWS_CONTEXT = /(?:aws|amazon|secret|sk\b|access_key|secretaccesskey)/;
const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{4,4096}\.eyJ[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,1024}(?![\w.-])/g;

/** Vendor tokens with fixed prefixes: unambiguous on their own. The third field is a substring every match contains, checked first. */
const VENDOR_TOKENS: ReadonlyArray<readonly [string, RegExp, string]> = [
  ['secret.github', /(?<![\w])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![\w])/g, '_'],
  ['secret.slack', /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,250}(?![\w-])/g, 'xox'],
  ['secret.stripe', /(?<![\w])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}(?![\w])/g, 'k_'],
  ['secret.openai', /(?<![\w-])sk-(?:proj-|svcacct-|ant-)?[A-Za-z0-9_-]{20,200}(?![\w-])/g, 'sk-'],
  ['secret.google_api', /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g, 'AIza'],
];

// Generic secrets: a long token right after a key-like word and an assignment. The value run is
// bounded and begins after a fixed separator, so there is no backtracking across the text.
const ASSIGNED =
  /(?<![a-z])(?:api[_-]?key|apikey|key|token|secret|passw(?:or)?d|passwd|pwd|pass|credentials?|auth|client[_-]?secret)["']?\s{0,3}(?:[:=]|=>)\s{0,3}["']?([A-Za-z0-9_\-+/=.~!@#$%^&*]{8,512})/gi;
// Prose form: "password is X", "Bearer X". Limited to words whose next token is almost always the value.
const SPOKEN = /(?<![a-z])(?:password|passwd|passcode|bearer)\s{1,3}(?:is\s{1,3})?["']?([A-Za-z0-9_\-+/=.~!@#$%^&*]{8,512})/gi;
const SECRET_ANYWHERE = /key|token|secret|pass|pwd|credential|auth|bearer/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;
// Where a hex digest is the point of the text, not a credential.
const DIGEST_CONTEXT = /(?:sha\d*|md5|hash|digest|checksum|commit|etag|integrity|fingerprint)/;
const PLACEHOLDER = /^(?:x+|\*+|\.+|<[^>]*>|\$\{[^}]*\}|(?:your|my|the)[_-]?\w*|changeme|password|secret|redacted|null|undefined|true|false)$/i;

export const secretsRecognizer: Recognizer = {
  name: 'secrets',
  types: ['AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'PRIVATE_KEY', 'JWT', 'SECRET'],
  scan(text, out: PiiEntity[]) {
    for (const m of allMatches(AWS_ACCESS_KEY, text)) {
      out.push({ type: 'AWS_ACCESS_KEY', start: m.index, end: m.index + 20, score: 0.95, recognizer: 'aws_access_key' });
    }
    // The 40-char scan touches every word, so it runs only when a context word exists at all.
    const awsContext = AWS_ANYWHERE.test(text);
    if (awsContext) {
      for (const start of awsSecretCandidates(text)) {
        const value = text.slice(start, start + 40);
        // 40 chars of a mixed alphabet is the AWS secret shape; a context word keeps paths and hashes out.
        if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/\d/.test(value)) continue;
        if (!hasContextBefore(text, start, AWS_CONTEXT, 64)) continue;
        out.push({ type: 'AWS_SECRET_KEY', start, end: start + 40, score: 0.9, recognizer: 'aws_secret_key' });
      }
    }
    scanPrivateKeys(text, out);
    if (text.includes('eyJ')) {
      for (const m of allMatches(JWT, text)) {
        if (!jwtHeaderValid(m[0])) continue;
        out.push({ type: 'JWT', start: m.index, end: m.index + m[0].length, score: 0.95, recognizer: 'jwt' });
      }
    }
    for (const [recognizer, re, hint] of VENDOR_TOKENS) {
      if (!text.includes(hint)) continue;
      for (const m of allMatches(re, text)) {
        out.push({ type: 'SECRET', start: m.index, end: m.index + m[0].length, score: 0.95, recognizer });
      }
    }
    scanAssignedSecrets(text, out);
  },
};

/**
 * Starts of what `/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g` matches: runs of
 * that alphabet exactly 40 long and not followed by "=". A char-code walk, because the regex
 * tried its 40-char body at the start of every word of the text.
 */
function awsSecretCandidates(text: string): number[] {
  const starts: number[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (!base64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && base64Char(text.charCodeAt(i))) i++;
    if (i - start === 40 && text.charCodeAt(i) !== 61) starts.push(start);
  }
  return starts;
}

/** [A-Za-z0-9/+] */
function base64Char(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 47 && c <= 57) || c === 43;
}

function scanPrivateKeys(text: string, out: PiiEntity[]): void {
  // indexOf rather than a lazy [\s\S]*? regex: a BEGIN without END must not rescan the rest of the text per BEGIN.
  let from = 0;
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', from);
    if (begin < 0) return;
    const headerEnd = text.indexOf('-----', begin + 11);
    if (headerEnd < 0) return;
    const label = text.slice(begin + 11, headerEnd);
    from = headerEnd + 5;
    if (label.length > 40 || !/^[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?$/.test(label)) continue;
    const footer = `-----END ${label}-----`;
    const endAt = text.indexOf(footer, from);
    // A truncated block still leaks the key material, so report up to the end of the base64 body.
    const end = endAt >= 0 ? endAt + footer.length : bodyEnd(text, from);
    out.push({ type: 'PRIVATE_KEY', start: begin, end, score: 1, recognizer: 'private_key.pem' });
    from = end;
  }
}

/** End of a run of base64 lines (and PEM headers such as Proc-Type) starting at `from`. */
function bodyEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && /[A-Za-z0-9+/=\s:,-]/.test(text[i] ?? '')) i++;
  return i;
}

function jwtHeaderValid(token: string): boolean {
  const header = token.slice(0, token.indexOf('.'));
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && typeof (parsed as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/**
 * Trade-off: a value is a secret when it is assigned to a key-like name AND is either long and
 * high-entropy (≥ 3.5 bits/char over ≥ 16 chars) or a password-like value (≥ 8 chars, mixed
 * character classes). UUIDs are skipped (usually ids), and hex runs are skipped when a digest
 * word is nearby (commit SHAs, checksums), at the cost of missing a hex API key placed next to
 * the word "hash".
 */
function scanAssignedSecrets(text: string, out: PiiEntity[]): void {
  if (!SECRET_ANYWHERE.test(text)) return;
  for (const m of [...allMatches(ASSIGNED, text), ...allMatches(SPOKEN, text)]) {
    let value = m[1] ?? '';
    value = value.replace(/[.,;]+$/, '');
    if (value.length < 8 || PLACEHOLDER.test(value) || UUID.test(value)) continue;
    const start = m.index + m[0].length - (m[1] ?? '').length;
    if (HEX.test(value) && DIGEST_CONTEXT.test(textBefore(text, start, 40))) continue;
    const entropy = shannonEntropy(value);
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
    let score: number;
    if (value.length >= 16 && entropy >= 3.5) score = 0.85;
    else if (classes >= 2 && entropy >= 2.5) score = 0.6;
    else continue;
    out.push({ type: 'SECRET', start, end: start + value.length, score, recognizer: 'secret.entropy' });
  }
}
