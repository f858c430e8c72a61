// The built site served on 127.0.0.1, and Debian's Chromium to open it:
// what the end-to-end tests (run.mjs) and code mode's benchmark
// (bench-code-mode.mjs) share.

import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const types = {
  ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".png": "image/png", ".json": "application/json", ".zip": "application/zip", ".py": "text/x-python",
};

/** Serves `dist` on a free port of 127.0.0.1; resolves to {site, server}. */
export async function serve(dist) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const file = path.join(dist, url.pathname === "/" ? "index.html" : decodeURIComponent(url.pathname));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { site: `http://127.0.0.1:${server.address().port}/`, server };
}

/** Headless Chromium (Debian's, or $CHROMIUM), with the flags a sandboxed machine needs. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** A code-mode link's fragment (without `#`) for a program: `py1.` and
 * the program deflated, in base64url (src/link.rs, encode_code). */
export function codeFragment(source) {
  return "py1." + zlib.deflateRawSync(Buffer.from(source, "utf8"), { level: 9 }).toString("base64url");
}
