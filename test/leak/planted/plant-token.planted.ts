import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { it } from "vitest";
import { captureText, captureTree, registerToken, testToken } from "../leak-capture.js";
import { TOKEN_ENCODINGS, tokenEncodings } from "../token-encodings.js";

/**
 * Run only by leak-scan-fails.test.ts, in a vitest run of its own. With FEDMIGRATE_PLANT=leak
 * the token this test registers ends up where a careless CLI would put it: in what it printed
 * and in a journal row, and a second token (with characters that every escape changes) in each
 * encoding the scan knows, one capture each. With FEDMIGRATE_PLANT=clean the same captures hold
 * no token.
 */
it("hands the leak scan a printed line and a journal", () => {
  const token = testToken();
  const leak = process.env.FEDMIGRATE_PLANT === "leak";
  captureText("planted-stderr", `{"level":"error","msg":"refused ${leak ? token : "the token"}"}\n`);
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-planted-"));
  const db = new Database(path.join(dir, "fedmigrate.db"));
  db.exec("CREATE TABLE attempts (error_message TEXT)");
  db.prepare("INSERT INTO attempts VALUES (?)").run(leak ? `401 for ${token}` : "401");
  db.close();
  captureTree("planted-journal", dir);
  rmSync(dir, { recursive: true, force: true });

  const odd = `tok-${randomBytes(8).toString("hex")}"'\\/&<>+`;
  registerToken(odd);
  const forms = tokenEncodings(odd);
  for (const form of TOKEN_ENCODINGS) {
    captureText(`planted-${form}`, `echoed: ${leak ? forms[form] : "[REDACTED]"}\n`);
  }
});
