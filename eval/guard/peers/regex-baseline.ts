/**
 * The floor: the handful of regexes a team writes on day one. Warden has to clear it by a wide
 * margin, or a learned scanner is not earning its cost.
 */
export const BASELINE_PATTERNS: readonly RegExp[] = [
  /\bignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier)\s+(?:instructions|prompts?|directions|rules)/i,
  /\bdisregard\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier)/i,
  /\bforget\s+(?:all\s+|everything\s+|your\s+)?(?:previous|prior|above)?\s*(?:instructions|rules)/i,
  /\byou\s+are\s+now\s+(?:DAN|in\s+developer\s+mode|unrestricted)/i,
  /\bdo\s+anything\s+now\b/i,
  /\b(?:reveal|show|print|repeat)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+prompt|initial\s+instructions|hidden\s+instructions)/i,
  /\bnew\s+instructions\s*:/i,
  /\bDROP\s+TABLE\b/i,
];

export function regexBaseline(text: string): boolean {
  return BASELINE_PATTERNS.some((re) => re.test(text));
}
