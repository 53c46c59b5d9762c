import type { ToolResult } from '../core/ports.js';
import type { ChunkProvenance } from '../knowledge/retrieve-executor.js';

/** A retrieved chunk as HTTP and the CLI show it: its provenance, its text, and whether the guard withheld it. */
export interface ChunkView extends ChunkProvenance {
  text: string;
  withheld?: true;
}

/** Joins a `kb.retrieve` result's text items with their provenance (the two are aligned by index). */
export function chunksOf(result: ToolResult, items?: readonly string[]): ChunkView[] {
  const meta = (result.structuredContent?.chunks ?? []) as ChunkProvenance[];
  return meta.map((m, i) => {
    const item = result.content[i] as { text?: unknown } | undefined;
    return { ...m, text: typeof item?.text === 'string' ? item.text : '', ...(items?.[i] === 'withheld' ? { withheld: true as const } : {}) };
  });
}
