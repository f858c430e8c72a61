// Code mode's benchmark (a printout, not a test): in Debian's Chromium,
// against the release build served on 127.0.0.1,
//
//   cold start   a fresh browser (no cache) opening a code link, to the
//                program's first output line on the page: the code-mode
//                module, the editor, Pyodide's 12 MB and CPython's start;
//   warm re-run  Run pressed on a 100-line program once CPython is up, to
//                its result drawn (the tracer, the worker's message, the
//                page reading the record); an edit adds the 700 ms pause
//                the page waits for typing to stop;
//   downloads    what graph mode and code mode each fetch, as the browser
//                fetches it (scripts/size-report prints the gzipped sizes).
//
//   node tests/e2e/bench-code-mode.mjs [DIST] [ROUNDS]
// (scripts/bench-code-mode builds the site and runs it.)

import { serve, launch, codeFragment } from "./site.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const rounds = Number(process.argv[3] ?? 5);
const { site, server } = await serve(dist);
const browser = await launch();

/** A 100-line tutorial-style program: workers, a gather, a queue, prints. */
function hundredLines() {
  const lines = ["# A tutorial-style program for code mode's benchmark.", "", "import asyncio", "import time", ""];
  for (let i = 0; lines.length < 86; i++) {
    lines.push(`async def worker_${i}(queue, n):`, `    await asyncio.sleep(n / 10)`, `    await queue.put(('worker_${i}', n))`, `    print(f'worker_${i} done after {n / 10:.1f}s')`, `    return n * ${i + 1}`, "");
  }
  lines.length = 86;
  lines.push(
    "async def main():",
    "    queue = asyncio.Queue()",
    "    started = time.monotonic()",
    `    workers = [${Array.from({ length: 13 }, (_, i) => `worker_${i}(queue, ${(i * 7) % 5 + 1})`).join(", ")}]`,
    "    results = await asyncio.gather(*workers)",
    "    while not queue.empty():",
    "        name, n = queue.get_nowait()",
    "        print(name, n)",
    "    print('results', results)",
    "    print('sum', sum(results))",
    "    print(f'took {time.monotonic() - started:.1f}s')",
    "",
    "",
    "asyncio.run(main())",
    "",
  );
  return lines.join("\n");
}

const link = (source) => "#" + codeFragment(source);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ms) => `${Math.round(ms)} ms`;

/** Bytes fetched by a page until `ready`: [[url, bytes]]. */
function countFetches(page) {
  const fetched = [];
  page.on("response", async (response) => {
    try {
      fetched.push([new URL(response.url()).pathname, (await response.body()).length]);
    } catch {
      // A body the page never read (a cancelled preload).
    }
  });
  return fetched;
}

const source = hundredLines();
console.log(`program: ${source.split("\n").length - 1} lines`);

const colds = [];
const reruns = [];
let codeFetched = [];
for (let round = 0; round < rounds; round++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const fetched = countFetches(page);
  const began = Date.now();
  await page.goto(site + link(source));
  await page.locator(".code-output li").first().waitFor({ timeout: 120000 });
  colds.push(Date.now() - began);
  if (round === 0) codeFetched = fetched;
  // Once the next interpreter is up (the worker starts it after each run).
  await page.waitForTimeout(4000);
  for (let i = 0; i < 3; i++) {
    reruns.push(await page.evaluate(() => new Promise((resolve) => {
      const status = () => document.querySelector(".code-status")?.textContent ?? "";
      let running = false;
      const began = performance.now();
      const watch = new MutationObserver(() => {
        if (status().startsWith("Running")) running = true;
        else if (running && status().startsWith("Runs on")) {
          watch.disconnect();
          resolve(performance.now() - began);
        }
      });
      watch.observe(document.body, { subtree: true, childList: true, characterData: true });
      [...document.querySelectorAll("button")].find((b) => b.textContent === "Run").click();
    })));
    await page.waitForTimeout(3000);
  }
  await context.close();
}

const graphContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const graphPage = await graphContext.newPage();
const graphFetched = countFetches(graphPage);
await graphPage.goto(site);
await graphPage.locator(".run-panel").waitFor();
await graphPage.waitForTimeout(1000);
await graphContext.close();

const total = (list) => list.reduce((n, [, bytes]) => n + bytes, 0);
const graphBytes = total(graphFetched);
const codeOnly = codeFetched.filter(([url]) => !graphFetched.some(([g]) => g === url));
console.log(`cold start, code link to first output line: median ${fmt(median(colds))} of ${colds.length} (${colds.map(fmt).join(", ")}); goal under 3000 ms`);
console.log(`warm re-run (Run pressed) of the 100-line program: median ${fmt(median(reruns))} of ${reruns.length} (${reruns.map(fmt).join(", ")}); goal under 150 ms`);
console.log(`  after an edit, add the page's 700 ms pause for typing to stop`);
console.log(`graph mode downloads ${graphFetched.length} files, ${(graphBytes / 1024).toFixed(1)} KB uncompressed (scripts/size-report: gzipped, budget 350 KB)`);
console.log(`code mode downloads ${codeOnly.length} more files, ${(total(codeOnly) / 1048576).toFixed(2)} MB uncompressed:`);
for (const [url, bytes] of codeOnly.sort((a, b) => b[1] - a[1])) console.log(`  ${url.padEnd(48)} ${(bytes / 1024).toFixed(1).padStart(9)} KB`);
await browser.close();
server.close();
