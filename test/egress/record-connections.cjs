// Preloaded into the server under test (node --require): records every
// outbound connection attempt — TCP, TLS (which starts as TCP), and DNS
// lookups — as JSON lines in $EGRESS_LOG, so a test can list where the
// process tried to go. The connection itself proceeds unchanged.
const fs = require("node:fs");
const net = require("node:net");
const dns = require("node:dns");

const log = process.env.EGRESS_LOG;
const record = (entry) => fs.appendFileSync(log, JSON.stringify({ ...entry, at: Date.now() }) + "\n");

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  // Node's own callers pass [options, callback] as one normalised array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first && typeof first === "object" ? first : { port: first, host: typeof args[1] === "string" ? args[1] : undefined };
  if (options.path) record({ kind: "unix", path: options.path });
  else record({ kind: "tcp", host: options.host ?? "localhost", port: Number(options.port) });
  return originalConnect.apply(this, args);
};

for (const name of ["lookup", "resolve", "resolve4", "resolve6"]) {
  const original = dns[name];
  dns[name] = function patched(hostname, ...rest) {
    record({ kind: "dns", host: hostname });
    return original.call(this, hostname, ...rest);
  };
}
