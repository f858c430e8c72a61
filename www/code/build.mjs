// Builds code mode's files into static/code/ (Trunk copies static/ into the
// site, so they are served as static/code/...):
//
//   editor.js          editor.js bundled by esbuild (one minified ES module)
//   bridge.js          bridge.js, as it is (code mode's views call it)
//   worker.js          worker.js, as it is
//   run_traced.py      run_traced.py, as it is
//   tracer.py          src/python/tracer.py
//   pyodide/           the Pyodide files a plain asyncio program needs
//   pyodide-files.json their names and sizes (the worker's progress total)
//
// Run from www/code, after `npm ci`:  node build.mjs
// (scripts/build-code-mode does both, when needed.)

import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const out = path.join(root, "static/code");
const pyodideSource = path.join(here, "node_modules/pyodide");
const pyodideOut = path.join(out, "pyodide");

// What loadPyodide({indexURL}) loads as it starts, and nothing else: no
// packages (a plain asyncio program needs only the standard library in
// python_stdlib.zip). pyodide.mjs imports pyodide.asm.js, which
// instantiates pyodide.asm.wasm; python_stdlib.zip and pyodide-lock.json
// are fetched alongside.
const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Copies a file unless the copy is already identical; says whether it copied. */
function copy(from, to) {
  const data = fs.readFileSync(from);
  if (fs.existsSync(to) && data.equals(fs.readFileSync(to))) return false;
  fs.writeFileSync(to, data);
  return true;
}

fs.mkdirSync(pyodideOut, { recursive: true });

// (1) The editor.
const bundled = await build({
  entryPoints: [path.join(here, "editor.js")],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",
  write: false,
  logLevel: "warning",
});
const editor = Buffer.from(bundled.outputFiles[0].contents);
const editorOut = path.join(out, "editor.js");
if (!fs.existsSync(editorOut) || !editor.equals(fs.readFileSync(editorOut))) fs.writeFileSync(editorOut, editor);
console.log(`static/code/editor.js: ${kb(editor.length)}, ${kb(zlib.gzipSync(editor, { level: 9 }).length)} gzipped`);

// (2, 3) The views' bridge, the worker and the Python it runs.
copy(path.join(here, "bridge.js"), path.join(out, "bridge.js"));
copy(path.join(here, "worker.js"), path.join(out, "worker.js"));
copy(path.join(here, "run_traced.py"), path.join(out, "run_traced.py"));
copy(path.join(root, "src/python/tracer.py"), path.join(out, "tracer.py"));

// (4) Pyodide, and only what it needs; anything else left there is removed.
const version = JSON.parse(fs.readFileSync(path.join(pyodideSource, "package.json"), "utf8")).version;
const files = {};
for (const name of PYODIDE_FILES) {
  copy(path.join(pyodideSource, name), path.join(pyodideOut, name));
  files[name] = fs.statSync(path.join(pyodideOut, name)).size;
}
for (const name of fs.readdirSync(pyodideOut)) {
  if (!PYODIDE_FILES.includes(name)) fs.rmSync(path.join(pyodideOut, name), { recursive: true });
}
const manifest = JSON.stringify({ pyodide: version, files }, null, 2) + "\n";
const manifestOut = path.join(out, "pyodide-files.json");
if (!fs.existsSync(manifestOut) || fs.readFileSync(manifestOut, "utf8") !== manifest) fs.writeFileSync(manifestOut, manifest);
const total = Object.values(files).reduce((a, b) => a + b, 0);
console.log(`static/code/pyodide/: Pyodide ${version}, ${PYODIDE_FILES.length} files, ${(total / 1e6).toFixed(1)} MB`);
