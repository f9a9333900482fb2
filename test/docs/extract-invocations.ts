/**
 * Finds the fedmigrate command lines in shell text (CI scripts, crontab lines, README examples),
 * so that a test can check each against the CLI's own command definitions.
 */

/** One fedmigrate invocation found in a recipe: its arguments, and the text it came from. */
export interface Invocation {
  args: string[];
  source: string;
}

/** Docker run options that take a value as the next word (the rest are flags). */
const DOCKER_OPTIONS_WITH_VALUE = new Set([
  "-v",
  "--volume",
  "-e",
  "--env",
  "--env-file",
  "-w",
  "--workdir",
  "-u",
  "--user",
  "--name",
  "--network",
  "--mount",
  "--entrypoint",
  "-p",
  "--publish",
  "--cpus",
  "-m",
  "--memory",
  "--label",
  "-l",
]);

type Token = { word: string } | { op: string };

/**
 * Shell words and operators, enough for recipes: quotes ('…', "…"), backslash escapes and
 * line continuations, comments, and the operators && || ; | & and redirections. Expansions
 * (`$VAR`, `$(…)`) stay in the word as written.
 */
function shellTokens(text: string): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  const flush = () => {
    if (inWord) tokens.push({ word });
    word = "";
    inWord = false;
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === "\\") {
      const next = text[i + 1];
      i += 1;
      if (next === "\n") continue;
      word += next ?? "";
      inWord = true;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let depth = 0;
      for (; j < text.length; j += 1) {
        const d = text[j];
        if (d === "\\") {
          word += text[j + 1] ?? "";
          j += 1;
        } else if (d === "$" && text[j + 1] === "(") {
          depth += 1;
          word += "$(";
          j += 1;
        } else if (d === ")" && depth > 0) {
          depth -= 1;
          word += ")";
        } else if (d === '"' && depth === 0) {
          break;
        } else {
          word += d;
        }
      }
      if (j >= text.length) throw new Error(`unclosed " in: ${text}`);
      inWord = true;
      i = j;
    } else if (c === "#" && !inWord) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end - 1;
    } else if (c === "\n" || c === ";") {
      flush();
      tokens.push({ op: ";" });
    } else if (/\s/.test(c)) {
      flush();
    } else if (c === "&" || c === "|") {
      flush();
      const double = text[i + 1] === c;
      tokens.push({ op: double ? c + c : c });
      if (double) i += 1;
    } else if (c === ">" || c === "<") {
      // A redirection: its operator (with any fd digits before it) and its target word go.
      if (/^\d+$/.test(word)) {
        word = "";
        inWord = false;
      }
      flush();
      let j = i + 1;
      while (text[j] === ">" || text[j] === "&") j += 1;
      tokens.push({ op: "redirect" });
      i = j - 1;
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  // Drop each redirection's target word.
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i] as Token;
    if ("op" in t && t.op === "redirect") {
      const target = tokens[i + 1];
      if (target && "word" in target) i += 1;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Simple commands: the words between operators. */
export function simpleCommands(text: string): string[][] {
  const commands: string[][] = [[]];
  for (const token of shellTokens(text)) {
    if ("op" in token) commands.push([]);
    else commands.at(-1)?.push(token.word);
  }
  return commands.filter((c) => c.length > 0);
}

/**
 * The fedmigrate arguments of one simple command: `fedmigrate …`, `npx fedmigrate …`, or
 * `docker run [options] IMAGE …` with an image whose name says fedmigrate (`image` tells which).
 * Null when the command runs something else.
 */
function fedmigrateArgs(words: readonly string[], image: RegExp): string[] | null {
  let rest = [...words];
  while (rest.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0] as string)) rest = rest.slice(1);
  if (rest[0] === "npx") rest = rest.slice(1);
  if (rest[0] === "fedmigrate") return rest.slice(1);
  const docker = rest.findIndex((w, i) => w === "docker" && rest[i + 1] === "run");
  if (docker < 0) return null;
  let i = docker + 2;
  while (i < rest.length && (rest[i] as string).startsWith("-")) {
    const option = rest[i] as string;
    i += DOCKER_OPTIONS_WITH_VALUE.has(option) ? 2 : 1;
  }
  const name = rest[i];
  if (name === undefined || !image.test(name)) return null;
  return rest.slice(i + 1);
}

/** Every fedmigrate invocation in a shell script. */
export function invocationsInShell(script: string, image: RegExp): Invocation[] {
  const found: Invocation[] = [];
  for (const words of simpleCommands(script)) {
    const args = fedmigrateArgs(words, image);
    if (args) found.push({ args, source: words.join(" ") });
  }
  return found;
}

/** The docker run options of a simple command, as [option, value] pairs (`--rm` gets ""). */
export function dockerRunOptions(words: readonly string[]): [string, string][] {
  const docker = words.findIndex((w, i) => w === "docker" && words[i + 1] === "run");
  if (docker < 0) return [];
  const options: [string, string][] = [];
  let i = docker + 2;
  while (i < words.length && (words[i] as string).startsWith("-")) {
    const option = words[i] as string;
    if (DOCKER_OPTIONS_WITH_VALUE.has(option)) {
      options.push([option, words[i + 1] ?? ""]);
      i += 2;
    } else {
      const [name, ...value] = option.split("=");
      options.push([name as string, value.join("=")]);
      i += 1;
    }
  }
  return options;
}
