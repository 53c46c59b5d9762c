import { describe, expect, it } from 'vitest';
import { createLogger, decisionLogger } from './decision-log.js';

describe('decision log', () => {
  it('writes one JSON line per decision and redacts secrets and arguments wherever they appear', () => {
    const lines: string[] = [];
    const log = decisionLogger(createLogger({ destination: { write: (l: string) => void lines.push(l) } }));
    const record = {
      requestId: 'r1',
      agentId: 'finance-bot',
      verb: 'tool.invoke',
      resource: 'bank.send_money',
      decision: 'allow' as const,
      policies: ['p1'],
      obligations: {},
      credential: { kind: 'api_key' as const, id: 'k1' },
      contextDigest: 'sha256:00',
      latencyUs: 42,
    };
    log.decision({ ...record, ...{ args: { iban: 'DE89370400440532013000' }, token: 'wdn_secret' } });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ kind: 'decision', decision: 'allow', agentId: 'finance-bot', policies: ['p1'], latencyUs: 42 });
    expect(lines[0]).not.toContain('DE89370400440532013000');
    expect(lines[0]).not.toContain('wdn_secret');
  });
});
