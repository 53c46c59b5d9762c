import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapStringLeaves, mapTextOrJson } from './leaves.js';

const upper = (t: string) => t.toUpperCase();

describe('string leaves of tool arguments and results', () => {
  it('visits every string leaf and object key, and leaves numbers, booleans and null alone', () => {
    const seen: string[] = [];
    mapStringLeaves({ a: ['x', { b: 'y' }], n: 1, t: true, z: null }, (t) => (seen.push(t), t), 8);
    expect(seen.sort()).toEqual(['a', 'b', 'n', 't', 'x', 'y', 'z']);
  });

  it('returns the very same value when nothing changed, a rewritten copy otherwise', () => {
    const value = { a: ['x', { b: 'y' }] };
    expect(mapStringLeaves(value, (t) => t, 8)).toBe(value);
    expect(mapStringLeaves(value, upper, 8)).toEqual({ A: ['X', { B: 'Y' }] });
    expect(value).toEqual({ a: ['x', { b: 'y' }] });
  });

  it('scans the strings of a subtree deeper than the bound as one text instead of skipping them', () => {
    let deep: unknown = 'secret at the bottom';
    for (let i = 0; i < 100; i++) deep = { next: deep };
    const seen: string[] = [];
    mapStringLeaves(deep, (t) => (seen.push(t), t), 4);
    expect(seen.some((t) => t.includes('secret at the bottom'))).toBe(true);
  });

  it('walks a text that is itself JSON leaf by leaf and keeps a text that is not', () => {
    expect(mapTextOrJson('{"to":"bob","n":2}', upper, 8)).toBe('{"TO":"BOB","N":2}');
    expect(mapTextOrJson('{not json', upper, 8)).toBe('{NOT JSON');
    expect(mapTextOrJson('plain', upper, 8)).toBe('PLAIN');
  });

  it('walks JSON after leading white space, and parses a text once when given a cache', () => {
    const cache = new Map<string, unknown>();
    expect(mapTextOrJson('\n  ["a"]', upper, 8, cache)).toBe('["A"]');
    expect(cache.get('\n  ["a"]')).toEqual(['a']);
    cache.set('\n  ["a"]', ['from the cache']);
    expect(mapTextOrJson('\n  ["a"]', upper, 8, cache)).toBe('["FROM THE CACHE"]');
  });

  it('never loses a leaf, whatever the shape (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 1, max: 8 }), (value, depth) => {
        const seen: string[] = [];
        mapStringLeaves(value, (t) => (seen.push(t), t), depth);
        // Every string leaf and key is visited on its own or inside the gathered text of a deep subtree.
        const strings: string[] = [];
        const collect = (v: unknown): void => {
          if (typeof v === 'string') strings.push(v);
          else if (Array.isArray(v)) v.forEach(collect);
          else if (v && typeof v === 'object') {
            for (const [k, item] of Object.entries(v)) {
              strings.push(k);
              collect(item);
            }
          }
        };
        collect(value);
        for (const s of strings) expect(seen.some((t) => t === s || t.includes(s))).toBe(true);
      }),
    );
  });
});
