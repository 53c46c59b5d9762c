import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyJson, SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityRef } from '../core/action.js';
import { collectPaths, emptyPaths, membershipTargets, type RootPaths } from './attribute-paths.js';

/** The layer a policy belongs to (DESIGN.md, "Policy model"). */
export type Layer = 'boundary' | 'role' | 'approval';

/** One policy as loaded: its text, where it came from, and its parsed form for indexing. */
export interface LoadedPolicy {
  id: string;
  text: string;
  file: string;
  line: number;
  layer: Layer;
  json: PolicyJson;
  obligations: Record<string, string>;
  /** Entities the conditions name literally (`Agent::"a2" in Role::"r1"`): the slice must carry them. */
  entities: EntityRef[];
  /** The attributes of context, principal and resource the conditions can read. */
  paths: RootPaths;
  /** The entities it tests membership in (`any`: it may test any). */
  memberships: Set<string> | 'any';
}

export interface PolicyProblem {
  file: string;
  line: number;
  message: string;
}

/** Annotations with a meaning of their own; any other known one is an obligation. */
const META_ANNOTATIONS = new Set(['id', 'description', 'reason', 'approval']);
export const OBLIGATION_ANNOTATIONS = new Set(['redact', 'max_rows', 'max_tokens', 'mask', 'notify', 'approvers', 'on_injection']);

export function listCedarFiles(dirs: string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) continue;
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (name.endsWith('.cedar')) files.push(path.join(dir, name));
  }
  return files;
}

/** Maps an offset in a text to its line (1-based), with the line starts computed once. */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Reads, parses, validates and lints one file. Problems name the file and line; a file with
 * problems contributes no policies.
 */
export function loadPolicyFile(
  file: string,
  text: string,
  isBoundary: boolean,
  schema: SchemaJson<string>,
  label: string,
): { policies: LoadedPolicy[]; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const lineAt = lineFinder(text);
  const at = (offset: number, message: string) => problems.push({ file, line: lineAt(offset), message });

  const parsed = cedar.checkParsePolicySet({ staticPolicies: text });
  if (parsed.type === 'failure') {
    for (const e of parsed.errors) at(e.sourceLocations?.[0]?.start ?? 0, `${e.message}${hint(e.sourceLocations?.[0]?.label)}`);
    return { policies: [], problems };
  }
  const parts = cedar.policySetTextToParts(text);
  if (parts.type === 'failure') {
    for (const e of parts.errors) at(0, e.message);
    return { policies: [], problems };
  }
  if (parts.policy_templates.length > 0) at(0, 'policy templates are not supported; write static policies');

  const validation = cedar.validate({ schema, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } });
  if (validation.type === 'failure') {
    for (const e of validation.errors) at(e.sourceLocations?.[0]?.start ?? 0, e.message);
  } else {
    for (const v of validation.validationErrors) at(v.error.sourceLocations?.[0]?.start ?? 0, stripPolicyId(v.error.message));
  }

  const policies: LoadedPolicy[] = [];
  inFileOrder(text, parts.policies).forEach(({ policyText, offset }, index) => {
    const line = lineAt(offset);
    const json = cedar.policyToJson(policyText);
    if (json.type === 'failure') {
      problems.push({ file, line, message: json.errors.map((e) => e.message).join('; ') });
      return;
    }
    const p = json.json;
    const annotations = p.annotations ?? {};
    const approval = annotations.approval;
    const obligations: Record<string, string> = {};
    for (const [key, value] of Object.entries(annotations)) {
      if (OBLIGATION_ANNOTATIONS.has(key)) obligations[key] = value;
      else if (!META_ANNOTATIONS.has(key)) problems.push({ file, line, message: `unknown annotation @${key}` });
    }
    if (approval !== undefined && approval !== 'required') problems.push({ file, line, message: '@approval must be "required"' });
    if (approval !== undefined && p.effect !== 'forbid') problems.push({ file, line, message: '@approval("required") belongs on a forbid policy' });
    if (isBoundary && p.effect !== 'forbid') problems.push({ file, line, message: 'org boundary files may contain only forbid policies' });
    if (isBoundary && approval !== undefined) problems.push({ file, line, message: 'an org boundary cannot be lifted by approval; move it to a policy file' });
    if (p.effect === 'permit' && p.action.op === 'All' && p.resource.op === 'All' && p.conditions.length === 0) {
      problems.push({ file, line, message: 'a permit for every action on every resource is not allowed; scope it to actions and resources' });
    }
    policies.push({
      id: annotations.id ?? `${label}#${index + 1}`,
      text: policyText,
      file,
      line,
      layer: isBoundary ? 'boundary' : approval !== undefined ? 'approval' : 'role',
      json: p,
      obligations,
      entities: referencedEntities(p),
      paths: pathsOf(p),
      memberships: membershipTargets(p, (uid) => `${uid.type}::${JSON.stringify(uid.id)}`),
    });
  });
  return { policies: problems.length ? [] : policies, problems };
}

