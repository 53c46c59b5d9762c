/**
 * Reads source documents for the knowledge base into plain text plus metadata.
 *
 * Every format is reduced to text the chunker understands: markdown-like `#` headings mark
 * sections (HTML headings are rendered that way on purpose), blank lines separate paragraphs.
 * Access-control metadata (`sensitivity`, `owner_team`) comes from the document itself — front
 * matter, `<meta>` tags or top-level JSON keys — and is passed through unvalidated in value:
 * the ingestion caller owns the policy of which values are allowed.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import matter from 'gray-matter';
import { convert, type DomNode, type FormatCallback, type SelectorDefinition } from 'html-to-text';
import { extractText, getDocumentProxy, getMeta } from 'unpdf';

export type DocumentFormat = 'markdown' | 'text' | 'html' | 'json' | 'pdf';

export interface DocumentMeta {
  sensitivity?: string;
  owner_team?: string;
  [key: string]: unknown;
}

export interface SourceDocument {
  source: string;
  format: DocumentFormat;
  title?: string;
  text: string;
  meta: DocumentMeta;
}

/** The file's extension is not one the knowledge base can read. */
export class UnsupportedDocumentError extends Error {
  override readonly name = 'UnsupportedDocumentError';
  constructor(readonly file: string) {
    super(`unsupported document type: ${file} (expected .md, .markdown, .txt, .html, .htm, .json or .pdf)`);
  }
}

/** The file has a supported extension but its content cannot be read as that format. */
export class DocumentParseError extends Error {
  override readonly name = 'DocumentParseError';
  constructor(
    readonly file: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot read ${file}: ${reason}`, options);
  }
}

const FORMATS: Readonly<Record<string, DocumentFormat>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
  '.pdf': 'pdf',
};

/** Keys lifted out of the document body into SourceDocument.meta / title. */
const META_KEYS = ['sensitivity', 'owner_team'] as const;

export function documentFormat(file: string): DocumentFormat {
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined) throw new UnsupportedDocumentError(file);
  return format;
}

export async function readDocument(file: string): Promise<SourceDocument> {
  documentFormat(file); // fail on the name before reading a possibly large file
  return parseDocument(file, await readFile(file));
}

export async function parseDocument(name: string, bytes: Buffer): Promise<SourceDocument> {
  const format = documentFormat(name);
  switch (format) {
    case 'markdown':
    case 'text':
      return parseFrontMatter(name, format, decode(bytes));
    case 'html':
      return parseHtml(name, decode(bytes));
    case 'json':
      return parseJson(name, decode(bytes));
    case 'pdf':
      return parsePdf(name, bytes);
  }
}

function decode(bytes: Buffer): string {
  // Not fatal: one mis-encoded byte should cost one character, not the document.
  return new TextDecoder('utf-8').decode(bytes);
}

/** Copies `sensitivity` / `owner_team` from `data` into meta, insisting they are strings. */
function liftMeta(name: string, data: Record<string, unknown>, meta: DocumentMeta): void {
  for (const key of META_KEYS) {
    const value = data[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw new DocumentParseError(name, `'${key}' must be a string, got ${typeof value}`);
    }
    meta[key] = value;
  }
}

function optionalTitle(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function rejectExecutableFrontMatter(): object {
  throw new Error('executable front matter is not allowed');
}

/** PDF.js VerbosityLevel.ERRORS. */
const PDF_ERRORS_ONLY = 0;

const FIRST_H1 = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/m;

function parseFrontMatter(name: string, format: 'markdown' | 'text', content: string): SourceDocument {
  let parsed: matter.GrayMatterFile<string>;
  try {
    // gray-matter evaluates `---js` front matter with eval(): a document must never run code.
    // Passing options also bypasses gray-matter's global cache, which hands out shared objects.
    parsed = matter(content, {
      engines: { javascript: rejectExecutableFrontMatter, coffee: rejectExecutableFrontMatter },
    });
  } catch (error) {
    throw new DocumentParseError(name, `invalid front matter: ${(error as Error).message}`, { cause: error });
  }
  const data: Record<string, unknown> = { ...parsed.data };
  const { title, ...rest } = data;
  const meta: DocumentMeta = { ...rest };
  delete meta.sensitivity;
  delete meta.owner_team;
  liftMeta(name, data, meta);
  const text = parsed.content.trim();
  const heading = format === 'markdown' ? FIRST_H1.exec(text)?.[1] : undefined;
  return withTitle({ source: name, format, text, meta }, optionalTitle(title) ?? optionalTitle(heading));
}

function withTitle(document: SourceDocument, title: string | undefined): SourceDocument {
  return title === undefined ? document : { ...document, title };
}

function nodeText(node: DomNode): string {
  return node.data ?? node.children?.map(nodeText).join('') ?? '';
}

/** `<title>` and `<meta name=… content=…>`, read with the same parser that renders the body. */
function htmlHead(html: string): { title?: string; meta: Record<string, string> } {
  const meta: Record<string, string> = {};
  let title: string | undefined;
  const capture: FormatCallback = (elem) => {
    if (elem.name === 'title') {
      title ??= nodeText(elem).replace(/\s+/g, ' ').trim();
      return;
    }
    const attributes: Record<string, unknown> = elem.attribs ?? {};
    const key = attributes.name;
    const content = attributes.content;
    if (typeof key === 'string' && typeof content === 'string') meta[key.toLowerCase()] ??= content;
  };
  convert(html, {
    baseElements: { selectors: ['title', 'meta'], orderBy: 'occurrence', returnDomByDefault: false },
    formatters: { capture },
    selectors: [
      { selector: 'title', format: 'capture' },
      { selector: 'meta', format: 'capture' },
    ],
  });
  return title === undefined || title === '' ? { meta } : { title, meta };
}

/** Headings become `# ` lines so the chunker can track sections in HTML too. */
const markdownHeading: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${'#'.repeat(Number(elem.name?.slice(1) ?? 1))} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

/** `<pre>` becomes a fenced block: its lines must not be read as headings, nor split as prose. */
const fencedPre: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 2, isPre: true });
  builder.addLiteral('```\n');
  walk(elem.children, builder);
  builder.addLiteral('\n```');
  builder.closeBlock({ trailingLineBreaks: 2 });
};

