import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Dispatcher, EnvHttpProxyAgent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { installProxyFromEnv } from "../../src/domo/install-proxy.js";

const original = getGlobalDispatcher();
afterEach(() => {
  setGlobalDispatcher(original);
});

function recorder() {
  const installed: Dispatcher[] = [];
  return { installed, install: (dispatcher: Dispatcher) => installed.push(dispatcher) };
}

describe("installProxyFromEnv", () => {
  it.each<[string, NodeJS.ProcessEnv]>([
    ["no variables", {}],
    ["empty variables", { HTTPS_PROXY: "", HTTP_PROXY: "  " }],
    ["only NO_PROXY", { NO_PROXY: "internal.example.com" }],
  ])("installs nothing with %s", (_label, env) => {
    const { installed, install } = recorder();
    expect(installProxyFromEnv(env, install)).toBeUndefined();
    expect(installed).toEqual([]);
  });

  it.each<[NodeJS.ProcessEnv, { httpProxy: string | undefined; httpsProxy: string | undefined }]>([
    [
      { HTTPS_PROXY: "http://proxy.corp:3128" },
      { httpProxy: undefined, httpsProxy: "http://proxy.corp:3128/" },
    ],
    [
      { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" },
      { httpProxy: undefined, httpsProxy: "http://lower:1/" },
    ],
    [
      { HTTP_PROXY: "http://proxy.corp:8080" },
      { httpProxy: "http://proxy.corp:8080/", httpsProxy: "http://proxy.corp:8080/" },
    ],
    [
      { http_proxy: "http://p:1", HTTPS_PROXY: "http://q:2" },
      { httpProxy: "http://p:1/", httpsProxy: "http://q:2/" },
    ],
  ])("installs an EnvHttpProxyAgent for %o", (env, expected) => {
    const { installed, install } = recorder();
    const setup = installProxyFromEnv(env, install);
    expect(installed).toHaveLength(1);
    expect(installed[0]).toBeInstanceOf(EnvHttpProxyAgent);
    expect(setup).toMatchObject(expected);
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [{ HTTPS_PROXY: "http://p:1" }, "localhost,127.0.0.1,[::1]"],
    [
      { HTTPS_PROXY: "http://p:1", NO_PROXY: ".corp.example.com" },
      ".corp.example.com,localhost,127.0.0.1,[::1]",
    ],
    [{ HTTPS_PROXY: "http://p:1", no_proxy: "a", NO_PROXY: "b" }, "a,localhost,127.0.0.1,[::1]"],
    [{ HTTPS_PROXY: "http://p:1", NO_PROXY: "*" }, "*"],
  ])("honours NO_PROXY and never proxies loopback: %o", (env, noProxy) => {
    expect(installProxyFromEnv(env, () => undefined)?.noProxy).toBe(noProxy);
  });

  it("masks proxy credentials in what it reports", () => {
    const setup = installProxyFromEnv(
      { HTTPS_PROXY: "http://alice:s3cret@proxy.corp:3128" },
      () => undefined,
    );
    expect(setup?.httpsProxy).toBe("http://***@proxy.corp:3128/");
    expect(JSON.stringify(setup)).not.toContain("s3cret");
  });

  it("sets the global dispatcher by default, and loopback still goes direct", async () => {
    // The proxy address is a closed port: were loopback proxied, the request would fail.
    const server = http.createServer((_req, res) => res.end("direct"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      installProxyFromEnv({ HTTP_PROXY: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9" });
      expect(getGlobalDispatcher()).toBeInstanceOf(EnvHttpProxyAgent);
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.text()).toBe("direct");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("a proxy variable that is not a URL", () => {
  it("is a usage error naming the variable, not an internal error", () => {
    expect(() => installProxyFromEnv({ HTTPS_PROXY: "proxy.corp:3128" }, () => {})).toThrow(
      expect.objectContaining({ code: "USAGE", message: expect.stringContaining("HTTPS_PROXY") }),
    );
  });
});
