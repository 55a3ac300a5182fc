// Loads supergraph SDLs into Apollo's own gateway and prints the API schema it serves, so tests
// can compare a supergraph built elsewhere with the one Apollo's composition builds. Many cases
// go through one process, because starting Node is the slow part.
//
// stdin:  {"cases": [{"id": "...", "subgraphs": [{"name", "url", "sdl"}] | null,
//                     "supergraphSdl": "..." | null}]}
// stdout: {"results": [{"id": "...",
//                       "apollo": {"errors": [{"code", "message"}] | null, "supergraphSdl",
//                                  "apiSchema", "loadError"} | null,
//                       "given": {"apiSchema": "..." | null, "loadError": "..." | null} | null}]}
// "apollo" is Apollo's composition of the subgraphs (when given), "given" is the supplied
// supergraph SDL as loaded by @apollo/gateway (when given). Exits 0 unless the script breaks.

import { createRequire } from "node:module";

// Loaded through require so every package shares graphql's CJS build (see compose.mjs).
const require = createRequire(import.meta.url);
const { composeServices } = require("@apollo/composition");
const { ApolloGateway } = require("@apollo/gateway");
const { parse, printSchema, GraphQLError } = require("graphql");

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errorOf(error) {
  return {
    code: error?.extensions?.code == null ? null : String(error.extensions.code),
    message: String(error?.message ?? error),
  };
}

async function loadApiSchema(supergraphSdl) {
  const gateway = new ApolloGateway({ supergraphSdl, logger: quietLogger });
  try {
    const { schema } = await gateway.load();
    return { apiSchema: printSchema(schema), loadError: null };
  } catch (error) {
    return { apiSchema: null, loadError: String(error?.message ?? error) };
  } finally {
    await gateway.stop().catch(() => {});
  }
}

async function composeWithApollo(subgraphs) {
  const services = [];
  const errors = [];
  for (const { name, url, sdl } of subgraphs) {
    try {
      services.push({ name, url, typeDefs: parse(sdl) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      errors.push({ code: "INVALID_GRAPHQL", message: `[${name}] ${error.message}` });
    }
  }
  if (errors.length > 0) {
    return { errors, supergraphSdl: null, apiSchema: null, loadError: null };
  }
  const result = composeServices(services);
  if (result.errors) {
    return {
      errors: result.errors.map(errorOf),
      supergraphSdl: null,
      apiSchema: null,
      loadError: null,
    };
  }
  return { errors: null, supergraphSdl: result.supergraphSdl, ...(await loadApiSchema(result.supergraphSdl)) };
}

const input = JSON.parse(await readStdin());
if (!Array.isArray(input?.cases)) {
  throw new TypeError('stdin must be JSON of the form {"cases": [...]}');
}
const results = [];
for (const { id, subgraphs, supergraphSdl } of input.cases) {
  results.push({
    id,
    apollo: Array.isArray(subgraphs) ? await composeWithApollo(subgraphs) : null,
    given: typeof supergraphSdl === "string" ? await loadApiSchema(supergraphSdl) : null,
  });
}
process.stdout.write(JSON.stringify({ results }));