const HTML_SELECTORS: SelectorDefinition[] = [
  ...[1, 2, 3, 4, 5, 6].map((level) => ({ selector: `h${level}`, format: 'markdownHeading' })),
  { selector: 'pre', format: 'fencedPre' },
  // Link targets and image references are noise for retrieval; their visible text stays.
  { selector: 'a', options: { ignoreHref: true } },
  { selector: 'img', format: 'skip' },
  { selector: 'svg', format: 'skip' },
  { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: 400 } },
  { selector: 'ul', options: { itemPrefix: '- ' } },
];

function parseHtml(name: string, html: string): SourceDocument {
  const head = htmlHead(html);
  const meta: DocumentMeta = {};
  liftMeta(name, head.meta, meta);
  // Paragraphs stay on one line (no word wrap): the chunker decides where text breaks.
  const text = convert(html, {
    wordwrap: false,
    formatters: { markdownHeading, fencedPre },
    selectors: HTML_SELECTORS,
  }).trim();
  return withTitle({ source: name, format: 'html', text, meta }, head.title);
}

/** One line per leaf: `path.to[0].key: value`, so keys stay searchable next to their values. */
function flattenJson(value: unknown, path: string, lines: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flattenJson(item, `${path}[${index}]`, lines));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flattenJson(child, path === '' ? key : `${path}.${key}`, lines);
  } else {
    // Newlines inside a value would break the one-line-per-leaf shape (and could fake a heading).
    const rendered = typeof value === 'string' ? value.replace(/\s*\n\s*/g, ' ') : String(value);
    lines.push(path === '' ? rendered : `${path}: ${rendered}`);
  }
}

function parseJson(name: string, content: string): SourceDocument {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new DocumentParseError(name, `malformed JSON: ${(error as Error).message}`, { cause: error });
  }
  const meta: DocumentMeta = {};
  let title: string | undefined;
  let body = value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    liftMeta(name, record, meta);
    title = optionalTitle(record.title);
    const { sensitivity: _sensitivity, owner_team: _ownerTeam, title: _title, ...rest } = record;
    body = rest;
  }
  const lines: string[] = [];
  flattenJson(body, '', lines);
  return withTitle({ source: name, format: 'json', text: lines.join('\n'), meta }, title);
}

async function parsePdf(name: string, bytes: Buffer): Promise<SourceDocument> {
  // A copy: PDF.js may transfer (detach) the buffer it is given, and `bytes` belongs to the caller.
  const data = new Uint8Array(bytes);
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // Errors only: PDF.js otherwise prints recovery warnings for damaged files to the console.
    pdf = await getDocumentProxy(data, { verbosity: PDF_ERRORS_ONLY });
  } catch (error) {
    throw new DocumentParseError(name, `not a readable PDF: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { text } = await extractText(pdf, { mergePages: true });
    const { info } = await getMeta(pdf);
    // A scanned PDF yields '' here; there is no OCR, and the caller decides what an empty document means.
    return withTitle({ source: name, format: 'pdf', text: text.trim(), meta: {} }, optionalTitle(info.Title));
  } catch (error) {
    throw new DocumentParseError(name, `cannot extract PDF text: ${(error as Error).message}`, { cause: error });
  } finally {
    // Releases the parsed document (and its worker, where PDF.js runs one).
    await pdf.loadingTask.destroy();
  }
}