/**
 * `policySetTextToParts` returns policies ordered by their generated ids (policy0, policy1,
 * policy10, …), not by position: put them back in the order of the file. Undoing that sort lets
 * one forward scan find every offset; if the text does not line up, each part is searched alone.
 */
function inFileOrder(text: string, parts: string[]): { policyText: string; offset: number }[] {
  const ids = parts.map((_, k) => `policy${k}`).sort();
  const ordered: string[] = new Array<string>(parts.length);
  ids.forEach((id, i) => (ordered[Number(id.slice(6))] = parts[i]!));
  const found: { policyText: string; offset: number }[] = [];
  let cursor = 0;
  for (const policyText of ordered) {
    const offset = text.indexOf(policyText, cursor);
    if (offset < 0) return searchEach(text, parts);
    found.push({ policyText, offset });
    cursor = offset + policyText.length;
  }
  return found;
}

function searchEach(text: string, parts: string[]): { policyText: string; offset: number }[] {
  const taken = new Set<number>();
  return parts
    .map((policyText) => {
      let offset = text.indexOf(policyText);
      while (offset >= 0 && taken.has(offset)) offset = text.indexOf(policyText, offset + 1);
      taken.add(offset);
      return { policyText, offset: Math.max(offset, 0) };
    })
    .sort((a, b) => a.offset - b.offset);
}

function pathsOf(policy: PolicyJson): RootPaths {
  const paths = emptyPaths();
  collectPaths(policy.conditions, paths);
  return paths;
}

/** Operators whose left operand Cedar reads the data of: attributes, tags, or ancestors (`in`, `is … in`). */
const READS_LEFT = new Set(['.', 'has', 'in', 'getTag', 'hasTag', 'is']);

/**
 * Entity literals in a policy's conditions whose data evaluation may read (`Agent::"a2" in
 * Role::"r1"`, `Tool::"t".risk_level`): the slice must carry them. A literal only compared
 * (`principal == Agent::"a"`, or the right side of `in`) needs no data.
 */
function referencedEntities(policy: PolicyJson): EntityRef[] {
  const found = new Map<string, EntityRef>();
  const walk = (node: unknown, readsData: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, readsData);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const entity = (node as { __entity?: EntityRef }).__entity;
    if (entity && typeof entity.type === 'string' && typeof entity.id === 'string') {
      if (readsData) found.set(`${entity.type}::${entity.id}`, { type: entity.type, id: entity.id });
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (READS_LEFT.has(key) && typeof value === 'object' && value !== null && 'left' in value) {
        for (const [k, v] of Object.entries(value)) walk(v, readsData || k === 'left');
      } else walk(value, readsData);
    }
  };
  walk(policy.conditions, false);
  return [...found.values()];
}

function hint(label: string | null | undefined): string {
  return label ? ` (${label})` : '';
}

function stripPolicyId(message: string): string {
  return message.replace(/^for policy `policy\d+`, /, '');
}

/** Loads every policy file under the given directories; throws nothing, reports problems. */
export function loadPolicies(
  dirs: { policies: string[]; boundaries: string[] },
  schema: SchemaJson<string>,
  root: string,
): { policies: LoadedPolicy[]; problems: PolicyProblem[] } {
  const policies: LoadedPolicy[] = [];
  const problems: PolicyProblem[] = [];
  const read = (files: string[], isBoundary: boolean) => {
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        problems.push({ file, line: 1, message: 'cannot read the file' });
        continue;
      }
      const result = loadPolicyFile(file, text, isBoundary, schema, path.relative(root, file));
      policies.push(...result.policies);
      problems.push(...result.problems);
    }
  };
  read(listCedarFiles(dirs.boundaries), true);
  read(listCedarFiles(dirs.policies), false);
  const seen = new Map<string, LoadedPolicy>();
  for (const p of policies) {
    const first = seen.get(p.id);
    if (first) problems.push({ file: p.file, line: p.line, message: `duplicate policy id "${p.id}" (first in ${first.file}:${first.line})` });
    else seen.set(p.id, p);
  }
  return { policies, problems };
}
