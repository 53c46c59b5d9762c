import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';
import { LETTER } from '../charclass.js';

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
// Rejects starts inside a word or number before any alternative is tried (a cheap ASCII-range
// version of BOUNDARY_BEFORE, which still has the final say).
const START = `(?<![${LETTER}0-9_/.:-])`;
const TIME = '(?:[T ]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,6})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?';
// Alternatives are anchored on distinct leading shapes, each bounded; no nested unbounded repeats.
const DATE = new RegExp(
  START +
  '(?:' +
  [
    `\\d{4}-\\d{1,2}-\\d{1,2}${TIME}`,
    `\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})(?:\\s\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\s?[ap]\\.?m\\.?)?)?`,
    `\\d{4}/\\d{1,2}/\\d{1,2}`,
    `${MONTH}\\.?\\s\\d{1,2}(?:st|nd|rd|th)?,?\\s\\d{4}`,
    `\\d{1,2}(?:st|nd|rd|th)?\\s(?:of\\s)?${MONTH}\\.?,?\\s\\d{4}`,
    `${MONTH}\\s\\d{4}`,
    `(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)`,
    `(?:1[89]|20)\\d{2}`,
  ]
    .map((p) => `(?:${p})`)
    .join('|') +
  ')',
  'gi',
);
// Every other alternative needs a digit, so text without one is searched for weekdays only.
const WEEKDAY = new RegExp(`${START}(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)`, 'gi');
const HAS_DIGIT = /\d/;
const BOUNDARY_BEFORE = /[\p{L}\p{N}_/.:-]/u;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const DOB = /\b(?:born|dob|d\.o\.b|date of birth|birth ?date|birthday|b-day)\b/;
const YEAR_CONTEXT = /\b(?:in|since|during|of|from|until|till|by|year|circa|before|after|early|late|mid|around)\s*$/;

export const dateRecognizer: Recognizer = {
  name: 'date_time',
  types: ['DATE_TIME'],
  scan(text, out: PiiEntity[]) {
    for (const m of allMatches(HAS_DIGIT.test(text) ? DATE : WEEKDAY, text)) {
      const value = m[0];
      const start = m.index;
      const end = start + value.length;
      if (start > 0 && boundaryBefore(text, start - 1)) continue;
      const after = text.charCodeAt(end);
      if (wordChar(text, end)) continue;
      // . / : -
      if ((after === 46 || after === 47 || after === 58 || after === 45) && isDigit(text.charCodeAt(end + 1))) continue;
      let score: number;
      if (/^\d{4}$/.test(value)) {
        // A bare year is only a date after a temporal preposition; otherwise it is a count or an id.
        score = hasContextBefore(text, start, YEAR_CONTEXT, 16) ? 0.6 : 0.3;
      } else if (/^[a-z]+$/i.test(value)) {
        // Weekday names must be capitalised: "friday" in running lowercase text is usually chatter.
        score = /^[A-Z]/.test(value) ? 0.6 : 0.4;
      } else if (/^\d{1,2}[.-]\d{1,2}[.-]\d{2}$/.test(value)) {
        score = 0.4;
      } else {
        if (!plausibleNumericDate(value)) continue;
        score = 0.75;
      }
      if (hasContextBefore(text, start, DOB, 40)) score = 0.95;
      out.push({ type: 'DATE_TIME', start, end, score, recognizer: score === 0.95 ? 'date_time.dob' : 'date_time' });
    }
  },
};

/** BOUNDARY_BEFORE on the code unit at `i`; ASCII (nearly every call) by char code. */
function boundaryBefore(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiAlnum(c) || c === 95 || c === 47 || c === 46 || c === 58 || c === 45;
  return BOUNDARY_BEFORE.test(text.charAt(i));
}

/** WORD_CHAR on the code unit at `i` (false past the end). */
function wordChar(text: string, i: number): boolean {
  if (i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiAlnum(c) || c === 95;
  return WORD_CHAR.test(text.charAt(i));
}

function isAsciiAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Rejects numeric shapes whose fields cannot be a day and a month (e.g. 45/13/2020). */
function plausibleNumericDate(value: string): boolean {
  const nums = value.match(/\d+/g);
  if (nums === null || nums.length < 3) return true;
  const [a = 0, b = 0, c = 0] = nums.slice(0, 3).map(Number);
  if (String(nums[0]).length === 4) return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  // Either day/month or month/day order.
  return a >= 1 && b >= 1 && ((a <= 12 && b <= 31) || (b <= 12 && a <= 31));
}
