// Serves a supergraph with Apollo's own gateway (@apollo/gateway in @apollo/server), the
// reference our gateway's answers are compared with.
//
// node apollo-gateway.mjs --supergraph FILE [--port 0] [--host 127.0.0.1] [--forward a,b]
//
// Prints one line `listening http://HOST:PORT/` on stdout once it serves. The headers named in
// --forward (default: authorization, accept-language) go from the client's request to every
// subgraph call. Stops when stdin closes, so it never outlives the process that started it.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

// Loaded through require, like compose.mjs, so every package shares graphql's CJS build.
const require = createRequire(import.meta.url);
const { ApolloGateway, RemoteGraphQLDataSource } = require("@apollo/gateway");
const { ApolloServer } = require("@apollo/server");
const { startStandaloneServer } = require("@apollo/server/standalone");

const { values } = parseArgs({
  options: {
    supergraph: { type: "string" },
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    forward: { type: "string", default: "authorization,accept-language" },
  },
});
if (!values.supergraph) {
  throw new TypeError("--supergraph FILE is required");
}
const forwarded = values.forward
  .split(",")
  .map((name) => name.trim().toLowerCase())
  .filter(Boolean);

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of forwarded) {
      const value = context?.headers?.[name];
      if (value !== undefined) {
        request.http.headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(values.supergraph, "utf8"),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
  logger: { debug() {}, info() {}, warn: console.error, error: console.error },
});

const server = new ApolloServer({
  gateway,
  introspection: true,
  includeStacktraceInErrorResponses: false,
  // The tests and the benchmark post JSON without a browser; CSRF prevention only asks for a
  // content type, which they send, but a GET without one would be refused.
  csrfPrevention: false,
});

const { url } = await startStandaloneServer(server, {
  listen: { port: Number(values.port), host: values.host },
  context: async ({ req }) => ({ headers: req.headers }),
});
process.stdout.write(`listening ${url}\n`);

async function shutDown() {
  await server.stop();
  process.exit(0);
}
process.stdin.on("end", shutDown);
process.stdin.on("close", shutDown);
process.stdin.resume();
process.on("SIGTERM", shutDown);
process.on("SIGINT", shutDown);
