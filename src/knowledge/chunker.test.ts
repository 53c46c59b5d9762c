import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText } from './chunker.js';

const sentence = (words: number, seed = 0): string =>
  `${Array.from({ length: words }, (_, i) => `word${(i + seed) % 97}`).join(' ')}.`;

describe('chunkText', () => {
  it('tracks the heading path by level, including setext headings', () => {
    const text = [
      'Intro before any heading.',
      'Compensation\n============',
      'Pay is reviewed yearly.',
      '## Salary bands',
      'Each role maps to a band.',
      '### Band L1',
      'L1 covers juniors.',
      'Bonuses\n-------',
      'Bonuses depend on results.',
    ].join('\n\n');
    expect(chunkText(text).map(({ heading, text: body }) => [heading, body])).toEqual([
      ['', 'Intro before any heading.'],
      ['Compensation', 'Pay is reviewed yearly.'],
      ['Compensation > Salary bands', 'Each role maps to a band.'],
      ['Compensation > Salary bands > Band L1', 'L1 covers juniors.'],
      ['Compensation > Bonuses', 'Bonuses depend on results.'],
    ]);
  });

  it('reads --- under a list item or after a blank line as a break, not a heading', () => {
    expect(chunkText('- first item\n---\n\nafter').map((chunk) => [chunk.heading, chunk.text])).toEqual([
      ['', '- first item\n\nafter'],
    ]);
  });

  it('never lets a chunk span two sections, however small they are', () => {
    const chunks = chunkText('# A\n\nalpha\n\n# B\n\nbeta');
    expect(chunks).toEqual([
      { ord: 0, heading: 'A', text: 'alpha' },
      { ord: 1, heading: 'B', text: 'beta' },
    ]);
  });

  it('skips sections that only hold a heading and emits no empty chunks', () => {
    expect(chunkText('# Only\n\n## Headings\n\n   \n')).toEqual([]);
    expect(chunkText('')).toEqual([]);
  });

  it('packs small paragraphs together and keeps a fitting paragraph whole', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => sentence(25, i));
    const chunks = chunkText(paragraphs.join('\n\n'), { targetChars: 400, maxChars: 600 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      for (const part of chunk.text.split('\n\n')) expect(paragraphs).toContain(part);
    }
  });

  it('splits a long paragraph at sentence boundaries and repeats the last sentence in the next chunk', () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} talks about topic ${i}.`);
    const chunks = chunkText(sentences.join(' '), { targetChars: 150, maxChars: 200 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^Sentence number \d+ .*\.$/);
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = chunks[i - 1]!.text.match(/Sentence number \d+ talks about topic \d+\.$/)![0];
      expect(chunks[i]!.text.startsWith(previousLast)).toBe(true);
    }
  });

  it('adds no overlap when overlapSentences is 0', () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} talks about topic ${i}.`);
    const chunks = chunkText(sentences.join(' '), { targetChars: 150, maxChars: 200, overlapSentences: 0 });
    expect(chunks.map((chunk) => chunk.text).join(' ')).toBe(sentences.join(' '));
  });

  it('hard-splits one over-long sentence at word boundaries', () => {
    const long = `${Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ')}.`;
    const chunks = chunkText(long, { targetChars: 100, maxChars: 150 });
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(150);
      expect(chunk.text).toMatch(/^w\d+( w\d+)*\.?$/);
    }
  });

  it('cuts a word longer than maxChars, never inside a surrogate pair', () => {
    const blob = '😀'.repeat(300);
    const chunks = chunkText(blob, { targetChars: 51, maxChars: 51 });
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(blob);
    for (const chunk of chunks) expect(chunk.text.isWellFormed()).toBe(true);
  });

  it('keeps a code fence whole when it fits and never reads # lines inside it as headings', () => {
    const code = ['```python', '# a comment, not a heading', 'x = 1', '', 'y = 2', '```'].join('\n');
    const chunks = chunkText(`# Setup\n\nRun this:\n\n${code}\n\nDone.`, { targetChars: 40, maxChars: 200 });
    expect(chunks.every((chunk) => chunk.heading === 'Setup')).toBe(true);
    expect(chunks.some((chunk) => chunk.text.includes(code))).toBe(true);
  });

  it('splits an over-long code fence at line boundaries only', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `    call_${i}(argument)`);
    const code = ['```', ...lines, '```'].join('\n');
    const chunks = chunkText(code, { targetChars: 200, maxChars: 300 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      for (const line of chunk.text.split('\n')) expect(['```', ...lines]).toContain(line);
    }
  });

  it('treats an unclosed fence as code to the end of the text', () => {
    const chunks = chunkText('```\n# inside\ncode');
    expect(chunks).toEqual([{ ord: 0, heading: '', text: '```\n# inside\ncode' }]);
  });

  it('rejects inconsistent options', () => {
    expect(() => chunkText('x', { targetChars: 500, maxChars: 400 })).toThrow(RangeError);
    expect(() => chunkText('x', { targetChars: 5 })).toThrow(RangeError);
    expect(() => chunkText('x', { overlapSentences: -1 })).toThrow(RangeError);
  });

  describe('properties', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const prose = fc
      .array(fc.array(word, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 })
      .map((sentences) => sentences.map((words) => `${words.join(' ')}.`).join(' '));
    const code = fc
      .array(fc.stringMatching(/^ {0,4}[a-z(){}=;# ]{0,60}$/), { minLength: 1, maxLength: 30 })
      .map((lines) => ['```', ...lines, '```'].join('\n'));
    const block = fc.oneof({ arbitrary: prose, weight: 4 }, { arbitrary: code, weight: 1 });
    const section = fc.record({ level: fc.integer({ min: 1, max: 6 }), title: word, blocks: fc.array(block, { maxLength: 6 }) });
    const documents = fc.array(section, { minLength: 1, maxLength: 6 });
    const sizes = fc
      .record({ target: fc.integer({ min: 20, max: 400 }), extra: fc.integer({ min: 0, max: 300 }), overlap: fc.integer({ min: 0, max: 3 }) })
      .map(({ target, extra, overlap }) => ({ targetChars: target, maxChars: target + extra, overlapSentences: overlap }));
    const squash = (text: string): string => text.replace(/\s+/g, '');

    it('never exceeds maxChars and never emits an empty chunk', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), sizes, (text, options) => {
          for (const chunk of chunkText(text, options)) {
            expect(chunk.text.length).toBeLessThanOrEqual(options.maxChars);
            expect(chunk.text.trim()).not.toBe('');
          }
        }),
      );
    });

    it('covers every non-heading character of the input, in order, allowing overlap', () => {
      fc.assert(
        fc.property(documents, sizes, (sections, options) => {
          const text = sections
            .map(({ level, title, blocks }) => [`${'#'.repeat(level)} ${title}`, ...blocks].join('\n\n'))
            .join('\n\n');
          const body = squash(sections.flatMap((entry) => entry.blocks).join(''));
          const chunks = chunkText(text, options);
          // Each chunk must continue where the previous ones left off (or repeat a tail of them).
          let covered = 0;
          let lastStart = 0;
          for (const chunk of chunks) {
            expect(chunk.text.length).toBeLessThanOrEqual(options.maxChars);
            const piece = squash(chunk.text);
            // The latest match not beyond what is covered: repetitive input may match earlier too.
            const start = body.lastIndexOf(piece, covered);
            expect(start).toBeGreaterThanOrEqual(lastStart);
            lastStart = start;
            covered = Math.max(covered, start + piece.length);
          }
          expect(covered).toBe(body.length);
          expect(chunks.map((chunk) => chunk.ord)).toEqual(chunks.map((_, index) => index));
        }),
      );
    });

    it('is deterministic', () => {
      fc.assert(
        fc.property(documents, sizes, (sections, options) => {
          const text = sections.map(({ title, blocks }) => [`# ${title}`, ...blocks].join('\n\n')).join('\n\n');
          expect(chunkText(text, options)).toEqual(chunkText(text, options));
        }),
        { numRuns: 50 },
      );
    });
  });
});
