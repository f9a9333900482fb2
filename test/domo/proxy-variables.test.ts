import { describe, expect, it } from "vitest";
import { type ProxyVariables, proxyVariables } from "../../src/domo/proxy-variables.js";

describe("proxyVariables", () => {
  it.each<[string, NodeJS.ProcessEnv, ProxyVariables]>([
    ["none", {}, { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined }],
    [
      "blank ones, as unset",
      { HTTPS_PROXY: " ", http_proxy: "", NO_PROXY: "\t" },
      { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined },
    ],
    [
      "upper case, trimmed",
      { HTTPS_PROXY: " http://p:1 ", HTTP_PROXY: "http://q:2", NO_PROXY: ".corp" },
      { httpProxy: "http://q:2", httpsProxy: "http://p:1", noProxy: ".corp" },
    ],
    [
      "lower case winning over upper case",
      { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2", no_proxy: "a", NO_PROXY: "b" },
      { httpProxy: undefined, httpsProxy: "http://lower:1", noProxy: "a" },
    ],
    [
      "a blank lower case one giving way to upper case",
      { https_proxy: "", HTTPS_PROXY: "http://upper:2" },
      { httpProxy: undefined, httpsProxy: "http://upper:2", noProxy: undefined },
    ],
  ])("reads %s", (_label, env, expected) => {
    expect(proxyVariables(env)).toEqual(expected);
  });
});
