import { isIPv6 } from 'node:net';
import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import type { Recognizer } from '../recognizer.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Not preceded by a word char or dot and not followed by another ".digit": keeps 1.2.3.4.5 and
// 10.0.0.1.2 out, but allows a sentence-ending period.
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
// Candidate only; node:net decides validity, so '::' rules and group counts are not hand-coded.
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g;
const IPV6_HINT = /[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:/;
// "version 1.2.3.4", "v1.2.3.4", "build 10.0.19041.1": dotted quads that are versions. We do not
// report them: a version number is not personal data, and these contexts are common in logs.
// Whole words only: without the boundary any word ending in "v" ("dev", a lone "V") hid real
// addresses. A bare "v" counts only when it is glued to an assignment ("v=1.2.3.4").
const VERSION_CONTEXT = /(?:\b(?:version|ver\.?|release|build)\s*[:=]?|\bv\s*[:=])\s*$/;
const IP_CONTEXT = /\b(?:ip|ipv4|ipv6|address|addr|host|client|server|remote|src|dst|from)\b/;

export const ipRecognizer: Recognizer = {
  name: 'ip_address',
  types: ['IP_ADDRESS'],
  scan(text, out: PiiEntity[]) {
    if (text.includes('.')) {
      for (const m of text.matchAll(IPV4)) {
        if (hasContextBefore(text, m.index, VERSION_CONTEXT, 16)) continue;
        const score = hasContextBefore(text, m.index, IP_CONTEXT) ? 0.95 : 0.8;
        out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score, recognizer: 'ip_address.v4' });
      }
    }
    // An IPv6 address of 6+ characters has '::' or, with all groups present, "h:h...:".
    if (text.includes('::') || IPV6_HINT.test(text)) {
      for (const m of text.matchAll(IPV6)) {
        const value = m[0];
        // "::" alone and short colon runs (times, "a:b:c") are too ambiguous to call an address.
        if (value.length < 6 || !isIPv6(value)) continue;
        out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + value.length, score: 0.85, recognizer: 'ip_address.v6' });
      }
    }
  },
};
