import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { WardenError } from '../core/errors.js';
import { configSchema, type WardenConfig } from './schema.js';

/** A loaded configuration and where it came from (policy paths are relative to `dir`). */
export interface LoadedConfig {
  config: WardenConfig;
  file: string;
  dir: string;
}

/** One problem with a configuration file, located. */
export interface ConfigProblem {
  file: string;
  line: number;
  message: string;
}

/** `--config` may name the file or the directory holding `warden.yaml`. */
export function resolveConfigFile(target: string): string {
  const resolved = path.resolve(target);
  try {
    return statSync(resolved).isDirectory() ? path.join(resolved, 'warden.yaml') : resolved;
  } catch {
    throw new WardenError('config_invalid', `${resolved}: no such file or directory`);
  }
}

export function loadConfig(target: string): LoadedConfig {
  const file = resolveConfigFile(target);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new WardenError('config_invalid', `${file}: cannot read the configuration file`);
  }
  return { config: parseConfig(text, file), file, dir: path.dirname(file) };
}

/** Parses and validates strictly; every problem names the file and line. */
export function parseConfig(text: string, file: string): WardenConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => ({
    file,
    line: lines.linePos(e.pos[0]).line,
    message: e.message.split('\n')[0] ?? e.message,
  }));
  if (problems.length === 0) {
    const result = configSchema.safeParse(doc.toJS());
    if (result.success) {
      const semantic = crossCheck(result.data);
      if (semantic.length === 0) return result.data;
      problems.push(...semantic.map((p) => ({ file, line: lineOf(doc, lines, p.path), message: p.message })));
    } else {
      problems.push(...result.error.issues.map((i) => ({ file, line: lineOf(doc, lines, i.path), message: describe(i) })));
    }
  }
  throw new WardenError('config_invalid', problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'), problems);
}

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${where}: ${issue.message}`;
}

function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, issuePath: readonly PropertyKey[]): number {
  // Walk down as far as the path exists; a missing key is reported at its parent.
  for (let n = issuePath.length; n >= 0; n--) {
    const node = doc.getIn(issuePath.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

interface SemanticProblem {
  path: (string | number)[];
  message: string;
}

/** References between sections: every role, team and unit an agent names must exist; ids are unique. */
function crossCheck(c: WardenConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const unique = (section: keyof WardenConfig, items: { id: string }[]) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) problems.push({ path: [section, i, 'id'], message: `duplicate id "${item.id}"` });
      seen.add(item.id);
    });
    return seen;
  };
  const units = unique('org_units', c.org_units);
  const teams = unique('teams', c.teams);
  const roles = unique('roles', c.roles);
  unique('agents', c.agents);
  unique('tools', c.tools);
  unique('models', c.models);
  unique('knowledge_bases', c.knowledge_bases);
  unique('event_sources', c.event_sources);
  const expect = (set: Set<string>, value: string | undefined, where: (string | number)[], what: string) => {
    if (value !== undefined && !set.has(value)) problems.push({ path: where, message: `unknown ${what} "${value}"` });
  };
  c.org_units.forEach((u, i) => expect(units, u.parent, ['org_units', i, 'parent'], 'org unit'));
  c.teams.forEach((t, i) => expect(units, t.org_unit, ['teams', i, 'org_unit'], 'org unit'));
  c.agents.forEach((a, i) => {
    a.roles.forEach((r, j) => expect(roles, r, ['agents', i, 'roles', j], 'role'));
    expect(teams, a.team, ['agents', i, 'team'], 'team');
    expect(units, a.org_unit, ['agents', i, 'org_unit'], 'org unit');
  });
  c.knowledge_bases.forEach((k, i) => expect(teams, k.owner_team, ['knowledge_bases', i, 'owner_team'], 'team'));
  const upstreams = unique('upstreams', c.upstreams);
  if (upstreams.size > 0) {
    c.tools.forEach((t, i) => expect(upstreams, t.id.slice(0, t.id.indexOf('.')), ['tools', i, 'id'], 'upstream (the part before the dot)'));
  }
  return problems;
}
