import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { indexTerms, keyedLexemes, keyedQuery, surfaceWords } from './lexemes.js';

const key = Buffer.alloc(32, 1);
const otherKey = Buffer.alloc(32, 2);

describe('word normalisation', () => {
  it('folds case, width and diacritics, and splits on punctuation', () => {
    expect(surfaceWords('Gehälter, ＦＵＬＬ-width café')).toEqual(['gehalter', 'full', 'width', 'cafe']);
  });

  it('stems inflections to one term and drops stop words', () => {
    expect(indexTerms('The salaries of the salary bands')).toEqual(['salari', 'salari', 'band']);
  });

  it('keeps identifiers with digits whole', () => {
    expect(indexTerms('Band L2 in 2024')).toEqual(['band', 'l2', '2024']);
  });
});

describe('keyedLexemes', () => {
  it('gives one token per term, in order and with repetition', () => {
    const tokens = keyedLexemes('salary review: salary bands', key).split(' ');
    expect(tokens).toHaveLength(4);
    expect(tokens[0]).toBe(tokens[2]);
    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) expect(token).toMatch(/^[a-z][a-z2-7]{11}$/);
  });

  it('gives the same token to inflections of a word', () => {
    expect(keyedLexemes('salaries', key)).toBe(keyedLexemes('Salary', key));
  });

  it('gives different tokens for the same word under different keys', () => {
    expect(keyedLexemes('salary', key)).not.toBe(keyedLexemes('salary', otherKey));
  });

  it('contains none of the input words', () => {
    const text = 'Confidential compensation bands for engineering managers in Berlin';
    const lexemes = keyedLexemes(text, key);
    for (const word of surfaceWords(text)) expect(lexemes).not.toContain(word);
  });

  it('refuses a short key', () => {
    expect(() => keyedLexemes('salary', Buffer.alloc(8))).toThrow(/at least 16 bytes/);
  });
});

describe('keyedQuery', () => {
  it('ORs the distinct tokens of the query', () => {
    const [salary, band] = keyedLexemes('salary band', key).split(' ');
    expect(keyedQuery('salaries and salary bands', key)).toBe(`${salary} | ${band}`);
  });

  it('is empty when only stop words remain', () => {
    expect(keyedQuery('what is the', key)).toBe('');
    expect(keyedQuery('  ?! ', key)).toBe('');
  });
});

describe('keyed lexemes in PostgreSQL', () => {
  it('survive to_tsvector as single lexemes and match through to_tsquery with ranking', async () => {
    const db = await PGlite.create();
    try {
      // Hundreds of distinct tokens, so an unlucky token that the parser would split shows up.
      const filler = Array.from({ length: 500 }, (_, i) => `term${i}`).join(' ');
      const chunk = keyedLexemes(`Salary bands: each salary band has a salary range. ${filler}`, key);
      const { rows } = await db.query<{ lexemes: number; matches: boolean; rank: number }>(
        `SELECT array_length(tsvector_to_array(to_tsvector('simple', $1)), 1) AS lexemes,
                to_tsvector('simple', $1) @@ to_tsquery('simple', $2) AS matches,
                ts_rank(to_tsvector('simple', $1), to_tsquery('simple', $2)) AS rank`,
        [chunk, keyedQuery('salaries', key)],
      );
      expect(rows[0]!.lexemes).toBe(new Set(chunk.split(' ')).size);
      expect(rows[0]!.matches).toBe(true);
      expect(rows[0]!.rank).toBeGreaterThan(0);
      const miss = await db.query<{ matches: boolean }>(
        `SELECT to_tsvector('simple', $1) @@ to_tsquery('simple', $2) AS matches`,
        [chunk, keyedQuery('salaries', otherKey)],
      );
      expect(miss.rows[0]!.matches).toBe(false);
    } finally {
      await db.close();
    }
  });
});
