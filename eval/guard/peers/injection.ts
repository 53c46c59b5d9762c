/**
 * Injection detectors under test, each behind one call: text and surface in, flagged or not out.
 * Peers without a surface notion get the same call on both surfaces.
 */
import vard from '@andersmyrmel/vard';
import { createInjectionScanner } from '../../../src/guard/injection/index.js';
import type { Surface } from '../../../src/guard/types.js';
import { regexBaseline } from './regex-baseline.js';

export interface InjectionTool {
  name: string;
  /** Sync detectors return a boolean so the timing does not include a promise per row they never needed. */
  detect(text: string, surface: Surface): boolean | Promise<boolean>;
}

export interface PeerStatus {
  ran: boolean;
  reason?: string;
  /** How it was configured / what was measured, for the report. */
  note?: string;
}

function wardenInjection(): { tool: InjectionTool; status: PeerStatus } {
  const scanner = createInjectionScanner();
  return {
    tool: { name: 'warden', detect: (text, surface) => scanner.scan(text, surface).flagged },
    status: { ran: true, note: 'createInjectionScanner() defaults: rules + hashed n-gram model, per-surface thresholds (direct/indirect)' },
  };
}

async function llmGuardrail(): Promise<{ tool?: InjectionTool; status: PeerStatus }> {
  try {
    const { checkInjection, checkJailbreak } = await import('llm_guardrail');
    return {
      tool: {
        name: 'llm_guardrail',
        detect: async (text) => {
          const [inj, jb] = await Promise.all([checkInjection(text), checkJailbreak(text)]);
          return inj.detected || jb.detected;
        },
      },
      status: {
        ran: true,
        note: 'checkInjection || checkJailbreak (TF-IDF + logistic regression, model JSON shipped in the package, read from disk, no download); checkMalicious left out: it is content moderation, not injection',
      },
    };
  } catch (err) {
    return { status: { ran: false, reason: `import failed: ${(err as Error).message}` } };
  }
}

export async function loadInjectionTools(): Promise<{ tools: InjectionTool[]; status: Record<string, PeerStatus> }> {
  const tools: InjectionTool[] = [];
  const status: Record<string, PeerStatus> = {};
  const add = (name: string, r: { tool?: InjectionTool; status: PeerStatus }) => {
    status[name] = r.status;
    if (r.tool) tools.push(r.tool);
  };
  add('warden', wardenInjection());

  // Length is not what is measured here: vard's default 10,000-character cap would flag every long
  // jailbreak as "instructionOverride" without looking at it.
  const guard = vard.moderate().maxLength(Number.MAX_SAFE_INTEGER);
  add('vard', {
    tool: { name: 'vard', detect: (text) => !guard.safeParse(text).safe },
    status: { ran: true, note: 'vard.moderate() preset (threshold 0.7), maxLength lifted; flagged = safeParse(text).safe === false' },
  });
  add('llm_guardrail', await llmGuardrail());
  add('regex-baseline', {
    tool: { name: 'regex-baseline', detect: (text) => regexBaseline(text) },
    status: { ran: true, note: '8 common regexes (ignore/disregard previous, DAN, reveal system prompt, DROP TABLE, ...)' },
  });
  status['@openai/guardrails (jailbreak, prompt_injection_detection)'] = {
    ran: false,
    reason: 'both checks are LLM-based: they call client.chat.completions.create on an OpenAI model (checks/llm-base.js); no offline mode',
  };
  return { tools, status };
}
