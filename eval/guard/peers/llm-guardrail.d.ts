// llm_guardrail ships plain JavaScript without declarations; this types the two checks the harness calls.
declare module 'llm_guardrail' {
  export interface GuardrailCheck {
    allowed: boolean;
    detected: boolean;
    prediction: number;
    confidence: number;
    probabilities: { safe: number; threat: number };
  }
  export function checkInjection(prompt: string): Promise<GuardrailCheck>;
  export function checkJailbreak(prompt: string): Promise<GuardrailCheck>;
  export function checkMalicious(prompt: string): Promise<GuardrailCheck>;
}
