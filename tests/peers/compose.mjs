// Composes federation subgraph SDLs into a supergraph with Apollo's own composition, so tests
// check our subgraphs against the same rules the gateway applies.
//
// stdin:  {"subgraphs": [{"name": "...", "url": "http://...", "sdl": "..."}]}
// stdout: {"supergraphSdl": "...", "errors": null}
//      or {"supergraphSdl": null, "errors": [{"message": "...", "code": "..."}]}
// Exits 0 whether or not composition succeeds; non-zero means the script itself failed.

import { createRequire } from "node:module";

// Loaded through require so composition and this script share graphql's CJS build: a second
// (ESM) copy of graphql would fail its cross-realm instanceof checks.
const require = createRequire(import.meta.url);
const { composeServices } = require("@apollo/composition");
const { parse, GraphQLError } = require("graphql");

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function describe(error, subgraphName) {
  const code = error?.extensions?.code ?? null;
  const message = String(error?.message ?? error);
  return {
    message: subgraphName ? `[${subgraphName}] ${message}` : message,
    code: code === null ? null : String(code),
  };
}

function compose(subgraphs) {
  const services = [];
  const errors = [];
  // A syntax error in one subgraph is a composition failure the caller should see alongside
  // any others, not a crash of this script.
  for (const { name, url, sdl } of subgraphs) {
    try {
      services.push({ name, url, typeDefs: parse(sdl) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      errors.push({ ...describe(error, name), code: "INVALID_GRAPHQL" });
    }
  }
  if (errors.length > 0) {
    return { supergraphSdl: null, errors };
  }
  const result = composeServices(services);
  if (result.errors) {
    return { supergraphSdl: null, errors: result.errors.map((error) => describe(error)) };
  }
  return { supergraphSdl: result.supergraphSdl, errors: null };
}

const input = JSON.parse(await readStdin());
if (!Array.isArray(input?.subgraphs)) {
  throw new TypeError('stdin must be JSON of the form {"subgraphs": [...]}');
}
process.stdout.write(JSON.stringify(compose(input.subgraphs)));
