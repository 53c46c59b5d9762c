import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import { WardenError } from '../core/errors.js';

const MAX_DECIMAL = 922_337_203_685_477;

/**
 * Converts caller JSON into Cedar's JSON value form. Keys that start with `__` are refused: in
 * Cedar's JSON they would smuggle in entity references or extension values.
 */
export function toCedarValue(value: unknown, where = 'context'): CedarValueJson | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    if (Number.isFinite(value) && Math.abs(value) < MAX_DECIMAL) return { __extn: { fn: 'decimal', arg: value.toFixed(4) } };
    throw new WardenError('invalid_request', `${where}: the number ${value} cannot be represented in a policy`);
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => toCedarValue(v, `${where}[${i}]`)).filter((v): v is CedarValueJson => v !== undefined);
  }
  if (typeof value === 'object') {
    const out: Record<string, CedarValueJson> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('__')) throw new WardenError('invalid_request', `${where}.${key}: keys starting with "__" are reserved`);
      const converted = toCedarValue(v, `${where}.${key}`);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  throw new WardenError('invalid_request', `${where}: unsupported value`);
}

export function toCedarContext(context: Record<string, unknown>): Record<string, CedarValueJson> {
  return toCedarValue(context) as Record<string, CedarValueJson>;
}
