import { isIPv6 } from 'node:net';
import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Not preceded by a word char or dot and not followed by another ".digit": keeps 1.2.3.4.5 and
// 10.0.0.1.2 out, but allows a sentence-ending period.
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
// Candidate only; node:net decides validity, so '::' rules and group counts are not hand-coded.
// Sticky: tried only at the few starts near a ':' (see ipv6Matches), not at every position.
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/y;
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
      for (const m of allMatches(IPV4, text)) {
        if (hasContextBefore(text, m.index, VERSION_CONTEXT, 16)) continue;
        const score = hasContextBefore(text, m.index, IP_CONTEXT) ? 0.95 : 0.8;
        out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score, recognizer: 'ip_address.v4' });
      }
    }
    // An IPv6 address of 6+ characters has '::' or, with all groups present, "h:h...:".
    if (text.includes('::') || IPV6_HINT.test(text)) {
      for (const m of ipv6Matches(text)) {
        const value = m[0];
        // "::" alone and short colon runs (times, "a:b:c") are too ambiguous to call an address.
        if (value.length < 6 || !isIPv6(value)) continue;
        out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + value.length, score: 0.85, recognizer: 'ip_address.v6' });
      }
    }
  },
};

/**
 * What a global scan with IPV6 would match, trying only starts that can succeed: a match begins
 * with at most four hex digits and then a ':', so its start lies 0–4 hex digits before a colon.
 * Starts are tried in increasing order, each once, and never inside an earlier match: the same
 * leftmost-first sequence the global regex yields, without running it at every position.
 */
function ipv6Matches(text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  let next = 0;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    if (colon < next) continue;
    let p = colon;
    while (p > next && colon - p < 4 && isHex(text.charCodeAt(p - 1))) p--;
    for (; p <= colon; p++) {
      IPV6.lastIndex = p;
      const m = IPV6.exec(text);
      if (m !== null) {
        found.push(m);
        next = p + m[0].length;
        break;
      }
    }
  }
  return found;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
