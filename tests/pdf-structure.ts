/**
 * Reading a tagged PDF back in tests, without trusting the library that wrote it: poppler's
 * `pdfinfo -struct-text` gives the structure tree with its text, and the raw file gives what
 * poppler does not print (a Figure's /Alt, the marked-content nesting of the page streams).
 */
import { execFileSync } from 'node:child_process';
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
  const out = execFileSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8' });
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

/** The alternative text of every Figure element, in the order the file holds them. */
export function figureAltTexts(pdf: Buffer): string[] {
  const s = pdf.toString('latin1');
  const alts: string[] = [];
  for (const m of s.matchAll(/\/S \/Figure\s*\/Alt \(/g))
    alts.push(decodeText(literalString(pdf, m.index + m[0].length)));
  return alts;
}

/**
 * Painting operators (text, fills, strokes, images) that stand outside any marked content in the
 * page content streams. PDF/UA requires every one to be tagged content or an artifact.
 */
export function unmarkedPainting(pdf: Buffer): string[] {
  const s = pdf.toString('latin1');
  const found: string[] = [];
  for (const m of s.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    let text: string;
    try {
      text = inflateSync(pdf.subarray(start, s.indexOf('endstream', start))).toString('latin1');
    } catch {
      continue;
    }
    if (!/^BT$/m.test(text)) continue; // not a page content stream (fonts, metadata)
    let depth = 0;
    for (const line of text.split('\n')) {
      if (/ BDC$|(^| )BMC$/.test(line)) depth++;
      else if (line === 'EMC') depth--;
      else if (depth === 0 && /(^| )(TJ|Tj|'|"|f|f\*|F|S|s|B|B\*|b|b\*|Do|sh)$/.test(line)) found.push(line);
    }
  }
  return found;
}
