import http from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { installProxyFromEnv, maskCredentials } from "../../src/domo/install-proxy.js";

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
      expect(getGlobalDispatcher()).not.toBe(original);
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.text()).toBe("direct");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("a proxy variable that is not a usable URL (issue 15)", () => {
  it.each([
    ["no scheme", "proxy.corp:3128"],
    ["no scheme, with credentials", "alice:s3cret@proxy.corp:3128"],
    ["a path", "http://alice:s3cret@proxy.corp:3128/some/path"],
    ["a query", "http://proxy.corp:3128/?x=1"],
    ["unparsable", "http://[::1"],
    ["another scheme", "socks5://alice:s3cret@proxy.corp:1080"],
  ])("%s: a usage error naming the variable, never the password, never a stack trace", (_name, value) => {
    let error: unknown;
    try {
      installProxyFromEnv({ HTTPS_PROXY: value }, () => {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: "USAGE", message: expect.stringContaining("HTTPS_PROXY") });
    const shown = `${(error as Error).message} ${(error as { hint?: string }).hint ?? ""}`;
    expect(shown).not.toContain("s3cret");
  });

  it.each([
    ["alice:s3cret@proxy.corp:3128", "***@proxy.corp:3128"],
    ["http://alice:s3cret@proxy.corp:3128", "http://***@proxy.corp:3128/"],
    ["http://alice:p@ss@proxy.corp:3128/x", "http://***@proxy.corp:3128/x"],
    ["user@pw@proxy.corp", "***@proxy.corp"],
    ["proxy.corp:3128", "proxy.corp:3128"],
  ])("masks %s as %s", (value, masked) => {
    expect(maskCredentials(value)).toBe(masked);
  });
});

/** A loopback server acting as the proxy: it records every request (CONNECT included) and fails it. */
async function proxyCatcher() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    res.writeHead(502).end("caught by the proxy");
  });
  server.on("connect", (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("every loopback address is reached directly, never through the proxy (issue 15)", () => {
  // Linux routes all of 127.0.0.0/8 to lo: a target on 127.0.0.2 is loopback fedmigrate accepts
  // over plain http, so the token would cross the proxy in clear.
  it.each(["127.0.0.2", "127.1.2.3", "localhost"])(
    "a target on %s, with a proxy catcher in HTTP(S)_PROXY",
    async (host) => {
      const catcher = await proxyCatcher();
      const target = http.createServer((req, res) =>
        res.end(`direct ${req.headers["x-domo-developer-token"]}`),
      );
      const bind = host === "localhost" ? "127.0.0.1" : host;
      await new Promise<void>((resolve) => target.listen(0, bind, resolve));
      try {
        installProxyFromEnv({ HTTP_PROXY: catcher.url, HTTPS_PROXY: catcher.url, NO_PROXY: "example.com" });
        const { port } = target.address() as AddressInfo;
        const response = await fetch(`http://${host}:${port}/types`, {
          headers: { "X-DOMO-Developer-Token": "tok-never-to-the-proxy" },
        });
        expect(await response.text()).toBe("direct tok-never-to-the-proxy");
        expect(catcher.seen).toEqual([]);
      } finally {
        target.closeAllConnections();
        await new Promise<void>((resolve) => target.close(() => resolve()));
        await catcher.close();
      }
    },
  );

  it("while any other host still goes through the proxy (the catcher sees it)", async () => {
    const catcher = await proxyCatcher();
    // Sent to the catcher on loopback, never to the host itself: nock only has to let it out.
    nock.enableNetConnect("domo.invalid");
    try {
      installProxyFromEnv({ HTTP_PROXY: catcher.url });
      // undici tunnels plain http too: the catcher gets a CONNECT, refuses it, and the fetch fails.
      await expect(fetch("http://domo.invalid/types")).rejects.toThrow();
      expect(catcher.seen).toEqual(["CONNECT domo.invalid:80"]);
    } finally {
      nock.disableNetConnect();
      nock.enableNetConnect(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/);
      await catcher.close();
    }
  });
});
