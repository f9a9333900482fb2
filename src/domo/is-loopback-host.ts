/**
 * Whether a URL's hostname (as `URL` normalises it: `127.1` → `127.0.0.1`, IPv6 in brackets) is
 * this machine's loopback: `localhost`, any address of 127.0.0.0/8, or `[::1]`. The one rule for
 * both questions that depend on it: where plain http is allowed (the simulator) and what is
 * reached directly, never through a proxy.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return (
    host === "localhost" ||
    host === "[::1]" ||
    host === "::1" ||
    /^127\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(host)
  );
}
