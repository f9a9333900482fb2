/**
 * A seeded generator of broken manifests for the bad-input fuzz (issue 8): it takes a real
 * manifest and applies one to three mutations of the kinds an operator's editor, shell or copy
 * and paste produce, and a few an attacker would try. Pure: the same source and random numbers
 * give the same bytes, so a failing case replays from its seed.
 */

/** One mutation: what it did (for the replay note) and the bytes after it. */
type Mutation = (input: Buffer, random: () => number) => { bytes: Buffer; note: string };

/** A mutated manifest and the mutations that made it. */
export interface MutatedManifest {
  bytes: Buffer;
  mutations: string[];
}

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)] as T;
const between = (min: number, max: number, random: () => number) =>
  min + Math.floor(random() * (max - min + 1));

/** Values of every YAML type and of none, for a field that wants a string. */
const WRONG_VALUES = [
  "[1, 2]",
  "{a: b}",
  "123",
  "-0",
  "1e309",
  "true",
  "null",
  "~",
  '""',
  "''",
  "-1.5e10",
  "!!binary aGVsbG8=",
  "!!set {a, b}",
  "!!omap [a: 1]",
  "!custom tag",
  "*nowhere",
  "&anchor value",
  "|\n  block\n  text",
  ">-\n  folded",
  "2001-12-14t21:59:43.10-05:00",
  ".inf",
  ".nan",
  "0x1F",
  "0o17",
  "[[]]",
  "{}",
  "[]",
  "? complex\n: key",
  "'unterminated",
  '"unterminated',
  "@reserved",
  "`backtick",
  "%directive",
  "- a\n- b",
  "yes",
  "NO",
  "12:30:00",
  "{{template}}",
  // A shell variable left unexpanded.
  ["$", "{DOMO_TOKEN}"].join(""),
];

/** Text an editor or a paste slips in. */
const ODD_TEXT = [
  "\u0000",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\ud83d\ude80",
  "\u00a0",
  "\u2028",
  "\u0085",
  "\u001b[31m",
  "\r",
  "\t",
  "\\",
  "#",
  ": ",
  "- ",
  "&a ",
  "*a",
  "!!",
  "{",
  "}",
  "[",
  "]",
  ",",
  "'",
  '"',
  "%",
  "|",
  ">",
  "?",
  "<<: ",
];

/** Lines of the text with their byte ranges, for line-level mutations. */
function lines(text: string): string[] {
  return text.split("\n");
}

/** A `key: value` line's index, or -1 when none has a value. */
function valueLine(all: string[], random: () => number): number {
  const candidates = all.flatMap((line, index) => (/^\s*(- )?[A-Za-z_]+:\s*\S/.test(line) ? [index] : []));
  return candidates.length === 0 ? -1 : pick(candidates, random);
}

function replaceValue(line: string, value: string): string {
  return line.replace(/^(\s*(?:- )?[A-Za-z_]+:)\s*.*$/, `$1 ${value}`);
}

const utf8 = (text: string) => Buffer.from(text, "utf8");

