// Code mode's worker: runs a learner's asyncio program on real CPython
// (Pyodide 0.25.1, CPython 3.11.3) under the playground's tracer, and
// answers with the tracer's document. A module worker; build.mjs copies it
// to static/code/worker.js, next to tracer.py, run_traced.py and pyodide/
// (all served from our own origin):
//
//   new Worker("static/code/worker.js", { type: "module" })
//
// Messages out:
//   {type: "loading", phase: "download", loaded, total}  bytes of Pyodide's
//       files so far (total: their sum, when known)
//   {type: "loading", phase: "python"}   the files are in; CPython starts
//   {type: "loading", phase: "tracer"}   CPython runs; the tracer is loaded
//   {type: "ready", python: "3.11.3"}
//   {type: "result", id, document, python}  document: the tracer's JSON text
//       (tracer.Tracer.document); python: sys.version
//   {type: "failed", id, message}  something went wrong in here (id is null
//       when loading failed); the program's own errors are in the document
// After a failed start, the next run tries again: "loading" and "ready" (or
// "failed" with its id) may then come again.
// Messages in:
//   {type: "run", id, source, cancels}  cancels: [[loop, iteration, taskName]]
//
// Each run gets an interpreter of its own, as each run of `tracer.py` is a
// process of its own: CPython numbers tasks (Task-1, Task-2, ...) with a
// counter that nothing resets, and a program may change the modules it
// imports. After a run, the next interpreter is started at once, from the
// files already here (about a second), so that the next run need not wait.
//
// The same module is imported by tests/e2e/pyodide.mjs under Node: there
// it only exports startPython, and reads the files from disk.

const HERE = new URL("./", import.meta.url);
const PYODIDE = new URL("./pyodide/", HERE);
const IN_NODE = HERE.protocol === "file:";
const INDEX_URL = IN_NODE ? decodeURIComponent(PYODIDE.pathname) : PYODIDE.href;

/** A text file next to this module. */
async function readText(name) {
  const url = new URL(name, HERE);
  if (url.protocol === "file:") {
    const fs = await import("node:fs/promises");
    return fs.readFile(url, "utf8");
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${name}: HTTP ${response.status}`);
  return response.text();
}

// ----- Pyodide's files, counted as they come, and kept (browser only) -----

// What loadPyodide fetches (pyodide.asm.js it imports, uncounted).
const FETCHED = {
  "pyodide-lock.json": "application/json",
  "pyodide.asm.wasm": "application/wasm",
  "python_stdlib.zip": "application/zip",
};
const kept = new Map(); // name -> bytes, for the next interpreters
let compiledWasm = null; // the WebAssembly.Module, compiled once
let loading = null; // {onBytes(n), onFileDone(), fail(error)} while an interpreter loads

function concat(chunks) {
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function hookFetchAndWasm() {
  const realFetch = globalThis.fetch.bind(globalThis);
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const name = url.startsWith(PYODIDE.href) ? url.slice(PYODIDE.href.length) : null;
    if (!(name in FETCHED)) return realFetch(input, init);
    // The right type whatever the server says: instantiateStreaming needs it.
    const headers = { "content-type": FETCHED[name] };
    if (kept.has(name)) return new Response(kept.get(name), { headers });
    if (name.endsWith(".wasm") && compiledWasm) return new Response(new Uint8Array(0), { headers });
    const response = await realFetch(input, init);
    if (!response.ok || !response.body) {
      loading?.fail(new Error(`could not load ${name}: HTTP ${response.status}`));
      return response;
    }
    const keep = !name.endsWith(".wasm"); // the wasm is kept compiled
    const chunks = [];
    const reader = response.body.getReader();
    const body = new ReadableStream({
      async pull(controller) {
        let next;
        try {
          next = await reader.read();
        } catch (error) {
          loading?.fail(new Error(`could not load ${name}: ${error}`));
          controller.error(error);
          return;
        }
        if (next.done) {
          if (keep) kept.set(name, concat(chunks));
          loading?.onFileDone();
          controller.close();
          return;
        }
        if (keep) chunks.push(next.value);
        loading?.onBytes(next.value.byteLength);
        controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };

  const realInstantiateStreaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    if (compiledWasm) {
      const response = await source;
      response.body?.cancel();
      return { module: compiledWasm, instance: await WebAssembly.instantiate(compiledWasm, imports) };
    }
    try {
      const result = await realInstantiateStreaming.call(WebAssembly, source, imports);
      compiledWasm = result.module;
      return result;
    } catch (error) {
      // Pyodide would only log it, and never finish loading.
      loading?.fail(new Error(`could not start Pyodide's WebAssembly: ${error}`));
      throw error;
    }
  };
}

