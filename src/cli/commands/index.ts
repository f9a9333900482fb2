import type { RegisteredCommand } from "../define-command.js";
import { auditCommand } from "./audit.js";
import { discoverCommand } from "./discover.js";
import { doctorCommand } from "./doctor.js";
import { historyCommand } from "./history.js";
import { migrateCommand } from "./migrate.js";
import { planCommand } from "./plan.js";
import { reportCommand } from "./report.js";
import { rollbackCommand } from "./rollback.js";
import { simulateCommand } from "./simulate.js";
import { statusCommand } from "./status.js";
import { validateCommand } from "./validate.js";

/**
 * Every command, in help order. Each module keeps its builder light and imports its
 * implementation lazily in the handler, so `--help` and `--version` load little.
 */
export const commandModules: readonly RegisteredCommand[] = [
  validateCommand,
  planCommand,
  migrateCommand,
  rollbackCommand,
  statusCommand,
  auditCommand,
  historyCommand,
  discoverCommand,
  doctorCommand,
  reportCommand,
  simulateCommand,
];
