/** One Dockerfile instruction, continuation lines joined. */
export interface DockerInstruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  keyword: string;
  /** Everything after the keyword, on one line. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** A build stage: its `FROM` and the instructions up to the next `FROM`. */
export interface DockerStage {
  image: string;
  name: string | null;
  instructions: DockerInstruction[];
}

/**
 * The stages of a Dockerfile. Enough of the format for ours (comments, `\` continuations,
 * `FROM image AS name`); no parser directives or heredocs, which the test would then reject.
 */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = text.split(/\r?\n/);
  let pending = "";
  let startLine = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] ?? "";
    if (pending === "" && /^\s*(#|$)/.test(raw)) continue;
    // Comment lines inside a continued instruction are dropped by Docker too.
    if (pending !== "" && /^\s*#/.test(raw)) continue;
    if (pending === "") startLine = i + 1;
    const continued = /\\\s*$/.test(raw);
    pending += `${continued ? raw.replace(/\\\s*$/, "") : raw} `;
    if (continued) continue;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(pending.trim());
    pending = "";
    if (!match) throw new Error(`Dockerfile line ${startLine}: not an instruction`);
    const keyword = (match[1] ?? "").toUpperCase();
    const args = (match[2] ?? "").replace(/\s+/g, " ").trim();
    if (args.includes("<<")) throw new Error(`Dockerfile line ${startLine}: heredocs are not supported here`);
    if (keyword === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${startLine}: cannot read FROM ${args}`);
      stages.push({ image: from[1] ?? "", name: from[2] ?? null, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${startLine}: ${keyword} before any FROM`);
    stage.instructions.push({ keyword, args, line: startLine });
  }
  if (pending !== "") throw new Error("Dockerfile ends inside a continued line");
  return stages;
}

/** A `COPY` instruction's parts: `--from=stage`, sources and destination. */
export interface DockerCopy {
  from: string | null;
  sources: string[];
  destination: string;
}

export function parseCopy(args: string): DockerCopy {
  const words = args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(" ");
  let from: string | null = null;
  const rest: string[] = [];
  for (const word of words) {
    const flag = /^--from=(.+)$/.exec(word);
    if (flag) from = flag[1] ?? null;
    else if (word.startsWith("--")) throw new Error(`COPY flag ${word} is not supported by this test`);
    else rest.push(word);
  }
  const destination = rest.pop();
  if (destination === undefined || rest.length === 0)
    throw new Error(`COPY ${args}: needs a source and a destination`);
  return { from, sources: rest, destination };
}

/** The exec-form (JSON array) arguments of ENTRYPOINT or CMD; shell form is returned as one word. */
export function execForm(args: string): string[] {
  return args.startsWith("[") ? (JSON.parse(args) as string[]) : [args];
}
