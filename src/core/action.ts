/** The verbs every agent action is one of (DESIGN.md, "the Gate"). */
export const VERBS = [
  'tool.invoke',
  'model.invoke',
  'kb.retrieve',
  'memory.read',
  'memory.write',
  'event.publish',
  'event.consume',
  'agent.delegate',
] as const;

export type Verb = (typeof VERBS)[number];

export function isVerb(value: string): value is Verb {
  return (VERBS as readonly string[]).includes(value);
}

/** A typed reference to an entity in the policy model, e.g. `Tool::"bank.send_money"`. */
export interface EntityRef {
  type: string;
  id: string;
}

/** How the principal proved who it is. */
export interface Credential {
  /** `local`: a process the operator started for one agent (`warden mcp`); treated like the agent. */
  kind: 'api_key' | 'admin' | 'mtls' | 'cli' | 'local';
  /** Key id or certificate fingerprint; never the secret. */
  id?: string;
}

/** One thing an agent wants to do, as it enters the Gate. */
export interface Action {
  requestId: string;
  agentId: string;
  /** Checked by the Gate: an unknown verb is denied and recorded like any other action. */
  verb: string;
  /** The resource id as the agent names it (`bank.send_money`); its entity type follows from the verb. */
  resource: string;
  /** The policy context the caller supplies (`args` and anything else the schema declares). */
  context: Record<string, unknown>;
  credential: Credential;
  sessionId?: string;
  traceId?: string;
  /** A delegation token the agent presents: the call must stay within it and within the delegator's rights. */
  delegation?: string;
}
