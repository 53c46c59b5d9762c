import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS, checkDimensions, toEmbedding } from './embedder.js';

describe('checkDimensions', () => {
  it('accepts exactly 256 finite components', () => {
    expect(() => checkDimensions(new Float32Array(EMBEDDING_DIMENSIONS), 'test')).not.toThrow();
  });

  it('names the source and both sizes when the dimension is wrong', () => {
    expect(() => checkDimensions(new Float32Array(1536), 'my-model')).toThrow(/my-model returned a 1536-dimensional embedding.*exactly 256/);
  });

  it('rejects NaN and infinite components', () => {
    const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
    vector[7] = Number.NaN;
    expect(() => checkDimensions(vector, 'my-model')).toThrow(/non-finite component at index 7/);
  });
});

describe('toEmbedding', () => {
  it('converts a JSON number array to a Float32Array', () => {
    const vector = toEmbedding(new Array<number>(EMBEDDING_DIMENSIONS).fill(0.5), 'test');
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector[0]).toBe(0.5);
  });

  it('rejects values that are not number arrays', () => {
    expect(() => toEmbedding('1,2,3', 'test')).toThrow(/not an array of numbers/);
    expect(() => toEmbedding([1, '2'], 'test')).toThrow(/not an array of numbers/);
  });
});
