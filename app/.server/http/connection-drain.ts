// Closing the HTTP server without resetting keep-alive clients. Node's
// server.close() destroys every connection that is idle at that instant, but a
// connection idle on our side may already carry the client's next request on
// the wire, which is then reset — a failed request, under load, at every
// deploy. Instead: stop listening, answer every further request with
// "Connection: close" (the client's next connection is refused, and it can go
// to another replica), and close a connection only once it has carried no
// request for a while.
import type { Server } from "node:http";
import net, { type Socket } from "node:net";

/** A connection idle this long is closed: a client about to reuse it would have by now. */
const IDLE_GRACE_MS = 1_000;
const SWEEP_INTERVAL_MS = 100;

export function trackConnections(server: Server) {
  let draining = false;
  const connections = new Map<Socket, { active: number; idleSince: number }>();

  server.on("connection", (socket: Socket) => {
    connections.set(socket, { active: 0, idleSince: Date.now() });
    socket.once("close", () => connections.delete(socket));
  });
  // Before the app's own listener, so the header is set before anything is sent.
  server.prependListener("request", (req, res) => {
    const state = connections.get(req.socket);
    if (draining) res.setHeader("Connection", "close");
    if (!state) return;
    state.active++;
    res.once("close", () => {
      state.active--;
      state.idleSince = Date.now();
    });
  });

  return {
    /** Stops accepting; resolves once in-flight requests are answered and every connection is closed. */
    drain(): Promise<void> {
      draining = true;
      const sweep = setInterval(() => {
        const now = Date.now();
        for (const [socket, state] of connections) {
          if (state.active === 0 && now - state.idleSince >= IDLE_GRACE_MS) socket.destroy();
        }
      }, SWEEP_INTERVAL_MS);
      // net's close, not http's: http's also destroys the "idle" connections at once.
      return new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve())).finally(() => clearInterval(sweep));
    },
  };
}
