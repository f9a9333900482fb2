import { readFile, stat } from "node:fs/promises";
import { type Document, isNode, isScalar, isSeq, LineCounter, parseDocument, type Scalar, visit } from "yaml";
import { UsageError } from "../errors.js";
import { checkFixture, type Fixture, formatFixturePath } from "./fixture.js";
import { FixtureError, type FixtureIssue } from "./fixture-error.js";

/** Fixtures are small; anything this big is a mistake, refused before it is read. */
const MAX_FIXTURE_BYTES = 64 * 1024 * 1024;

/**
 * Keys whose values are identifiers: an unquoted `id: 12` or `table: 0123` keeps its source text,
 * as in the manifest, so `0123` is not silently served as "123".
 */
const IDENTIFIER_KEYS = new Set([
  "token",
  "forbiddenToken",
  "id",
  "name",
  "type",
  "catalog",
  "schema",
  "table",
  "migratedAccount",
  "migrationDate",
]);

/** Keys whose values are lists of identifiers: `candidateOf: [12]` is the account "12". */
const IDENTIFIER_LIST_KEYS = new Set(["candidateOf", "types"]);

/** Reads and checks a YAML fixture file; a `FixtureError` lists every issue with its line. */
export async function loadFixture(path: string): Promise<Fixture> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_FIXTURE_BYTES) {
      throw new UsageError(
        `the simulator fixture ${path} is ${info.size} bytes; more than ${MAX_FIXTURE_BYTES} is refused`,
      );
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read the simulator fixture ${path}: ${code}`, {
      cause: error,
      hint: "Pass an existing YAML file with --fixture, e.g. manifests/demo/fixture.yaml.",
    });
  }
  return parseFixtureYaml(text, path);
}

/** Parses and checks fixture YAML text. Pure; `source` names it in errors. */
export function parseFixtureYaml(text: string, source: string): Fixture {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new FixtureError(
      source,
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return {
          path: "",
          message: error.message.split("\n")[0] ?? error.message,
          line: pos.line,
          column: pos.col,
        };
      }),
    );
  }
  keepIdentifierSource(doc);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new FixtureError(source, [{ path: "", message: (error as Error).message }], { cause: error });
  }
  const check = checkFixture(value ?? {});
  if (check.ok) return check.fixture;
  throw new FixtureError(
    source,
    check.issues.map((issue): FixtureIssue => {
      const offset = offsetOf(doc, issue.path);
      const found: FixtureIssue = { path: formatFixturePath(issue.path), message: issue.message };
      if (offset === undefined) return found;
      const where = lineCounter.linePos(offset);
      return { ...found, line: where.line, column: where.col };
    }),
  );
}

function keepIdentifierSource(doc: Document): void {
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key)) return;
      const key = String(pair.key.value);
      const value = pair.value;
      if (IDENTIFIER_KEYS.has(key) && isScalar(value)) keepSource(value);
      if (IDENTIFIER_LIST_KEYS.has(key) && isSeq(value)) {
        for (const item of value.items) if (isScalar(item)) keepSource(item);
      }
    },
  });
}

/** Null stays null (only `schema` accepts it, as "no schema"); numbers and booleans keep their text. */
function keepSource(scalar: Scalar): void {
  if (typeof scalar.value === "string" || scalar.value === null || scalar.source === undefined) return;
  scalar.value = scalar.source;
}

/** Where the field at `path` (or its nearest existing parent) starts in the text. */
function offsetOf(doc: Document, path: readonly (string | number)[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    // A missing key is reported at the mapping that lacks it.
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
