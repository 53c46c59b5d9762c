/**
 * Splits a document's text into retrieval chunks.
 *
 * A chunk is what a retriever hands to a model, so it should read as a self-contained passage:
 * it never spans two sections (the heading path travels with it instead), paragraphs and code
 * blocks stay whole whenever they fit, long paragraphs break at sentence boundaries, and the
 * next chunk repeats the last sentence so a fact split across the cut is still found whole once.
 * Only a single sentence (or code line) longer than the target is cut mid-sentence, at a word
 * boundary, and only a word longer than that is cut mid-word: `maxChars` is a hard limit.
 */

export interface Chunk {
  ord: number;
  /** The heading path, e.g. 'Compensation > Salary bands'; '' before the first heading. */
  heading: string;
  text: string;
}

export interface ChunkOptions {
  /** Size the packer aims for; chunks grow past it only to avoid leaving a tiny fragment. */
  targetChars?: number;
  /** Hard upper bound on a chunk's length, overlap included. */
  maxChars?: number;
  /** Sentences of prose repeated at the start of the next chunk in the same section. */
  overlapSentences?: number;
}

const DEFAULTS = { targetChars: 900, maxChars: 1500, overlapSentences: 1 } as const;
const MIN_TARGET_CHARS = 20;

type BlockKind = 'prose' | 'code';
interface Block {
  kind: BlockKind;
  text: string;
}
interface Section {
  heading: string;
  blocks: Block[];
}

/** A unit the packer never splits, with the separator that joins it to what precedes it. */
interface Piece {
  text: string;
  sep: string;
  prose: boolean;
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s/;

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

function closesFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= marker.length && trimmed === marker.charAt(0).repeat(trimmed.length);
}

/** Reads markdown structure: heading paths, paragraphs and fenced code. Everything else is prose. */
function parseSections(text: string): Section[] {
  const sections: Section[] = [];
  const path: { level: number; title: string }[] = [];
  let current: Section = { heading: '', blocks: [] };
  let paragraph: string[] = [];
  let fence: { marker: string; lines: string[] } | undefined;

  const flushParagraph = (): void => {
    const joined = paragraph.join('\n').trim();
    if (joined !== '') current.blocks.push({ kind: 'prose', text: joined });
    paragraph = [];
  };
  const startSection = (level: number, title: string): void => {
    flushParagraph();
    if (current.blocks.length > 0) sections.push(current);
    while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
    path.push({ level, title });
    const heading = path.map((entry) => entry.title).filter((entry) => entry !== '').join(' > ');
    current = { heading, blocks: [] };
  };

  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence) {
      fence.lines.push(line.trimEnd());
      if (fence.lines.length > 1 && closesFence(line, fence.marker)) {
        current.blocks.push({ kind: 'code', text: fence.lines.join('\n') });
        fence = undefined;
      }
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open) {
      flushParagraph();
      fence = { marker: open[1]!, lines: [line.trimEnd()] };
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      startSection(atx[1]!.length, (atx[2] ?? '').trim());
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line);
    // Under a list item, '---' is a thematic break, not a heading underline (as in CommonMark).
    if (underline && paragraph.length > 0 && !(line.includes('-') && LIST_ITEM.test(paragraph[paragraph.length - 1]!))) {
      const title = paragraph.map((entry) => entry.trim()).join(' ');
      paragraph = [];
      startSection(line.includes('=') ? 1 : 2, title);
      continue;
    }
    if (line.trim() === '' || THEMATIC_BREAK.test(line)) {
      flushParagraph();
      continue;
    }
    paragraph.push(line.trimEnd());
  }
  // An unclosed fence runs to the end of the text, as markdown renderers treat it.
  if (fence) current.blocks.push({ kind: 'code', text: fence.lines.join('\n') });
  flushParagraph();
  if (current.blocks.length > 0) sections.push(current);
  return sections;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts text into parts of at most `limit` chars at whitespace, mid-word only when a word is longer than `limit`. */
function hardSplit(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    let cut = limit;
    while (cut > 0 && !/\s/.test(rest.charAt(cut))) cut--;
    if (cut > 0) {
      parts.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    } else {
      // Never separate a surrogate pair: half a character is not text.
      cut = isHighSurrogate(rest.charCodeAt(limit - 1)) ? limit - 1 : limit;
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
  }
  if (rest !== '') parts.push(rest);
  return parts;
}

function sentencesOf(text: string): string[] {
  const result: string[] = [];
  for (const { segment } of sentences.segment(text)) {
    const trimmed = segment.trim();
    if (trimmed !== '') result.push(trimmed);
  }
  return result;
}

