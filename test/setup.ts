import nock from "nock";

// Tests touch nothing beyond loopback (all of 127.0.0.0/8, which Linux routes to lo: the proxy
// tests put a target on 127.0.0.2): the simulator runs on 127.0.0.1, everything else is nock.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/);
