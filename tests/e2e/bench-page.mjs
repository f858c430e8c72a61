// Graph mode's first render, as a visitor meets it: from navigation to the
// loop picture drawn, on localhost, in Debian's Chromium (median of runs).
//
//   node tests/e2e/bench-page.mjs [DIST] [RUNS]     (scripts/bench-page)
//
// Prints figures; asserts nothing about speed.

import { serve, launch } from "./site.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(process.argv[2] ?? path.join(here, "../../dist"));
const runs = Number(process.argv[3] ?? 5);
const { site, server } = await serve(dist);
const browser = await launch();
const times = [];
// The page notes when the picture enters the DOM (in the task that puts it
// there) and when the frame that draws it is done: the first animation
// frame after it, and the next task after that frame. Waiting from outside
// (a locator polling every 20-100 ms) added that much, at random.
const notePainted = () => {
  new MutationObserver((_, observer) => {
    if (!document.querySelector(".loop-picture .ready-queue li")) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const after = new MessageChannel();
      after.port1.onmessage = () => { window.picturePainted = performance.now(); };
      after.port2.postMessage(null);
    });
  }).observe(document, { childList: true, subtree: true });
};
for (let i = 0; i < runs; i++) {
  // A fresh context each time: nothing cached, no saved work (a first visit).
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US" });
  await context.addInitScript(notePainted);
  const page = await context.newPage();
  await page.goto(site);
  await page.waitForFunction(() => window.picturePainted !== undefined);
  times.push(await page.evaluate(() => window.picturePainted));
  await context.close();
}
times.sort((a, b) => a - b);
console.log(`page bench: first render (navigation to the loop picture painted) median ${times[times.length >> 1].toFixed(0)} ms, range ${times[0].toFixed(0)}-${times[times.length - 1].toFixed(0)} ms over ${runs} cold loads (goal: under 300 ms)`);
await browser.close();
server.close();
