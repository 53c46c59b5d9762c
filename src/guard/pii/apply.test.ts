import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPii, createPiiScanner, resolveOverlaps } from './index.js';
import { luhnValid } from './validators.js';

const scanner = createPiiScanner();

describe('applyPii', () => {
  it('masks each entity with its type name', () => {
    const text = 'Mail jane@example.com or call (415) 555-2671.';
    expect(applyPii(text, scanner.scan(text), 'mask')).toBe('Mail [EMAIL_ADDRESS] or call [PHONE_NUMBER].');
  });

  it('redacts with one marker that hides the entity type', () => {
    const text = 'card 4111 1111 1111 1111 ok';
    expect(applyPii(text, scanner.scan(text), 'redact')).toBe('card [REDACTED] ok');
    expect(applyPii(text, scanner.scan(text), 'redact', { redaction: '***' })).toBe('card *** ok');
  });

  it('replaces the union of overlapping entities so no tail leaks', () => {
    const text = 'abcdefghij';
    const out = applyPii(text, [
      { type: 'A', start: 1, end: 5, score: 0.9 },
      { type: 'B', start: 3, end: 8, score: 0.5 },
    ], 'mask');
    expect(out).toBe('a[A]ij');
  });

  it('leaves text without entities unchanged', () => {
    expect(applyPii('hello', [], 'mask')).toBe('hello');
  });
});

const luhnCard = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 }).map((digits) => {
  const body = [4, ...digits].join('');
  for (let check = 0; check <= 9; check++) if (luhnValid(body + String(check))) return body + String(check);
  throw new Error('unreachable');
});

const piiText = fc
  .array(
    fc.oneof(
      fc.constantFrom('jane@example.com', '192.168.0.12', 'card 4111111111111111', 'SSN 536-22-8726', 'Elizabeth Hanson', 'born 1/2/1990'),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(' '));

describe('properties', () => {
  it('every span lies within the text and spans are sorted and disjoint', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), piiText), (text) => {
        const entities = scanner.scan(text);
        let last = 0;
        for (const e of entities) {
          expect(e.start).toBeGreaterThanOrEqual(last);
          expect(e.end).toBeGreaterThan(e.start);
          expect(e.end).toBeLessThanOrEqual(text.length);
          last = e.end;
        }
      }),
    );
  });

  // Detection depends on context, so the same value may be found in one place and rightly not in
  // another ("version 1.2.3.4"); a value may survive only where the text had it outside every span.
  it('masking never leaves a detected value in the output', () => {
    fc.assert(
      fc.property(piiText, (text) => {
        const entities = scanner.scan(text);
        const masked = applyPii(text, entities, 'mask');
        const gaps: string[] = [];
        let cursor = 0;
        for (const e of entities) {
          gaps.push(text.slice(cursor, e.start));
          cursor = e.end;
        }
        gaps.push(text.slice(cursor));
        for (const e of entities) {
          const value = text.slice(e.start, e.end);
          if (value.length >= 6 && masked.includes(value)) expect(gaps.some((g) => g.includes(value))).toBe(true);
        }
      }),
    );
  });

  it('an address after a word ending in "v" is still an address', () => {
    expect(scanner.scan('192.168.0.12 V 192.168.0.12 dev 10.0.0.1').map((e) => e.type)).toEqual(['IP_ADDRESS', 'IP_ADDRESS', 'IP_ADDRESS']);
    expect(scanner.scan('upgraded to v=1.2.3.4')).toEqual([]);
  });

  it('finds any Luhn-valid card number after "card: "', () => {
    fc.assert(
      fc.property(luhnCard, (card) => {
        const text = `card: ${card}`;
        expect(scanner.scan(text).some((e) => e.type === 'CREDIT_CARD' && text.slice(e.start, e.end) === card)).toBe(true);
      }),
    );
  });

  it('resolveOverlaps keeps a sorted, non-overlapping subset', () => {
    const span = fc
      .tuple(fc.nat(100), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([start, len, score]) => ({ type: 'X', start, end: start + len, score }));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 30 }), (spans) => {
        const kept = resolveOverlaps(spans);
        for (let i = 1; i < kept.length; i++) expect(kept[i]!.start).toBeGreaterThanOrEqual(kept[i - 1]!.end);
      }),
    );
  });
});
