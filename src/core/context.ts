/** The context every request carries before the caller's own values are merged in. */
export function defaultContext(env: string, now: Date = new Date()): Record<string, unknown> {
  return {
    args: {},
    labels: {},
    guard: { injection: false, injection_score: 0, pii: false },
    risk: { score: 0 },
    session: { steps: 0, untrusted: false },
    approval: { granted: false, approvers: 0 },
    delegation: { from: '', task: '' },
    anomaly: { anomalous: false, score: 0, series: [] },
    time: { unix: Math.floor(now.getTime() / 1000), hour: now.getUTCHours(), weekday: now.getUTCDay() },
    transport: { mtls: false },
    env,
  };
}

/** Merges supplied top-level records into the defaults, one level deep. */
export function mergeContext(base: Record<string, unknown>, supplied: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(supplied)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
