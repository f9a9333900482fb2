import type { DomainInfo } from "../config/resolve-domain.js";
import { DomoApiError } from "../domo/domo-api-error.js";
import { FedmigrateError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { DoctorFailure } from "./doctor-report.js";

/** A configuration error as a failed check (exit 2). */
export function configFailure(error: unknown): DoctorFailure {
  if (error instanceof FedmigrateError) {
    return { message: error.message, hint: error.hint ?? null, exitCode: ExitCode.INVALID };
  }
  throw error;
}

/** What a failed call means for the operator, in plain words, with what to do. */
export function explainApiError(error: unknown, domain: DomainInfo): DoctorFailure {
  if (!(error instanceof DomoApiError)) {
    if (error instanceof FedmigrateError) {
      const exitCode = error.code === "USAGE" ? ExitCode.INVALID : ExitCode.ITEMS_FAILED;
      return { message: error.message, hint: error.hint ?? null, exitCode };
    }
    throw error;
  }
  const said = `(${error.message})`;
  const { status } = error;
  if (status === 401) {
    return {
      message: `Domo refused the developer token: it is wrong, expired or revoked ${said}`,
      hint: "create a new token (Domo admin panel: Authentication > Access tokens) and pass it through DOMO_DEVELOPER_TOKEN or --token-file",
      exitCode: ExitCode.AUTH,
    };
  }
  if (status === 403) {
    return {
      message: `Domo knows the token, but its user lacks the permission for the migration API ${said}`,
      hint: "ask a Domo admin to give the token's user the grant to manage Federated datasources and accounts, or use a token of a user who has it",
      exitCode: ExitCode.AUTH,
    };
  }
  if (status !== undefined && status >= 300 && status < 400) {
    const blocked = /whitelist|allow-?list/i.test(error.message);
    return {
      message: blocked
        ? `Domo's IP allow-list blocks this machine: the API answered ${status} with a redirect to its "blocked" page ${said}`
        : `the API answered ${status}, a redirect: something other than the API answers at ${domain.key} ${said}`,
      hint: error.hint ?? null,
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  if (status !== undefined && status >= 500) {
    const page = error.bodyFirstLine?.trimStart().startsWith("<") ?? false;
    const maintenance = /maintenance/i.test(error.message);
    return {
      message: maintenance
        ? `Domo is down for maintenance: it answered ${status} with its maintenance page, also after retries ${said}`
        : `Domo answered ${status}, a server error, also after retries${page ? " (an HTML page, not the API)" : ""} ${said}`,
      hint: maintenance
        ? "try again when the maintenance is over; nothing is wrong on this side"
        : `try again later; if it persists, contact Domo support${error.toe ? ` with the toe ${error.toe}` : ""}`,
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  if (status === 404) {
    return {
      message: `Domo does not know the migration API at ${domain.key}: the domain may be wrong, or Federated V2 migration is not enabled there ${said}`,
      hint:
        error.hint ?? "check the domain, and ask your Domo representative whether Federated V2 is enabled",
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  if (status === undefined) {
    return {
      message: `cannot reach ${domain.origin}: ${networkWords(error.networkError)} ${said}`,
      hint:
        error.hint ??
        "check the domain, DNS, HTTPS_PROXY / NO_PROXY and (behind a TLS-inspecting proxy) NODE_EXTRA_CA_CERTS",
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  return {
    message: `the API answered, but not as documented ${said}`,
    hint: error.hint ?? "check the domain; if it is right, report this with the message above",
    exitCode: ExitCode.ITEMS_FAILED,
  };
}

function networkWords(kind: DomoApiError["networkError"]): string {
  switch (kind) {
    case "dns":
      return "the host name does not resolve (DNS)";
    case "refused":
      return "the connection is refused: nothing listens there (wrong domain or port?)";
    case "tls":
      return "the TLS handshake failed (certificate or a TLS-inspecting proxy)";
    case "proxy":
      return "the proxy refused the connection";
    case "timeout":
    case "connect-timeout":
      return "no answer in time (a firewall, a proxy, or the network)";
    default:
      return "the connection failed";
  }
}
