import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS } from './embedder.js';
import { embedLocally, localEmbedder } from './local-embedder.js';

const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const norm = (a: Float32Array): number => Math.sqrt(cosine(a, a));

describe('localEmbedder', () => {
  it('returns one unit-length 256-dimensional vector per text', async () => {
    const vectors = await localEmbedder().embed(['salary bands', 'parental leave policy'], 'document');
    expect(vectors).toHaveLength(2);
    for (const vector of vectors) {
      expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic, so identical texts have cosine 1', () => {
    const text = 'Each role maps to a salary band; bands are reviewed every April.';
    expect(embedLocally(text)).toEqual(embedLocally(text));
    expect(cosine(embedLocally(text), embedLocally(text))).toBeCloseTo(1, 5);
  });

  it('ranks a paraphrase sharing stems above an unrelated text', () => {
    const query = embedLocally('How are salaries banded for engineers?');
    const paraphrase = embedLocally('Engineering salary bands are reviewed yearly.');
    const unrelated = embedLocally('The office kitchen is cleaned on Fridays.');
    expect(cosine(query, paraphrase)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });

  it('tolerates typos through character n-grams', () => {
    const correct = embedLocally('reimbursement of travel expenses');
    const typo = embedLocally('reimbursment of travle expenses');
    const unrelated = embedLocally('parental leave entitlement');
    expect(cosine(correct, typo)).toBeGreaterThan(cosine(correct, unrelated) + 0.3);
  });

  it('ignores case and diacritics', () => {
    expect(cosine(embedLocally('Café Gehälter'), embedLocally('cafe gehalter'))).toBeCloseTo(1, 5);
  });

  it('gives texts without features a fixed unit vector rather than zeros', () => {
    const empty = embedLocally('');
    expect(norm(empty)).toBeCloseTo(1, 5);
    expect(embedLocally('the and of ?!')).toEqual(empty);
  });
});
