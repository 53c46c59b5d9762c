import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../../test/support/redis.js';
import { HistoryShape, MemoryHistory, RedisHistory } from './history.js';
import type { SessionHistory } from '../core/ports.js';
import type { ToolConfig } from '../config/schema.js';

const tools = [
  { id: 'bank.send_money', risk: 'critical', side_effects: true, egress: true, tags: {}, args: { amount: 'long', to: 'string' } },
  { id: 'bank.get_balance', risk: 'low', side_effects: false, egress: false, tags: {}, args: { account: 'string' } },
] as ToolConfig[];
const shape = new HistoryShape(tools);

const { redis, prefix, cleanup } = testRedis('history');
afterAll(cleanup);

const at = (iso: string) => new Date(iso);

const backends: [string, () => SessionHistory][] = [
  ['memory', () => new MemoryHistory(shape, () => at('2026-11-26T10:30:00Z').getTime())],
  ...(redis ? [['redis', () => new RedisHistory(shape, redis, `${prefix}:${randomBytes(3).toString('hex')}`)] as [string, () => SessionHistory]] : []),
];

for (const [name, make] of backends) {
  describe(`session history (${name})`, () => {
    it('starts every configured tool at zero', async () => {
      const h = make();
      expect(await h.snapshot('finance-bot', 's1', at('2026-11-26T10:30:00Z'))).toEqual({
        session: { calls: { 'bank.send_money': 0, 'bank.get_balance': 0 }, totals: { 'bank.send_money': { amount: 0 } } },
        hour: { calls: { 'bank.send_money': 0, 'bank.get_balance': 0 }, totals: { 'bank.send_money': { amount: 0 } } },
        day: { calls: { 'bank.send_money': 0, 'bank.get_balance': 0 }, totals: { 'bank.send_money': { amount: 0 } } },
      });
    });

    it('counts calls and sums numeric arguments per session, hour and day', async () => {
      const h = make();
      await h.record('finance-bot', 's1', 'bank.send_money', { amount: 700, to: 'DE89' }, at('2026-11-26T09:10:00Z'));
      await h.record('finance-bot', 's1', 'bank.send_money', { amount: 650.4, to: 'DE89' }, at('2026-11-26T10:05:00Z'));
      await h.record('finance-bot', 's2', 'bank.send_money', { amount: 100 }, at('2026-11-26T10:20:00Z'));
      const now = await h.snapshot('finance-bot', 's1', at('2026-11-26T10:30:00Z'));
      expect(now).toMatchObject({
        session: { calls: { 'bank.send_money': 2 }, totals: { 'bank.send_money': { amount: 1350 } } },
        hour: { calls: { 'bank.send_money': 2 }, totals: { 'bank.send_money': { amount: 750 } } },
        day: { calls: { 'bank.send_money': 3 }, totals: { 'bank.send_money': { amount: 1450 } } },
      });
      const otherAgent = await h.snapshot('support-bot', 's1', at('2026-11-26T10:30:00Z'));
      expect(otherAgent).toMatchObject({ day: { calls: { 'bank.send_money': 0 } } });
    });

    it('starts a new day at midnight UTC', async () => {
      const h = make();
      await h.record('finance-bot', 's1', 'bank.send_money', { amount: 1900 }, at('2026-11-26T23:50:00Z'));
      expect(await h.snapshot('finance-bot', 's9', at('2026-11-27T00:10:00Z'))).toMatchObject({ day: { totals: { 'bank.send_money': { amount: 0 } } } });
    });
  });
}