function piecesOf(block: Block, targetChars: number, maxChars: number): Piece[] {
  const prose = block.kind === 'prose';
  if (block.text.length <= maxChars) return [{ text: block.text, sep: '\n\n', prose }];
  const pieces: Piece[] = [];
  if (prose) {
    for (const sentence of sentencesOf(block.text)) {
      const parts = sentence.length <= maxChars ? [sentence] : hardSplit(sentence, targetChars);
      for (const part of parts) pieces.push({ text: part, sep: pieces.length === 0 ? '\n\n' : ' ', prose });
    }
  } else {
    // Code keeps its line structure and indentation; only an over-long line is cut.
    for (const line of block.text.split('\n')) {
      const parts = line.length <= targetChars ? [line] : hardSplit(line, targetChars);
      for (const part of parts) pieces.push({ text: part, sep: pieces.length === 0 ? '\n\n' : '\n', prose });
    }
  }
  return pieces;
}

function joinPieces(pieces: Piece[]): string {
  return pieces
    .map((piece, index) => (index === 0 ? piece.text : piece.sep + piece.text))
    .join('')
    .replace(/^\n+/, '')
    .trimEnd();
}

/**
 * The last `count` sentences of the chunk's trailing paragraph, or '' when it ends in code.
 * Overlap never reaches back past a paragraph start: the next chunk repeats context, not topics.
 */
function trailingSentences(pieces: Piece[], count: number): string {
  const collected: string[] = [];
  for (let i = pieces.length - 1; i >= 0 && collected.length < count; i--) {
    const piece = pieces[i]!;
    if (!piece.prose) break;
    const found = sentencesOf(piece.text);
    collected.unshift(...found.slice(Math.max(0, found.length - (count - collected.length))));
    if (piece.sep !== ' ') break;
  }
  return collected.join(' ');
}

function checkOptions(targetChars: number, maxChars: number, overlapSentences: number): void {
  if (!Number.isInteger(targetChars) || targetChars < MIN_TARGET_CHARS) {
    throw new RangeError(`targetChars must be an integer of at least ${MIN_TARGET_CHARS}, got ${targetChars}`);
  }
  if (!Number.isInteger(maxChars) || maxChars < targetChars) {
    throw new RangeError(`maxChars must be an integer no smaller than targetChars (${targetChars}), got ${maxChars}`);
  }
  if (!Number.isInteger(overlapSentences) || overlapSentences < 0) {
    throw new RangeError(`overlapSentences must be a non-negative integer, got ${overlapSentences}`);
  }
}

export function chunkText(text: string, options: ChunkOptions = {}): Chunk[] {
  const targetChars = options.targetChars ?? DEFAULTS.targetChars;
  const maxChars = options.maxChars ?? Math.max(DEFAULTS.maxChars, targetChars);
  const overlapSentences = options.overlapSentences ?? DEFAULTS.overlapSentences;
  checkOptions(targetChars, maxChars, overlapSentences);
  // Below a third of the target a chunk may grow up to maxChars rather than stand alone as a fragment.
  const minChars = Math.floor(targetChars / 3);
  // Overlap is context, not content: it may not take more than half of the next chunk's budget.
  const maxOverlapChars = Math.floor(targetChars / 2);

  const chunks: Chunk[] = [];
  for (const section of parseSections(text)) {
    let current: Piece[] = [];
    let length = 0;
    const flush = (): string => {
      const joined = joinPieces(current);
      if (joined.trim() !== '') chunks.push({ ord: chunks.length, heading: section.heading, text: joined });
      current = [];
      length = 0;
      return joined;
    };

    for (const block of section.blocks) {
      for (const piece of piecesOf(block, targetChars, maxChars)) {
        if (current.length > 0) {
          const grown = length + piece.sep.length + piece.text.length;
          if (grown <= targetChars || (grown <= maxChars && length < minChars)) {
            current.push(piece);
            length = grown;
            continue;
          }
          const previous = current;
          const flushed = flush();
          const overlap = overlapSentences > 0 ? trailingSentences(previous, overlapSentences) : '';
          if (
            overlap !== '' &&
            overlap !== flushed &&
            overlap.length <= maxOverlapChars &&
            overlap.length + piece.sep.length + piece.text.length <= maxChars
          ) {
            current = [{ text: overlap, sep: '', prose: true }];
            length = overlap.length;
          }
        }
        length = current.length === 0 ? piece.text.length : length + piece.sep.length + piece.text.length;
        current.push(piece);
      }
    }
    flush();
  }
  return chunks;
}
