/**
 * Reading a tagged PDF back in tests, without trusting the library that wrote it: poppler's
 * `pdfinfo -struct-text` gives the structure tree with its text, and the raw file gives what
 * poppler does not print (a Figure's /Alt, the marked-content nesting of the page streams).
 */
import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';

export interface StructNode {
  role: string;
  /** Attribute lines poppler prints under the element, such as "/Scope /Row". */
  attrs: string[];
  /** The element's own marked text, in order. */
  texts: string[];
  children: StructNode[];
}

/** The structure tree of a tagged PDF file, as poppler reads it; throws if the file has none. */
export function structureTree(file: string): StructNode {
  const run = spawnSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8' });
  // poppler reports a damaged tree on stderr and still prints what it could read.
  if (run.status !== 0 || run.stderr.trim()) throw new Error(`pdfinfo -struct-text: ${run.stderr}`);
  const out = run.stdout;
  const root: StructNode = { role: '(root)', attrs: [], texts: [], children: [] };
  const stack: { indent: number; node: StructNode }[] = [{ indent: -1, node: root }];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    // A line belongs to the nearest element above it with a smaller indent.
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!.node;
    if (body.startsWith('"')) parent.texts.push(body.slice(1, -1));
    else if (body.startsWith('/')) parent.attrs.push(body);
    else {
      if (!/^[A-Za-z][A-Za-z0-9]*(:| \(\w+\))?$/.test(body)) throw new Error(`unexpected line: ${line}`);
      const node: StructNode = {
        role: body.replace(/:$/, '').replace(/ \(.*\)$/, ''),
        attrs: [],
        texts: [],
        children: [],
      };
      parent.children.push(node);
      stack.push({ indent, node });
    }
  }
  if (!root.children.length) throw new Error(`no structure tree in ${file}`);
  return root;
}

/** Every element of a role, in document order. */
export function all(node: StructNode, role: string): StructNode[] {
  const found: StructNode[] = [];
  const walk = (n: StructNode) => {
    if (n.role === role) found.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return found;
}

/** The text of an element and everything under it. */
export function textOf(node: StructNode): string {
  return [...node.texts, ...node.children.map(textOf)].join(' ').replace(/\s+/g, ' ').trim();
}

/** Reads a PDF literal string starting at `start` (just after its "("), with its escapes. */
function literalString(raw: Buffer, start: number): Buffer {
  const bytes: number[] = [];
  let depth = 0;
  for (let i = start; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x5c) {
      const n = raw[++i]!;
      const esc: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
      if (n >= 0x30 && n <= 0x37) {
        let oct = String.fromCharCode(n);
        while (oct.length < 3 && raw[i + 1]! >= 0x30 && raw[i + 1]! <= 0x37)
          oct += String.fromCharCode(raw[++i]!);
        bytes.push(parseInt(oct, 8));
      } else bytes.push(esc[n] ?? n);
    } else if (c === 0x28) {
      depth++;
      bytes.push(c);
    } else if (c === 0x29) {
      if (depth-- === 0) return Buffer.from(bytes);
      bytes.push(c);
    } else bytes.push(c);
  }
  throw new Error('unterminated string');
}

function decodeText(b: Buffer): string {
  if (b[0] === 0xfe && b[1] === 0xff) return b.subarray(2).swap16().toString('utf16le');
  return b.toString('latin1');
}

/** The objects of a PDF (uncompressed object syntax, as pdfkit writes them) by number. */
function objects(pdf: Buffer): Map<number, { start: number; end: number }> {
  const s = pdf.toString('latin1');
  const found = new Map<number, { start: number; end: number }>();
  for (const m of s.matchAll(/(?:^|\n)(\d+) 0 obj\b/g)) {
    const start = m.index + m[0].length;
    found.set(Number(m[1]), { start, end: s.indexOf('endobj', start) });
  }
  return found;
}

/**
 * A text entry (such as /Alt or /ActualText) of every structure element of a role, in the order
 * the file holds them; null where the element has none.
 */
export function structStrings(pdf: Buffer, role: string, key: string): (string | null)[] {
  const s = pdf.toString('latin1');
  const out: (string | null)[] = [];
  for (const { start, end } of objects(pdf).values()) {
    const dict = s.slice(start, end);
    if (!new RegExp(`/S /${role}\\s`).test(dict)) continue;
    const at = dict.indexOf(`/${key} (`);
    out.push(at < 0 ? null : decodeText(literalString(pdf, start + at + key.length + 3)));
  }
  return out;
}

/** The inflated content stream of every page, in page order. */
export function pageContents(pdf: Buffer): string[] {
  const s = pdf.toString('latin1');
  const objs = objects(pdf);
  const contents: string[] = [];
  for (const { start, end } of objs.values()) {
    const dict = s.slice(start, end);
    if (!/\/Type \/Page\s/.test(dict)) continue;
    const ref = /\/Contents (\d+) 0 R/.exec(dict);
    if (!ref) throw new Error('a page without contents');
    const obj = objs.get(Number(ref[1]))!;
    const head = /stream\r?\n/.exec(s.slice(obj.start, obj.end))!;
    const from = obj.start + head.index + head[0].length;
    const raw = pdf.subarray(from, s.indexOf('endstream', from));
    contents.push(
      /\/FlateDecode/.test(s.slice(obj.start, from))
        ? inflateSync(raw).toString('latin1')
        : raw.toString('latin1'),
    );
  }
  return contents;
}

/**
 * What breaks PDF/UA's rule that every painted thing is tagged content or an artifact, page by
 * page: text, fills, strokes or images painted outside marked content, an EMC without its
 * BDC/BMC, marked content left open at the end of a page, or marked content inside other marked
 * content (pdfkit never nests, so nesting would mean a tag or an artifact got lost).
 */
export function markedContentProblems(pdf: Buffer): string[] {
  const problems: string[] = [];
  pageContents(pdf).forEach((text, page) => {
    let depth = 0;
    for (const line of text.split('\n')) {
      if (/ BDC$|(^| )BMC$/.test(line)) {
        if (depth > 0) problems.push(`page ${page + 1}: nested ${line}`);
        depth++;
      } else if (line === 'EMC') {
        if (--depth < 0) problems.push(`page ${page + 1}: EMC without BDC`);
      } else if (depth === 0 && /(^| )(TJ|Tj|'|"|f|f\*|F|S|s|B|B\*|b|b\*|Do|sh)$/.test(line))
        problems.push(`page ${page + 1}: unmarked ${line}`);
    }
    if (depth !== 0) problems.push(`page ${page + 1}: ${depth} marked content left open`);
  });
  return problems;
}

/** Glyph id 0 (".notdef", a character the font lacks) in the text the pages show. */
export function notdefGlyphs(pdf: Buffer): number {
  let n = 0;
  for (const text of pageContents(pdf))
    for (const m of text.matchAll(/<([0-9a-f]+)>/g))
      for (const g of m[1]!.match(/.{4}/g) ?? []) if (g === '0000') n++;
  return n;
}
