/**
 * A decision is a value. `error` means the engine could not evaluate soundly: it blocks the action
 * exactly like `deny` and is recorded as its own outcome.
 */
export type Outcome = 'allow' | 'deny' | 'approval_required' | 'error';

export interface Decision {
  decision: Outcome;
  /** Ids of the policies that determined the outcome (permits for allow, forbids for deny). */
  policies: string[];
  /** Obligations from the determining policies' annotations, e.g. `{ redact: 'pii' }`. */
  obligations: Record<string, string>;
  /** Why, when no policy explains it: `default_deny`, `unknown_agent`, `evaluation_error`… */
  reason?: string;
  errors: string[];
}

/** Exit codes of `warden authorize`, part of the CLI contract. */
export const OUTCOME_EXIT_CODES: Record<Outcome, number> = { allow: 0, deny: 3, approval_required: 4, error: 5 };
