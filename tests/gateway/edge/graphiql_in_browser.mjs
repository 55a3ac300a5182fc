// Opens a URL in headless Chromium and reports every network request the page made, whether
// GraphiQL's query editor is in the DOM, and any request that failed.
//
// usage: node graphiql_in_browser.mjs <peers-dir> <url>
// stdout: {"requests": [url, ...], "failed": [url, ...], "statuses": {"METHOD url": status},
//          "editor": true, "title": "..."}
// The browser comes from @sparticuz/chromium, driven by puppeteer-core, both pinned in the
// peers' lockfile.

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [peersDir, url] = process.argv.slice(2);
if (!peersDir || !url) {
  throw new TypeError("usage: node graphiql_in_browser.mjs <peers-dir> <url>");
}
const require = createRequire(`${peersDir}/package.json`);
const load = async (name) => (await import(pathToFileURL(require.resolve(name)).href)).default;
const chromium = await load("@sparticuz/chromium");
const puppeteer = await load("puppeteer-core");

const browser = await puppeteer.launch({
  executablePath: await chromium.executablePath(),
  args: chromium.args,
  headless: "shell",
});
try {
  const page = await browser.newPage();
  const requests = [];
  const failed = [];
  const statuses = {};
  page.on("request", (request) => requests.push(request.url()));
  page.on("response", (response) => {
    statuses[`${response.request().method()} ${response.url()}`] = response.status();
  });
  page.on("requestfailed", (request) => failed.push(request.url()));
  await page.goto(url, { waitUntil: "networkidle0", timeout: 30000 });
  // GraphiQL mounts its editors once React has rendered and the schema request has settled.
  const editor = await page
    .waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 15000 })
    .then(() => true, () => false);
  const title = await page.title();
  process.stdout.write(JSON.stringify({ requests, failed, statuses, editor, title }));
} finally {
  await browser.close();
}
