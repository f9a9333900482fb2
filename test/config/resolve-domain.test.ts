import { describe, expect, it } from "vitest";
import { resolveDomain } from "../../src/config/resolve-domain.js";
import { UsageError } from "../../src/errors.js";

const API = "/api/query/migration/federated/v1/to/v2";

describe("resolveDomain", () => {
  it.each([
    ["acme", "https://acme.domo.com", "acme.domo.com"],
    ["ACME", "https://acme.domo.com", "acme.domo.com"],
    ["acme.domo.com", "https://acme.domo.com", "acme.domo.com"],
    ["  acme.domo.com  ", "https://acme.domo.com", "acme.domo.com"],
    ["acme.domo.com/", "https://acme.domo.com", "acme.domo.com"],
    ["https://acme.domo.com", "https://acme.domo.com", "acme.domo.com"],
    ["https://Acme.Domo.com/", "https://acme.domo.com", "acme.domo.com"],
    ["https://acme.domo.com:443", "https://acme.domo.com", "acme.domo.com"],
    ["acme:8443", "https://acme.domo.com:8443", "acme.domo.com:8443"],
    ["domo.example.org", "https://domo.example.org", "domo.example.org"],
    ["http://127.0.0.1:8123", "http://127.0.0.1:8123", "127.0.0.1:8123"],
    ["http://127.0.0.1:8123/", "http://127.0.0.1:8123", "127.0.0.1:8123"],
    ["http://127.1.2.3:9", "http://127.1.2.3:9", "127.1.2.3:9"],
    ["http://localhost:8123", "http://localhost:8123", "localhost:8123"],
    ["http://[::1]:8123", "http://[::1]:8123", "[::1]:8123"],
    ["http://127.0.0.1:80", "http://127.0.0.1", "127.0.0.1"],
    ["127.0.0.1:8123", "https://127.0.0.1:8123", "127.0.0.1:8123"],
    ["localhost", "https://localhost", "localhost"],
  ])("%j → %s", (raw, origin, key) => {
    expect(resolveDomain(raw)).toEqual({
      origin,
      key,
      baseUrl: `${origin}${API}`,
      trusted: expect.any(Boolean),
    });
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["http://acme.domo.com", /refusing http:\/\/acme\.domo\.com: the developer token would travel in clear/],
    ["http://acme", /refusing http:\/\/acme\.domo\.com/],
    ["http://10.0.0.5:8080", /refusing http:\/\/10\.0\.0\.5:8080/],
    ["http://128.0.0.1", /refusing/],
    ["ftp://acme.domo.com", /scheme ftp; only https/],
    ["https://acme.domo.com/datacenter", /must be a host only, without a path or query/],
    ["https://acme.domo.com?x=1", /must be a host only/],
    ["https://acme.domo.com#top", /must be a host only/],
    ["acme.domo.com/api/query", /must be a host only/],
    ["https://user:secret@acme.domo.com", /must not contain credentials/],
    ["https://", /not a valid host name/],
    ["acme domo", /not a valid host name/],
  ])("refuses %j", (raw, message) => {
    expect(() => resolveDomain(raw)).toThrow(UsageError);
    expect(() => resolveDomain(raw)).toThrow(message);
  });

  it.each([
    ["https://user:s3cr3t-value@acme.domo.com", "s3cr3t-value"],
    ["https://acme.domo.com/?token=s3cr3t-value", "s3cr3t-value"],
    ["https://acme.domo.com/s3cr3t-value", "s3cr3t-value"],
  ])("does not repeat what may be a secret: %s", (raw, secret) => {
    let error: unknown;
    try {
      resolveDomain(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const { message, hint } = error as UsageError;
    expect(`${message} ${hint}`).not.toContain(secret);
  });
});
