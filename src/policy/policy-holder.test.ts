import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { defaultContext, mergeContext } from '../core/context.js';
import { loadEngine } from './load.js';
import { PolicyHolder, type ReloadResult } from './policy-holder.js';
import { tempQuickstart } from '../../test/support/app.js';

let dirs: ReturnType<typeof tempQuickstart>;
let holder: PolicyHolder;
let reloads: ReloadResult[];

const deleteFiles = () =>
  holder.decide({
    principal: { type: 'Agent', id: 'research-bot' },
    action: 'tool.invoke',
    resource: { type: 'Tool', id: 'files.read' },
    context: mergeContext(defaultContext('dev'), { args: { path: 'a' } }),
  }).decision;

beforeEach(() => {
  dirs = tempQuickstart();
  const loaded = loadConfig(dirs.configDir);
  reloads = [];
  holder = new PolicyHolder(loadEngine(loaded), loaded, (r) => reloads.push(r));
});
afterEach(() => {
  holder.close();
  dirs.cleanup();
});

describe('policy hot reload', () => {
  it('swaps in a valid new policy set', () => {
    expect(deleteFiles()).toBe('allow');
    appendFileSync(path.join(dirs.configDir, 'boundaries', 'org.cedar'), '\n@id("no-files")\nforbid (principal, action == Action::"tool.invoke", resource == Tool::"files.read");\n');
    expect(holder.reload()).toEqual({ ok: true, policies: 23, problems: '' });
    expect(deleteFiles()).toBe('deny');
  });

  it('keeps the last good set when the new one does not parse, and says why', () => {
    writeFileSync(path.join(dirs.configDir, 'policies', 'research.cedar'), 'permit (principal, action, resource) when {');
    const result = holder.reload();
    expect(result.ok).toBe(false);
    expect(result.problems).toMatch(/research\.cedar:1: /);
    expect(deleteFiles()).toBe('allow');
    expect(holder.current.policies).toHaveLength(22);
  });

  it('keeps the last good set when a permit sneaks into a boundary file', () => {
    appendFileSync(path.join(dirs.configDir, 'boundaries', 'org.cedar'), '\npermit (principal, action == Action::"tool.invoke", resource == Tool::"files.delete");\n');
    expect(holder.reload()).toMatchObject({ ok: false, problems: expect.stringMatching(/org\.cedar:\d+: org boundary files may contain only forbid policies/) });
  });

  it('refuses to end up with no policies at all', () => {
    for (const f of ['support', 'finance', 'research', 'approvals', 'knowledge', 'approvers', 'delegation']) writeFileSync(path.join(dirs.configDir, 'policies', `${f}.cedar`), '');
    writeFileSync(path.join(dirs.configDir, 'boundaries', 'org.cedar'), '');
    expect(holder.reload()).toMatchObject({ ok: false, problems: expect.stringMatching(/no policies are loaded/) });
  });

  it('reloads by itself when a watched policy file changes', async () => {
    holder.watch(20);
    appendFileSync(path.join(dirs.configDir, 'boundaries', 'org.cedar'), '\n@id("no-files")\nforbid (principal, action == Action::"tool.invoke", resource == Tool::"files.read");\n');
    await expect.poll(() => reloads.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(deleteFiles()).toBe('deny');
  });
});
