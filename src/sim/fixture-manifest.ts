import type { Fixture } from "./fixture.js";

/**
 * The manifest (SPEC section 3) that migrates every datasource of a fixture with its right
 * catalog/schema/table, spread over the accounts of its type it is a candidate of, in turn: the
 * other half of a generated benchmark or chaos scenario. Datasources without a candidate account
 * are left out.
 */
export function fixtureManifest(fixture: Fixture, options: { domain?: string } = {}): string {
  const accountsByType = new Map<string, string[]>();
  for (const account of fixture.accounts) {
    const list = accountsByType.get(account.type) ?? [];
    list.push(account.id);
    accountsByType.set(account.type, list);
  }
  const turn = new Map<string, number>();
  const lines = ["version: 1"];
  if (options.domain !== undefined) lines.push(`domain: ${quote(options.domain)}`);
  lines.push("migrations:");
  for (const ds of fixture.datasources) {
    const candidateOf = ds.candidateOf;
    const accounts = (accountsByType.get(ds.type) ?? []).filter(
      (id) => candidateOf === undefined || candidateOf.includes(id),
    );
    if (accounts.length === 0) continue;
    const n = turn.get(ds.type) ?? 0;
    turn.set(ds.type, n + 1);
    lines.push(
      `  - datasource: ${quote(ds.id)}`,
      `    name: ${quote(ds.name)}`,
      `    account: ${quote(accounts[n % accounts.length] as string)}`,
      `    catalog: ${quote(ds.catalog)}`,
      // A YAML null is the manifest's "no schema"; a quoted "NULL" would mean the same, less plainly.
      `    schema: ${ds.schema === "NULL" ? "NULL" : quote(ds.schema)}`,
      `    table: ${quote(ds.table)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** JSON strings are YAML double-quoted scalars: any text survives as written. */
function quote(text: string): string {
  return JSON.stringify(text);
}
