import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkText } from './chunker.js';
import { DocumentParseError, UnsupportedDocumentError, parseDocument, readDocument } from './documents.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/knowledge/${name}`, import.meta.url));

describe('readDocument', () => {
  it('reads markdown front matter into title and meta, and keeps headings in the text', async () => {
    const document = await readDocument(fixture('compensation.md'));
    expect(document.format).toBe('markdown');
    expect(document.title).toBe('Compensation Handbook');
    expect(document.meta.sensitivity).toBe('confidential');
    expect(document.meta.owner_team).toBe('people-ops');
    expect(document.meta.reviewed).toBeInstanceOf(Date);
    expect(document.meta).not.toHaveProperty('title');
    expect(document.text).not.toContain('people-ops');
    expect(document.text).toMatch(/^# Compensation/);
    expect(chunkText(document.text).map((chunk) => chunk.heading)).toEqual([
      'Compensation',
      'Compensation > Salary bands',
      'Compensation > Bonuses',
    ]);
  });

  it('reads front matter in plain text files too', async () => {
    const document = await readDocument(fixture('onboarding.txt'));
    expect(document).toMatchObject({ format: 'text', meta: { owner_team: 'it' } });
    expect(document.title).toBeUndefined();
    expect(document.text).toMatch(/^New starters receive a laptop/);
  });

  it('reads HTML meta tags and title, renders headings as markdown and drops link targets', async () => {
    const document = await readDocument(fixture('benefits.html'));
    expect(document.title).toBe('Benefits & Perks');
    expect(document.meta).toEqual({ sensitivity: 'internal', owner_team: 'people-ops' });
    expect(document.text).toContain('# Benefits');
    expect(document.text).toContain('## Parental leave');
    expect(document.text).toContain('Everyone gets private health insurance.');
    expect(document.text).not.toContain('intranet.example');
    const chunks = chunkText(document.text);
    expect(chunks.map((chunk) => chunk.heading)).toEqual(['Benefits', 'Benefits > Parental leave']);
    // <pre> content is fenced, so a '#' line inside it does not open a section.
    expect(chunks[1]!.text).toContain('# not a heading');
  });

  it('flattens JSON into path: value lines and lifts top-level meta keys', async () => {
    const document = await readDocument(fixture('offices.json'));
    expect(document.title).toBe('Office directory');
    expect(document.meta).toEqual({ sensitivity: 'public', owner_team: 'facilities' });
    expect(document.text.split('\n')).toEqual([
      'offices[0].city: Berlin',
      'offices[0].floors: 3',
      'offices[0].open: true',
      'offices[1].city: Lisbon',
      'offices[1].note: Opened in 2023',
      'contact.email: facilities@example.com',
      'contact.phone: null',
    ]);
  });

  it('extracts the text and title of a PDF', async () => {
    const document = await readDocument(fixture('travel-policy.pdf'));
    expect(document.format).toBe('pdf');
    expect(document.title).toBe('Travel Policy');
    expect(document.text).toContain('Employees book economy class for flights under six hours.');
    expect(document.text).toContain('Hotel costs are reimbursed up to the city rate.');
  });

  it('names the file when JSON is malformed', async () => {
    const error = await readDocument(fixture('malformed.json')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as Error).message).toMatch(/malformed\.json.*malformed JSON/);
  });

  it('names the file when a PDF is broken', async () => {
    const error = await readDocument(fixture('broken.pdf')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as Error).message).toContain('broken.pdf');
  });

  it('rejects an unknown extension with an error naming the file, before reading it', async () => {
    const error = await readDocument('/does/not/exist/report.docx').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect((error as UnsupportedDocumentError).file).toBe('/does/not/exist/report.docx');
    expect((error as Error).message).toContain('report.docx');
  });
});

describe('parseDocument', () => {
  it('detects the format case-insensitively from the name', async () => {
    const document = await parseDocument('NOTES.MD', Buffer.from('# Title\n\nBody'));
    expect(document).toMatchObject({ source: 'NOTES.MD', format: 'markdown', title: 'Title' });
  });

  it('refuses executable front matter instead of evaluating it', async () => {
    const hostile = Buffer.from('---js\n{ sensitivity: (globalThis.pwned = "yes") }\n---\nBody');
    await expect(parseDocument('evil.md', hostile)).rejects.toThrow(/evil\.md.*executable front matter/);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it('rejects a non-string sensitivity rather than guessing', async () => {
    await expect(parseDocument('doc.md', Buffer.from('---\nsensitivity: 3\n---\nBody'))).rejects.toThrow(
      /doc\.md.*'sensitivity' must be a string/,
    );
  });

  it('does not share parsed front matter between identical documents', async () => {
    const bytes = Buffer.from('---\nowner_team: a\n---\nSame body');
    const first = await parseDocument('a.md', bytes);
    first.meta.owner_team = 'mutated';
    expect((await parseDocument('b.md', bytes)).meta.owner_team).toBe('a');
  });

  it('renders a top-level JSON array and scalar without meta', async () => {
    expect((await parseDocument('list.json', Buffer.from('[{"a":1},"two"]'))).text).toBe('[0].a: 1\n[1]: two');
    expect((await parseDocument('scalar.json', Buffer.from('"just text"'))).text).toBe('just text');
  });
});
