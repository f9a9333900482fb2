import { LineCounter, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";

/**
 * Anything a plain manifest does not need: tabs, control and non-printable characters, a BOM, a
 * lone carriage return. Their YAML meaning is the `yaml` package's business.
 */
const UNSUPPORTED_TEXT = /(?![\n\r])\p{Cc}|[\uFEFF\u2028\u2029]|\r(?!\n)/u;

/** `key:` then the end of the line or a space; the key a plain name. */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):( .*)?$/;

/** Keys whose YAML value is null: the parser reports them, so leave them to it. */
const NULL_KEYS = new Set(["null", "Null", "NULL"]);

/** What a plain value may start with here; YAML's indicators (`-?:,[]{}#&*!|>'"%@\``) may not. */
const PLAIN_START = /^[\p{L}\p{N}_./~+$(]/u;

/** The words the YAML core schema reads as null. */
const NULL_WORDS = new Set(["~", "null", "Null", "NULL"]);

/** Thrown inside the reader when the text leaves the simple subset; never escapes it. */
const NOT_SIMPLE = Symbol("not simple");

interface Line {
  indent: number;
  /** Offset of the first non-space character. */
  offset: number;
  /** The line from its first non-space character, without the line break. */
  text: string;
}

/**
 * The lines that carry content, kept as numbers; a `Line` is made when one is read, and dropped
 * soon after. A 50,000-entry manifest has 350,000 such lines: as objects with their text, all
 * alive for the whole read, they were 28 MB of its peak memory (bench/, scenario 3).
 */
class ContentLines {
  readonly #text: string;
  readonly #indents: number[] = [];
  readonly #offsets: number[] = [];
  readonly #ends: number[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  get length(): number {
    return this.#indents.length;
  }

  add(indent: number, offset: number, end: number): void {
    this.#indents.push(indent);
    this.#offsets.push(offset);
    this.#ends.push(end);
  }

  at(index: number): Line | undefined {
    if (index >= this.#indents.length) return undefined;
    const offset = this.#offsets[index] as number;
    return {
      indent: this.#indents[index] as number,
      offset,
      text: this.#text.slice(offset, this.#ends[index]),
    };
  }
}

/**
 * A fast reader for the YAML that manifests are made of: block mappings of `key: value`, a block
 * list of such mappings under a top-level key, plain scalars, and quoted ones without escapes,
 * with comments anywhere. It builds the same nodes, with the same source offsets, as the `yaml`
 * package, four to five times faster: on a 50,000-entry manifest (5.6 MB) the `yaml` parser alone
 * took 2 to 3 s, this reader about 0.5 s.
 *
 * Returns undefined for anything outside that subset (anchors, flow collections, block scalars,
 * escapes, tabs, multi-line scalars, several documents, syntax errors…), and the caller parses
 * the text with `yaml` instead: the subset is a speed-up, never a second dialect. A test checks
 * that both readers give the same result on every kind of manifest.
 */
export function readSimpleYaml(text: string): { root: YAMLMap; lines: LineCounter } | undefined {
  if (UNSUPPORTED_TEXT.test(text)) return undefined;
  const lines = new LineCounter();
  const content = new ContentLines(text);
  let start = 0;
  for (;;) {
    lines.addNewLine(start);
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const lineEnd = text.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end;
    let first = start;
    while (first < lineEnd && text.charCodeAt(first) === 32) first++;
    // Blank lines and comment lines carry nothing.
    if (first < lineEnd && text.charCodeAt(first) !== 35) {
      content.add(first - start, first, lineEnd);
    }
    if (newline === -1) break;
    start = newline + 1;
  }
  if (content.length === 0 || content.at(0)?.indent !== 0) return undefined;
  try {
    const reader = new Reader(content);
    const root = reader.mapping(0, 0, new YAMLMap());
    if (!reader.done()) return undefined;
    return { root, lines };
  } catch (error) {
    if (error === NOT_SIMPLE) return undefined;
    throw error;
  }
}

class Reader {
  private position = 0;

  constructor(private readonly content: ContentLines) {}

  done(): boolean {
    return this.position === this.content.length;
  }

  /** Key lines at `indent` into `map`, until a line less indented. */
  mapping(indent: number, depth: number, map: YAMLMap): YAMLMap {
    while (this.position < this.content.length) {
      const line = this.content.at(this.position) as Line;
      if (line.indent < indent) break;
      if (line.indent > indent) throw NOT_SIMPLE;
      const match = KEY_LINE.exec(line.text);
      if (match === null) throw NOT_SIMPLE;
      this.position++;
      if (map.items.length === 0) map.range = [line.offset, line.offset, line.offset];
      map.items.push(this.pair(line, match, depth));
    }
    return map;
  }

  /** A list of mappings (`- key: value` items) at `indent`. */
  private sequence(indent: number, depth: number, compact: boolean): YAMLSeq {
    const seq = new YAMLSeq();
    const first = this.content.at(this.position) as Line;
    seq.range = [first.offset, first.offset, first.offset];
    while (this.position < this.content.length) {
      const line = this.content.at(this.position) as Line;
      if (line.indent < indent) break;
      if (line.indent > indent) throw NOT_SIMPLE;
      if (!line.text.startsWith("- ")) {
        // `key:` then `- item` at the key's own indentation: the next key ends the list.
        if (compact && KEY_LINE.test(line.text)) break;
        throw NOT_SIMPLE;
      }
      let skip = 1;
      while (line.text.charCodeAt(skip) === 32) skip++;
      const item: Line = {
        indent: line.indent + skip,
        offset: line.offset + skip,
        text: line.text.slice(skip),
      };
      const match = KEY_LINE.exec(item.text);
      if (match === null) throw NOT_SIMPLE;
      this.position++;
      const map = new YAMLMap();
      map.range = [item.offset, item.offset, item.offset];
      map.items.push(this.pair(item, match, depth + 1));
      seq.items.push(this.mapping(item.indent, depth + 1, map));
    }
    return seq;
  }

  private pair(line: Line, match: RegExpExecArray, depth: number): Pair {
    const name = match[1] as string;
    if (NULL_KEYS.has(name)) throw NOT_SIMPLE;
    const key = scalar(name, name, "PLAIN", line.offset, line.offset + name.length);
    const rest = match[2] ?? "";
    const restOffset = line.offset + name.length + 1;
    let skip = 0;
    while (rest.charCodeAt(skip) === 32) skip++;
    if (skip < rest.length && rest.charCodeAt(skip) !== 35) {
      return new Pair(key, value(rest.slice(skip), restOffset + skip));
    }
    // No value on the line: a nested block (top-level keys only), or a YAML null.
    const next = this.content.at(this.position);
    if (next !== undefined && next.indent >= line.indent) {
      const isItem = next.text.startsWith("- ");
      if (depth === 0 && next.indent > line.indent && !isItem && KEY_LINE.test(next.text)) {
        return new Pair(key, this.mapping(next.indent, depth + 1, new YAMLMap()));
      }
      if (depth === 0 && isItem)
        return new Pair(key, this.sequence(next.indent, depth + 1, next.indent === line.indent));
      // More indented: a multi-line scalar or a deeper block; an item: a list value. Not here.
      if (next.indent > line.indent || isItem) throw NOT_SIMPLE;
    }
    const offset = restOffset + skip;
    return new Pair(key, scalar(null, "", "PLAIN", offset, offset));
  }
}

/** The scalar after `key: `, which starts at `offset`. */
function value(text: string, offset: number): Scalar {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, 1);
    if (close === -1) throw NOT_SIMPLE;
    const inner = text.slice(1, close);
    // Escapes (`\n`, `''`) and anything after the closing quote but a comment: leave to `yaml`.
    if (quote === '"' && inner.includes("\\")) throw NOT_SIMPLE;
    if (!/^(?: +#.*| *)$/.test(text.slice(close + 1))) throw NOT_SIMPLE;
    return scalar(inner, inner, quote === '"' ? "QUOTE_DOUBLE" : "QUOTE_SINGLE", offset, offset + close + 1);
  }
  const comment = text.indexOf(" #");
  const plain = (comment === -1 ? text : text.slice(0, comment)).replace(/ +$/, "");
  if (!PLAIN_START.test(plain) || plain.includes(": ") || plain.endsWith(":")) throw NOT_SIMPLE;
  return scalar(NULL_WORDS.has(plain) ? null : plain, plain, "PLAIN", offset, offset + plain.length);
}

function scalar(value: unknown, source: string, type: Scalar.Type, start: number, end: number): Scalar {
  const node = new CompactScalar(value, start, end);
  node.source = source;
  node.type = type;
  return node;
}

/**
 * A `Scalar` that keeps its range as numbers and gives it as yaml's `[start, valueEnd, nodeEnd]`
 * when read. A 50,000-entry manifest has 700,000 scalars, all alive until the entries are read
 * from them: an array each was 35 MB of the parse's peak memory (bench/, scenario 3).
 */
class CompactScalar extends Scalar {
  // Plain fields, not #private ones: yaml's clone() copies own properties onto a bare object.
  rangeStart: number;
  rangeValueEnd: number;
  rangeNodeEnd: number;

  constructor(value: unknown, start: number, end: number) {
    super(value);
    this.rangeStart = start;
    this.rangeValueEnd = end;
    this.rangeNodeEnd = end;
  }

  static {
    // An accessor where yaml declares a plain property, which a class body may not override.
    Object.defineProperty(CompactScalar.prototype, "range", {
      get(this: CompactScalar): [number, number, number] {
        return [this.rangeStart, this.rangeValueEnd, this.rangeNodeEnd];
      },
      set(this: CompactScalar, range: [number, number, number]) {
        [this.rangeStart, this.rangeValueEnd, this.rangeNodeEnd] = range;
      },
    });
  }
}
