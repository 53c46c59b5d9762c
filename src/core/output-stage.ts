import type { Action } from './action.js';
import type { ContentInspector, Execution, GuardFindings, OutputTreatment } from './ports.js';

/**
 * The Gate's output stage: what the agent may see of a result after the content guard. Fail
 * closed: a scanner failure withholds the result (or, for an itemized result, the item).
 */
export async function inspectOutput(
  guard: ContentInspector,
  action: Action,
  execution: Execution,
  obligations: Record<string, string>,
): Promise<{ execution: Execution; guarded: GuardFindings & { treatment: OutputTreatment } }> {
  const { attempts, durationMs } = execution;
  if (execution.itemized) return inspectItems(guard, action, execution, obligations);
  try {
    const inspected = await guard.inspectOutput(action, execution.result!, obligations);
    const guarded = { ...inspected.findings, treatment: inspected.treatment };
    if (inspected.treatment === 'withheld') {
      const rules = inspected.findings.injection?.rules.join(', ') || 'model score';
      return { execution: { outcome: 'withheld', attempts, durationMs, error: `the result was withheld: suspected prompt injection (${rules})` }, guarded };
    }
    return { execution: { ...execution, result: inspected.result }, guarded };
  } catch {
    return { execution: { outcome: 'withheld', attempts, durationMs, error: 'the result was withheld: it could not be inspected' }, guarded: { treatment: 'withheld' } };
  }
}

/**
 * The output stage for itemized results: each content item inspected on its own; an item that
 * must be withheld is replaced by a note saying so, the others reach the agent. A scanner
 * failure withholds the item it failed on (fail closed).
 */
async function inspectItems(
  guard: ContentInspector,
  action: Action,
  execution: Execution,
  obligations: Record<string, string>,
): Promise<{ execution: Execution; guarded: GuardFindings & { treatment: OutputTreatment } }> {
  const result = execution.result!;
  const inspected = await Promise.all(
    result.content.map(async (item) => {
      try {
        const one = await guard.inspectOutput(action, { content: [item] }, obligations);
        return one.treatment === 'withheld' ? { ...one, result: { content: [withheldItem(one.findings)] } } : one;
      } catch {
        return { result: { content: [withheldItem({})] }, treatment: 'withheld' as const, findings: {} };
      }
    }),
  );
  const items = inspected.map((i) => i.treatment);
  const findings = mergeFindings(inspected.map((i) => i.findings));
  const treatment = items.reduce<OutputTreatment>((a, b) => (TREATMENT_STRENGTH[b] > TREATMENT_STRENGTH[a] ? b : a), 'clean');
  return {
    execution: { ...execution, items, result: { ...result, content: inspected.map((i) => i.result.content[0]) } },
    guarded: { ...findings, treatment },
  };
}

const TREATMENT_STRENGTH: Record<OutputTreatment, number> = { clean: 0, flagged: 1, redacted: 2, neutralised: 3, withheld: 4 };

function withheldItem(findings: GuardFindings): { type: 'text'; text: string } {
  const rules = findings.injection?.rules.join(', ');
  return { type: 'text', text: `[withheld by Warden: ${findings.injection ? `suspected prompt injection${rules ? ` (${rules})` : ''}` : 'it could not be inspected'}]` };
}

/** One set of findings from several: the highest injection score, every rule and PII type once. */
function mergeFindings(all: GuardFindings[]): GuardFindings {
  const injections = all.flatMap((f) => (f.injection ? [f.injection] : []));
  const pii = [...new Set(all.flatMap((f) => f.pii ?? []))].sort();
  return {
    ...(injections.length ? { injection: { score: Math.max(...injections.map((i) => i.score)), rules: [...new Set(injections.flatMap((i) => i.rules))].sort() } } : {}),
    ...(pii.length ? { pii } : {}),
  };
}
