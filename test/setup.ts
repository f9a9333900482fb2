import nock from "nock";

// Tests touch nothing beyond loopback: the simulator runs on 127.0.0.1, everything else is nock.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
