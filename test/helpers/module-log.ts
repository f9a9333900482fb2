import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * What a Node process loads, as its module loader resolves it: `node --import <hook>` appends
 * every module URL it resolves to the file named in `MODULE_LOG` (the hook runs in the loader
 * thread). For checks that a command loads a package only when it needs it, without timing.
 */
export interface ModuleLog {
  /** The `--import` argument that installs the hook. */
  hook: string;
  /** A fresh, empty log file for one run, and the `MODULE_LOG` env that points at it. */
  newLog(label: string): { file: string; env: { MODULE_LOG: string } };
  /** The npm packages whose modules appear in a log (`pino`, `@scope/name`). */
  packagesIn(file: string): Set<string>;
  /** Removes the hook's folder and every log. */
  remove(): void;
}

export function createModuleLog(): ModuleLog {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-module-log-"));
  const loader = path.join(dir, "loader.mjs");
  writeFileSync(
    loader,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.MODULE_LOG, result.url + "\\n");
  return result;
}
`,
  );
  const hook = path.join(dir, "hook.mjs");
  writeFileSync(
    hook,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(loader).href)});\n`,
  );
  return {
    hook,
    newLog(label) {
      const file = path.join(dir, `${label.replace(/\W+/g, "-")}.log`);
      writeFileSync(file, "");
      return { file, env: { MODULE_LOG: file } };
    },
    packagesIn(file) {
      return new Set(
        readFileSync(file, "utf8")
          .split("\n")
          .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
          .filter((name): name is string => name !== undefined),
      );
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