const MUTATIONS: Record<string, Mutation> = {
  truncate: (input, random) => {
    const at = between(0, input.length, random);
    return { bytes: input.subarray(0, at), note: `truncate at byte ${at}` };
  },
  wrongType: (input, random) => {
    const all = lines(input.toString("utf8"));
    const index = valueLine(all, random);
    const value = pick(WRONG_VALUES, random);
    if (index >= 0) all[index] = replaceValue(all[index] as string, value);
    return { bytes: utf8(all.join("\n")), note: `line ${index + 1} value → ${JSON.stringify(value)}` };
  },
  deepNesting: (input, random) => {
    const depth = random() < 0.05 ? between(5000, 20000, random) : between(20, 1000, random);
    const flow = random() < 0.5;
    const nested = flow
      ? `${"[".repeat(depth)}${"]".repeat(depth)}`
      : `${"{a: ".repeat(depth)}b${"}".repeat(depth)}`;
    const all = lines(input.toString("utf8"));
    const index = valueLine(all, random);
    if (index >= 0) all[index] = replaceValue(all[index] as string, nested);
    else all.push(`migrations: ${nested}`);
    return {
      bytes: utf8(all.join("\n")),
      note: `line ${index + 1} nested ${depth} deep (${flow ? "flow" : "map"})`,
    };
  },
  blockNesting: (input, random) => {
    const depth = between(20, 400, random);
    const block = Array.from({ length: depth }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n");
    return {
      bytes: Buffer.concat([input, utf8(`\nmigrations:\n${block} x\n`)]),
      note: `block mapping ${depth} deep`,
    };
  },
  hugeScalar: (input, random) => {
    const length = random() < 0.15 ? between(200_000, 1_500_000, random) : between(1000, 60_000, random);
    const unit = pick(["a", "0", "é", "🚀", "-", " ", "x:y", "\\u0041"], random);
    const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    const all = lines(input.toString("utf8"));
    const index = valueLine(all, random);
    const quoted = random() < 0.5 ? JSON.stringify(text) : text;
    if (index >= 0) all[index] = replaceValue(all[index] as string, quoted);
    return {
      bytes: utf8(all.join("\n")),
      note: `line ${index + 1} value of ${length} × ${JSON.stringify(unit)}`,
    };
  },
  manyEntries: (_input, random) => {
    const count = between(200, 3000, random);
    const entries = Array.from(
      { length: count },
      (_, i) =>
        `  - datasource: ds-${i % Math.max(1, count - between(0, 5, random))}\n    account: "1"\n    catalog: c\n    schema: s\n    table: t${i}`,
    ).join("\n");
    return { bytes: utf8(`version: 1\nmigrations:\n${entries}\n`), note: `${count} generated entries` };
  },
  binaryBytes: (input, random) => {
    const bytes = Buffer.from(input);
    const count = between(1, 16, random);
    const at: number[] = [];
    for (let i = 0; i < count && bytes.length > 0; i++) {
      const position = between(0, bytes.length - 1, random);
      bytes[position] = between(0, 255, random);
      at.push(position);
    }
    return { bytes, note: `${count} random bytes at ${at.slice(0, 4).join(",")}…` };
  },
  invalidUtf8: (input, random) => {
    const at = between(0, input.length, random);
    const junk = pick(
      [[0xc3], [0xe2, 0x82], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]],
      random,
    );
    return {
      bytes: Buffer.concat([input.subarray(0, at), Buffer.from(junk), input.subarray(at)]),
      note: `invalid UTF-8 at ${at}`,
    };
  },
  bom: (input, random) => {
    const kind = pick(["utf8", "utf16le", "utf16be", "utf8-twice"], random);
    const text = input.toString("utf8");
    if (kind === "utf8")
      return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), input]), note: "UTF-8 BOM" };
    if (kind === "utf8-twice") return { bytes: utf8(`\ufeff\ufeff${text}`), note: "two UTF-8 BOMs" };
    const le = Buffer.from(`\ufeff${text}`, "utf16le");
    if (kind === "utf16le") return { bytes: le, note: "UTF-16LE with BOM" };
    return { bytes: Buffer.from(le).swap16(), note: "UTF-16BE with BOM" };
  },
  crlf: (input, random) => {
    const kind = pick(["\r\n", "\r", "mixed"], random);
    const text = input.toString("utf8");
    const out =
      kind === "mixed"
        ? text
            .split("\n")
            .map((line, i) => (i % 2 === 0 ? `${line}\r` : line))
            .join("\n")
        : text.replaceAll("\n", kind);
    return { bytes: utf8(out), note: `line ends ${JSON.stringify(kind)}` };
  },
  tabs: (input, random) => {
    const all = lines(input.toString("utf8"));
    let changed = 0;
    const out = all.map((line) => {
      if (!/^ +/.test(line) || random() < 0.5) return line;
      changed += 1;
      return line.replace(/^( +)/, (spaces) => "\t".repeat(Math.max(1, spaces.length / 2)));
    });
    return { bytes: utf8(out.join("\n")), note: `tabs on ${changed} lines` };
  },
  duplicateKey: (input, random) => {
    const all = lines(input.toString("utf8"));
    const index = valueLine(all, random);
    if (index >= 0) all.splice(index + 1, 0, (all[index] as string).replace(/^(\s*)- /, "$1  "));
    return { bytes: utf8(all.join("\n")), note: `line ${index + 1} duplicated` };
  },
  duplicateBlock: (input, random) => {
    const text = input.toString("utf8");
    const at = text.indexOf("migrations:");
    const doubled = at >= 0 ? `${text}\n${text.slice(at)}` : `${text}\n${text}`;
    return {
      bytes: utf8(random() < 0.5 ? doubled : `${text}\n---\n${text}`),
      note: "migrations block duplicated",
    };
  },
  deleteLine: (input, random) => {
    const all = lines(input.toString("utf8"));
    const index = between(0, all.length - 1, random);
    all.splice(index, 1);
    return { bytes: utf8(all.join("\n")), note: `line ${index + 1} deleted` };
  },
  swapLines: (input, random) => {
    const all = lines(input.toString("utf8"));
    const a = between(0, all.length - 1, random);
    const b = between(0, all.length - 1, random);
    [all[a], all[b]] = [all[b] as string, all[a] as string];
    return { bytes: utf8(all.join("\n")), note: `lines ${a + 1} and ${b + 1} swapped` };
  },
  indentShift: (input, random) => {
    const all = lines(input.toString("utf8"));
    const index = between(0, all.length - 1, random);
    const shift = pick([-3, -2, -1, 1, 2, 3, 7], random);
    const line = all[index] as string;
    all[index] =
      shift > 0
        ? `${" ".repeat(shift)}${line}`
        : line.slice(Math.min(-shift, line.length - line.trimStart().length));
    return { bytes: utf8(all.join("\n")), note: `line ${index + 1} indent ${shift > 0 ? "+" : ""}${shift}` };
  },
  oddText: (input, random) => {
    const text = input.toString("utf8");
    const at = between(0, text.length, random);
    const odd = pick(ODD_TEXT, random);
    return {
      bytes: utf8(`${text.slice(0, at)}${odd}${text.slice(at)}`),
      note: `${JSON.stringify(odd)} at char ${at}`,
    };
  },
  keyTypo: (input, random) => {
    const all = lines(input.toString("utf8"));
    const index = valueLine(all, random);
    if (index >= 0) {
      all[index] = (all[index] as string).replace(/([A-Za-z_]+):/, (_, key: string) => {
        const i = between(0, key.length - 1, random);
        return `${key.slice(0, i)}${key.slice(i + 1)}${key[i] ?? ""}:`;
      });
    }
    return { bytes: utf8(all.join("\n")), note: `line ${index + 1} key misspelt` };
  },
  secretKey: (input, random) => {
    const key = pick(["token", "developerToken", "password", "apiKey"], random);
    return { bytes: Buffer.concat([input, utf8(`\n${key}: not-a-real-token\n`)]), note: `${key} key added` };
  },
  aliasBomb: (_input, random) => {
    const levels = between(4, 12, random);
    const rows = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < levels; i++) {
      rows.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(",")}]`);
    }
    return {
      bytes: utf8(`version: 1\n${rows.join("\n")}\nmigrations: *a${levels - 1}\n`),
      note: `alias bomb, ${levels} levels`,
    };
  },
  empty: (_input, random) => {
    const text = pick(
      ["", " ", "\n", "---", "...", "~", "null", "[]", "{}", "-", "#", "\u0000", "version: 1"],
      random,
    );
    return { bytes: utf8(text), note: `replaced by ${JSON.stringify(text)}` };
  },
};

const NAMES = Object.keys(MUTATIONS);
/** The bulky mutations are rarer, to keep 2,000 cases fast. */
const WEIGHTS: Record<string, number> = { hugeScalar: 0.5, manyEntries: 0.2, aliasBomb: 0.3, empty: 0.3 };

function pickMutation(random: () => number): string {
  const total = NAMES.reduce((sum, name) => sum + (WEIGHTS[name] ?? 1), 0);
  let draw = random() * total;
  for (const name of NAMES) {
    draw -= WEIGHTS[name] ?? 1;
    if (draw < 0) return name;
  }
  return NAMES[NAMES.length - 1] as string;
}

/** One to three mutations of `source`, drawn from `random`. */
export function mutateManifest(source: Buffer, random: () => number): MutatedManifest {
  let bytes = source;
  const mutations: string[] = [];
  const count = between(1, 3, random);
  for (let i = 0; i < count; i++) {
    const name = pickMutation(random);
    const mutation = MUTATIONS[name] as Mutation;
    const result = mutation(bytes, random);
    bytes = result.bytes;
    mutations.push(`${name}: ${result.note}`);
  }
  return { bytes, mutations };
}