/** Pyodide's files still to download (the others are here). */
const toDownload = () =>
  IN_NODE ? [] : Object.keys(FETCHED).filter((name) => !kept.has(name) && !(name.endsWith(".wasm") && compiledWasm));

/** Their sizes added up, from what build.mjs wrote down (or null). */
async function sizeOf(names) {
  try {
    const files = JSON.parse(await readText("pyodide-files.json")).files;
    const sizes = names.map((name) => files[name]);
    return sizes.every(Number.isFinite) ? sizes.reduce((a, b) => a + b, 0) : null;
  } catch {
    return null;
  }
}

// ----- an interpreter with the tracer -----

let pythonFiles = null; // [tracer.py, run_traced.py], read once

/**
 * A fresh CPython (Pyodide) with the tracer imported. `report` hears the
 * loading phases ({phase, loaded?, total?}). Resolves to
 * {run(source, cancels) -> document JSON text, version: sys.version}.
 */
export async function startPython(report = () => {}) {
  const { loadPyodide } = await import(new URL("./pyodide/pyodide.mjs", HERE).href);
  let failed;
  const failure = new Promise((_, reject) => (failed = reject));
  failure.catch(() => {});
  const downloading = toDownload();
  const total = downloading.length ? await sizeOf(downloading) : null;
  let loaded = 0;
  let done = 0;
  let last = 0;
  const bytes = () => (total === null ? { phase: "download", loaded } : { phase: "download", loaded, total });
  loading = {
    onBytes(n) {
      loaded += n;
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        report(bytes());
      }
    },
    onFileDone() {
      done += 1;
      if (done === downloading.length) {
        report(bytes());
        report({ phase: "python" });
      }
    },
    fail: (error) => failed(error),
  };
  report(downloading.length ? bytes() : { phase: "python" });
  let pyodide;
  try {
    pyodide = await Promise.race([loadPyodide({ indexURL: INDEX_URL }), failure]);
  } finally {
    loading = null;
  }
  report({ phase: "tracer" });
  pythonFiles = pythonFiles ?? Promise.all([readText("tracer.py"), readText("run_traced.py")]);
  let tracer, runTraced;
  try {
    [tracer, runTraced] = await pythonFiles;
  } catch (error) {
    pythonFiles = null;
    throw error;
  }
  pyodide.FS.mkdirTree("/code");
  pyodide.FS.writeFile("/code/tracer.py", tracer);
  pyodide.FS.writeFile("/code/run_traced.py", runTraced);
  pyodide.runPython("import sys; sys.path.insert(0, '/code'); import run_traced");
  const run = pyodide.pyimport("run_traced").run;
  const version = pyodide.runPython("import sys; sys.version");
  return {
    version,
    run: (source, cancels = []) => run(String(source), JSON.stringify(cancels ?? [])),
    pyodide,
  };
}

// ----- the worker -----

function message(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error && typeof error.message === "string") return error.message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function serve() {
  const post = (data) => globalThis.postMessage(data);
  hookFetchAndWasm();
  const progress = (what) => post({ type: "loading", ...what });
  let next = startPython(progress).then(
    (python) => {
      post({ type: "ready", python: python.version.split(" ")[0] });
      return python;
    },
    (error) => {
      post({ type: "failed", id: null, message: `loading Python failed: ${message(error)}` });
      throw error;
    },
  );
  next.catch(() => {});

  async function run({ id, source, cancels }) {
    let python = null;
    try {
      python = await next;
    } catch {
      // Its failure was said (the first start) or is retried now (a later one).
    }
    next = null;
    if (python === null) {
      // The interpreter could not start: this run tries again, and says how.
      try {
        python = await startPython(progress);
        post({ type: "ready", python: python.version.split(" ")[0] });
      } catch (error) {
        post({ type: "failed", id, message: `loading Python failed: ${message(error)}` });
        return;
      }
    }
    try {
      const document = python.run(source, cancels);
      post({ type: "result", id, document, python: python.version });
    } catch (error) {
      post({ type: "failed", id, message: message(error) });
    }
    // This interpreter has run a program: the next run gets a fresh one.
    next = startPython();
    next.catch(() => {});
  }

  // One run at a time, in the order asked.
  let queue = Promise.resolve();
  globalThis.onmessage = (event) => {
    const data = event.data;
    if (data && data.type === "run") queue = queue.then(() => run(data));
  };
}

if (typeof WorkerGlobalScope !== "undefined" && globalThis instanceof WorkerGlobalScope) serve();
