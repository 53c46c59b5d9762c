import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
  );
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));

describe('dependencies point inward', () => {
  it('core imports nothing outside core', () => {
    const core = path.resolve('src/core');
    for (const file of sources('src/core')) {
      for (const target of importsOf(file)) expect(target.startsWith(core), `${file} imports ${target}`).toBe(true);
    }
  });

  it('nothing but the composition root, the CLI and tests constructs backends', () => {
    const backends = path.resolve('src/backends/sql');
    const allowed = ['src/app.ts', 'src/backends', 'src/cli'].map((p) => path.resolve(p));
    for (const file of sources('src')) {
      if (allowed.some((a) => path.resolve(file).startsWith(a))) continue;
      for (const target of importsOf(file)) {
        if (target.startsWith(backends) && !target.endsWith('sql-client.js')) expect.fail(`${file} imports the backend ${target}`);
      }
    }
  });
});
