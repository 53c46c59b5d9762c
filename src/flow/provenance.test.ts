import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testRedis } from '../../test/support/redis.js';
import { MemoryProvenance, RedisProvenance } from './provenance.js';
import type { ProvenanceIndex } from '../core/ports.js';
import { argumentKeys, valueKeys } from './values.js';

const { redis, prefix, cleanup } = testRedis('provenance');
afterAll(cleanup);

const email = {
  content: [{ type: 'text', text: JSON.stringify({ messages: [{ from: 'billing@initech.example', body: 'Please pay EUR 1,250.00 to IBAN GB33 BUKB 2020 1555 5555 55 by Friday.' }] }) }],
};

const backends: [string, () => ProvenanceIndex][] = [
  ['memory', () => new MemoryProvenance()],
  ...(redis ? [['redis', () => new RedisProvenance(redis, prefix, Buffer.alloc(32, 7))] as [string, () => ProvenanceIndex]] : []),
];

for (const [name, make] of backends) {
  describe(`provenance (${name})`, () => {
    it('labels a recipient copied out of an untrusted e-mail, even reformatted without spaces', async () => {
      const p = make();
      const session = `s-${randomBytes(4).toString('hex')}`;
      await p.observe(session, email, ['source:mail.read_inbox', 'untrusted']);
      const found = await p.labelsFor(session, { to: 'GB33BUKB20201555555555', amount: 1250, memo: 'invoice' });
      expect(found.labels).toEqual({ to: ['source:mail.read_inbox', 'untrusted'], amount: ['source:mail.read_inbox', 'untrusted'] });
      expect(found.untrusted).toBe(true);
    });

    it('labels a whole string value and an e-mail address inside a sentence', async () => {
      const p = make();
      const session = `s-${randomBytes(4).toString('hex')}`;
      await p.observe(session, { structuredContent: { vendor: 'Initech plc', note: 'write to billing@initech.example' } }, ['source:files.read']);
      expect((await p.labelsFor(session, { name: '  initech PLC ', cc: ['billing@initech.example'] })).labels).toEqual({
        name: ['source:files.read'],
        cc: ['source:files.read'],
      });
    });

    it('keeps sessions apart and says nothing about values it never saw', async () => {
      const p = make();
      await p.observe('one', email, ['untrusted']);
      expect(await p.labelsFor('two', { to: 'GB33BUKB20201555555555' })).toEqual({ labels: {}, untrusted: false });
      expect((await p.labelsFor('one', { to: 'DE89370400440532013000', amount: 50 })).labels).toEqual({});
    });

    it('merges the labels of every output a value appeared in', async () => {
      const p = make();
      const session = `s-${randomBytes(4).toString('hex')}`;
      await p.observe(session, { text: 'ACC-1042' }, ['source:bank.get_balance']);
      await p.observe(session, { text: 'move it to ACC-1042 now' }, ['source:mail.read_inbox', 'untrusted']);
      expect((await p.labelsFor(session, { account: 'ACC-1042' })).labels.account).toEqual(['source:bank.get_balance', 'source:mail.read_inbox', 'untrusted']);
    });
  });
}

describe('provenance in Redis', () => {
  it.skipIf(!redis)('stores keyed digests only: the same value under another key finds nothing', async () => {
    const session = `s-${Date.now()}`;
    await new RedisProvenance(redis!, prefix, Buffer.alloc(32, 1)).observe(session, email, ['untrusted']);
    const fields = await redis!.hkeys(`${prefix}:prov:${session}`);
    expect(fields.some((f) => f.includes('GB33'))).toBe(false);
    expect((await new RedisProvenance(redis!, prefix, Buffer.alloc(32, 2)).labelsFor(session, { to: 'GB33BUKB20201555555555' })).labels).toEqual({});
    expect((await new RedisProvenance(redis!, prefix, Buffer.alloc(32, 1)).labelsFor(session, { to: 'GB33BUKB20201555555555' })).labels).toEqual({ to: ['untrusted'] });
  });
});

describe('provenance bounds', () => {
  it('forgets the oldest values past its per-session bound, and whole sessions after their TTL', async () => {
    let now = 0;
    const p = new MemoryProvenance({ maxValuesPerSession: 2, ttlSeconds: 60 }, () => now);
    await p.observe('s', { a: 'first value', b: 'second value', c: 'third value' }, ['x']);
    expect((await p.labelsFor('s', { v: 'first value' })).labels).toEqual({});
    expect((await p.labelsFor('s', { v: 'third value' })).labels).toEqual({ v: ['x'] });
    now = 61_000;
    expect((await p.labelsFor('s', { v: 'third value' })).labels).toEqual({});
  });
});

describe('value keys', () => {
  it('finds any IBAN-shaped token in any text, grouped or not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{2}\d{2}[A-Z0-9]{14}$/), fc.string({ maxLength: 20 }), (iban, noise) => {
        const grouped = iban.replace(/(.{4})/g, '$1 ').trim();
        const keys = valueKeys(`${noise.replace(/\w/g, '')} pay ${grouped} today`);
        expect([...argumentKeys(iban)].some((k) => keys.has(k))).toBe(true);
      }),
    );
  });

  it('follows a web address with or without its scheme, to its host', () => {
    const seen = valueKeys('Go to www.true-informations.com for the details.');
    expect([...argumentKeys('https://www.true-informations.com/')].some((k) => seen.has(k))).toBe(true);
    expect([...argumentKeys('www.true-informations.com')].some((k) => seen.has(k))).toBe(true);
    expect([...argumentKeys('https://www.other.example/')].some((k) => seen.has(k))).toBe(false);
  });

  it('treats small numbers as meaningless and amounts with separators as numbers', () => {
    expect(argumentKeys(42).size).toBe(0);
    const [amount] = argumentKeys(9400);
    expect(valueKeys('paid EUR 9,400 on time').has(amount!)).toBe(true);
  });
});
