/**
 * A PostgreSQL server that only asks for a password and writes down what it was given: the test
 * cluster trusts every local connection, so it cannot show which password a command sent. It
 * speaks the protocol's first steps (startup message, AuthenticationCleartextPassword, the
 * client's PasswordMessage), then refuses the login as a real server does (SQLSTATE 28P01).
 */
import { createServer, type Server } from "node:net";

/** What one connection told the probe. */
export interface ProbeLogin {
  user: string;
  database: string;
  password: string | undefined;
}

export interface PasswordProbe {
  port: number;
  logins: ProbeLogin[];
  close(): Promise<void>;
}

/** Start a probe on a free port of 127.0.0.1. */
export async function startPasswordProbe(): Promise<PasswordProbe> {
  const logins: ProbeLogin[] = [];
  const server: Server = createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let login: ProbeLogin | undefined;
    socket.on("error", () => undefined);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!login) {
        if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (code === 80877103) {
          // SSLRequest: "N", no TLS here; the client then sends its startup message in clear.
          buffer = buffer.subarray(length);
          socket.write("N");
          return;
        }
        const pairs = buffer
          .subarray(8, length - 1)
          .toString("utf8")
          .split("\0");
        const params: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) params[pairs[i]!] = pairs[i + 1]!;
        login = { user: params.user ?? "", database: params.database ?? "", password: undefined };
        logins.push(login);
        buffer = buffer.subarray(length);
        const ask = Buffer.alloc(9);
        ask.write("R", 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        socket.write(ask);
        return;
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      if (buffer.toString("latin1", 0, 1) === "p") {
        const length = buffer.readInt32BE(1);
        login.password = buffer.subarray(5, 1 + length - 1).toString("utf8");
      }
      const fields = Buffer.from(
        `SFATAL\0C28P01\0Mpassword authentication failed for user "${login.user}"\0\0`,
        "utf8",
      );
      const error = Buffer.alloc(5);
      error.write("E", 0);
      error.writeInt32BE(4 + fields.length, 1);
      socket.end(Buffer.concat([error, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the probe has no port");
  return {
    port: address.port,
    logins,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
