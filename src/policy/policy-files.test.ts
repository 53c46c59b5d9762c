import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { buildSchema } from './model.js';
import { loadPolicies, loadPolicyFile } from './policy-files.js';

const schema = buildSchema(
  configSchema.parse({
    version: 1,
    org: { id: 'acme' },
    roles: [{ id: 'payments' }],
    agents: [{ id: 'finance-bot', roles: ['payments'] }],
    tools: [{ id: 'bank.send_money', risk: 'critical', args: { amount: 'long' } }],
  }),
);

const load = (text: string, isBoundary = false) => loadPolicyFile('policies/main.cedar', text, isBoundary, schema, 'policies/main.cedar');

const SCOPED = 'permit (principal in Role::"payments", action == Action::"tool.invoke", resource == Tool::"bank.send_money");';

describe('loadPolicyFile', () => {
  it('accepts a valid file and takes ids, lines and layers from it', () => {
    const { policies, problems } = load(`// header\n@id("send")\n${SCOPED}\n\n@id("limit")\n@approval("required")\nforbid (principal, action, resource);\n`);
    expect(problems).toEqual([]);
    expect(policies.map((p) => [p.id, p.line, p.layer])).toEqual([
      ['send', 2, 'role'],
      ['limit', 5, 'approval'],
    ]);
  });

  it('a parse error names the file and the line it is on', () => {
    const { policies, problems } = load(`${SCOPED}\n\npermit (principal action, resource);\n`);
    expect(policies).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'policies/main.cedar', line: 3 });
    expect(problems[0]!.message).toMatch(/unexpected token/);
  });

  it('a schema validation error names the line of the offending policy, the second in its file', () => {
    const text = [
      '@id("fine")',
      'permit (principal in Role::"payments", action == Action::"tool.invoke", resource == Tool::"bank.send_money")',
      'when { context.args has amount && context.args.amount < 100 };',
      '@id("broken") permit (principal, action == Action::"tool.invoke", resource) when { resource.no_such_attribute == 1 };',
    ].join('\n');
    const { policies, problems } = load(text);
    expect(policies).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'policies/main.cedar', line: 4 });
    expect(problems[0]!.message).toMatch(/no_such_attribute/);
  });

  it('a strict-mode type error (reading an optional attribute without `has`) is rejected', () => {
    const { problems } = load(`@id("p")\npermit (principal, action == Action::"tool.invoke", resource)\nwhen { context.args.amount < 100 };`);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(3);
  });

  it('a permit in a boundary file is rejected', () => {
    const { policies, problems } = load(`@id("nope")\n${SCOPED}`, true);
    expect(policies).toEqual([]);
    expect(problems).toEqual([{ file: 'policies/main.cedar', line: 1, message: 'org boundary files may contain only forbid policies' }]);
  });

  it('an approval forbid in a boundary file is rejected: boundaries cannot be lifted', () => {
    const { problems } = load('@id("b")\n@approval("required")\nforbid (principal, action, resource);', true);
    expect(problems.map((p) => p.message)).toEqual(['an org boundary cannot be lifted by approval; move it to a policy file']);
  });

  it('a blanket permit(principal, action, resource) is rejected', () => {
    const { policies, problems } = load('permit(principal, action, resource);');
    expect(policies).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/every action on every resource is not allowed/);
  });

  it('an unknown annotation is rejected, naming it', () => {
    const { policies, problems } = load(`${SCOPED}\n\n@id("x")\n@colour("red")\n${SCOPED}`);
    expect(policies).toEqual([]);
    expect(problems).toEqual([{ file: 'policies/main.cedar', line: 3, message: 'unknown annotation @colour' }]);
  });

  it('@approval other than "required", or on a permit, is rejected', () => {
    expect(load('@approval("maybe")\nforbid (principal, action, resource);').problems.map((p) => p.message)).toEqual(['@approval must be "required"']);
    expect(load(`@approval("required")\n${SCOPED}`).problems.map((p) => p.message)).toEqual(['@approval("required") belongs on a forbid policy']);
  });

  it('in a file of more than ten policies, default ids and lines follow the order in the file', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `forbid (principal, action == Action::"tool.invoke", resource) when { context.risk.score > ${i} };`);
    const { policies, problems } = load(lines.join('\n'));
    expect(problems).toEqual([]);
    expect(policies.map((p) => [p.id, p.line, p.text])).toEqual(lines.map((text, i) => [`policies/main.cedar#${i + 1}`, i + 1, text]));
  });
});

describe('loadPolicies', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'warden-policy-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports a duplicate @id across files, naming both places', () => {
    const policiesDir = path.join(root, 'policies');
    const boundariesDir = path.join(root, 'boundaries');
    mkdirSync(policiesDir);
    mkdirSync(boundariesDir);
    writeFileSync(path.join(boundariesDir, 'org.cedar'), '// boundary\n@id("shared")\nforbid (principal, action, resource == Tool::"bank.send_money");\n');
    writeFileSync(path.join(policiesDir, 'a.cedar'), `@id("unique")\n${SCOPED}\n`);
    writeFileSync(path.join(policiesDir, 'b.cedar'), `\n\n@id("shared")\n${SCOPED}\n`);
    const { policies, problems } = loadPolicies({ policies: [policiesDir], boundaries: [boundariesDir] }, schema, root);
    expect(policies.map((p) => p.id)).toEqual(['shared', 'unique', 'shared']);
    expect(problems).toEqual([
      {
        file: path.join(policiesDir, 'b.cedar'),
        line: 3,
        message: `duplicate policy id "shared" (first in ${path.join(boundariesDir, 'org.cedar')}:2)`,
      },
    ]);
  });

  it('default ids are the file path relative to the root with the policy number', () => {
    const dir = path.join(root, 'other');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'x.cedar'), `${SCOPED}\n${SCOPED}\n`);
    const { policies, problems } = loadPolicies({ policies: [dir], boundaries: [] }, schema, root);
    expect(problems).toEqual([]);
    expect(policies.map((p) => p.id)).toEqual(['other/x.cedar#1', 'other/x.cedar#2']);
  });
});
