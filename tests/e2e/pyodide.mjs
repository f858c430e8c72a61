// Code mode's Python, without a browser: the tracer on CPython built for the
// browser (Pyodide 0.25.1, the files scripts/build-code-mode puts in
// static/code/pyodide/), loaded under Node the way the worker loads it (this
// imports static/code/worker.js and calls its startPython: the same files,
// the same run_traced.py), held to the machine's CPython.
//
//   scripts/build-code-mode && node tests/e2e/pyodide.mjs
//
// Prints a line per check, timings, and ends with `N passed, M failed`
// (exit code 1 if any failed).

import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const code = path.join(root, "static/code");
const examples = path.join(root, "tests/programs/examples");

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n       ${String(detail).replace(/\n/g, "\n       ")}` : ""}`);
}
function finish() {
  // cargo's summary line, which scripts/test counts.
  console.log(`test result: ${failed === 0 ? "ok" : "FAILED"}. ${passed} passed; ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

for (const file of ["worker.js", "run_traced.py", "tracer.py", "pyodide/pyodide.mjs"]) {
  if (!fs.existsSync(path.join(code, file))) {
    check(`static/code/${file} exists (run scripts/build-code-mode first)`, false);
    finish();
  }
}
for (const [built, source] of [
  ["tracer.py", "src/python/tracer.py"], ["worker.js", "www/code/worker.js"], ["run_traced.py", "www/code/run_traced.py"],
]) {
  check(`static/code/${built} is ${source} (the build is current)`,
    fs.readFileSync(path.join(code, built), "utf8") === fs.readFileSync(path.join(root, source), "utf8"));
}

const { startPython } = await import(pathToFileURL(path.join(code, "worker.js")).href);

const ms = (t) => `${t.toFixed(0)} ms`;
const starts = [];

/** A fresh interpreter, as the worker gives each run. */
async function fresh() {
  const began = performance.now();
  const python = await startPython();
  starts.push(performance.now() - began);
  return python;
}

/** Runs a program on a fresh interpreter; returns [document, milliseconds]. */
async function traced(source, cancels = []) {
  const python = await fresh();
  const began = performance.now();
  const text = python.run(source, cancels);
  return [JSON.parse(text), performance.now() - began];
}

const stdoutOf = (doc) => {
  const lines = doc.output.filter((line) => line.stream === "stdout").map((line) => line.text);
  return lines.length ? lines.join("\n") + "\n" : "";
};

/** The machine's CPython running the tracer's CLI (`trace`). */
function cliTrace(file) {
  return JSON.parse(
    execFileSync("python3", [path.join(root, "src/python/tracer.py"), "trace", file], {
      encoding: "utf8", maxBuffer: 1 << 30,
    }),
  );
}

/** The machine's CPython running run_traced.run, as the worker does (same
 * file name "program.py", same cancels). */
function cpythonRunTraced(source, cancels = []) {
  const script = "import sys; sys.path[:0] = [sys.argv[1]]; import run_traced; "
    + "sys.stdout.write(run_traced.run(sys.stdin.read(), sys.argv[2]))";
  return JSON.parse(
    execFileSync("python3", ["-c", script, code, JSON.stringify(cancels)], {
      input: source, encoding: "utf8", maxBuffer: 1 << 30,
    }),
  );
}

// Where two runs of one program must differ, and nothing else: (1) the
// program's file name in reprs (`coro=<main() running at FILE:7>`): the CLI
// names it by its absolute path, as CPython names a script, the worker
// "program.py"; (2) memory addresses in reprs (`<Lock object at 0x...>`),
// 64-bit on the machine, 32-bit in WebAssembly; (3) where the standard
// library is, in a traceback's `File ".../asyncio/tasks.py", line 639`
// lines, and the line numbers there: the machine's CPython may be another
// 3.11 release than Pyodide's 3.11.3 (3.11.7 moved tasks.py's lines), but
// the program's own lines and everything else must agree. Values are cut at 80 characters ("…"),
// so where one of the two is cut, the cut one (without a path or address
// the cut left half-written) must begin the other.
const STDLIB_DIR = "import asyncio, os; print(os.path.dirname(os.path.dirname(asyncio.__file__)))";
const stdlibDirs = [execFileSync("python3", ["-c", STDLIB_DIR], { encoding: "utf8" }).trim()];
function normalise(text, programFile) {
  let s = programFile ? text.split(programFile).join("program.py") : text;
  for (const dir of stdlibDirs) s = s.split(`"${dir}/`).join('"<stdlib>/');
  s = s.replace(/("<stdlib>\/[^"]*", line )\d+/g, "$1?");
  // In a repr: `cb=[... at /lib/python311.zip/asyncio/tasks.py:754]`.
  for (const dir of [...stdlibDirs, "/lib/python311.zip"]) s = s.split(` at ${dir}/`).join(" at <stdlib>/");
  s = s.replace(/( at <stdlib>\/[^\s:\]>]*):\d+/g, "$1:?");
  return s.replace(/0x[0-9a-f]+/g, "0x?");
}
function firstDifference(a, b, programFile, where = "") {
  if (typeof a === "string" && typeof b === "string") {
    if (a === b) return null;
    const [na, nb] = [normalise(a, programFile), normalise(b, programFile)];
    if (na === nb) return null;
    if (a.endsWith("…") || b.endsWith("…")) {
      const cut = (s) => s.replace(/…$/, "").replace(/(\/[^\s'"<>()]*|0x[0-9a-f?]*)$/, "");
      const [ca, cb] = [a.endsWith("…") ? cut(na) : na, b.endsWith("…") ? cut(nb) : nb];
      if (ca.startsWith(cb) || cb.startsWith(ca)) return null;
    }
    return `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b) || typeof a !== typeof b || (a === null) !== (b === null)) {
    return `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (a !== null && typeof a === "object") {
    const keys = Array.isArray(a) ? [...a.keys()] : Object.keys(a);
    const otherKeys = Array.isArray(b) ? [...b.keys()] : Object.keys(b);
    if (keys.join("\n") !== otherKeys.join("\n")) return `${where}: keys ${keys} vs ${otherKeys}`;
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], programFile, `${where}/${key}`);
      if (found) return found;
    }
    return null;
  }
  return a === b ? null : `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

// ----- loading -----

let began = performance.now();
const first = await startPython();
const loadTime = performance.now() - began;
stdlibDirs.push(first.pyodide.runPython("import asyncio, os; os.path.dirname(os.path.dirname(asyncio.__file__))"));
console.log(`Pyodide load under Node (first interpreter, tracer imported): ${ms(loadTime)}`);
check(`CPython in Pyodide is 3.11.3 (${first.version.split(" ")[0]})`, first.version.startsWith("3.11.3 "));

// The program's asyncio.run is CPython's own, and runs the tracer's loop,
// not Pyodide's WebLoop (the running loop at start-up).
{
  const python = first;
  const doc = JSON.parse(python.run(`import asyncio, asyncio.runners, sys
print(sys.platform, asyncio.run is asyncio.runners.run, asyncio.run.__code__.co_filename.endswith("/asyncio/runners.py"))
async def main():
    print(type(asyncio.get_running_loop()).__name__)
asyncio.run(main())
`));
  check(
    "asyncio.run is CPython's (unpatched) and runs the tracer's loop, not WebLoop",
    doc.error === null && stdoutOf(doc) === "emscripten True True\nTracedLoop\n",
    JSON.stringify({ error: doc.error, stdout: stdoutOf(doc) }),
  );
}

// ----- (a) every example prints what CPython prints; (b) and the same picture -----

const programs = fs.readdirSync(examples).filter((name) => /^\d\d_.*\.py$/.test(name)).sort();
const timings = [];
for (const name of programs) {
  const file = path.join(examples, name);
  const [doc, took] = await traced(fs.readFileSync(file, "utf8"));
  timings.push([name, took, doc.snapshots.length]);
  const expected = fs.readFileSync(file.replace(/\.py$/, ".out"), "utf8");
  const got = stdoutOf(doc);
  check(`(a) ${name}: stdout is CPython's (${name.replace(/\.py$/, ".out")})`, got === expected && doc.error === null,
    `error: ${doc.error}\ngot:\n${got}expected:\n${expected}`);
  const cli = cliTrace(file);
  if (name === "01_gather.py") {
    // Byte for byte: nothing in 01_gather's snapshots names a file or an address.
    const [mine, theirs] = [JSON.stringify(doc.snapshots), JSON.stringify(cli.snapshots)];
    let at = 0;
    while (at < mine.length && mine[at] === theirs[at]) at++;
    check(`(b) ${name}: snapshots identical to \`python3 src/python/tracer.py trace\` (${doc.snapshots.length} snapshots)`,
      mine === theirs, `first difference at character ${at}:\n${mine.slice(at - 100, at + 100)}\n${theirs.slice(at - 100, at + 100)}`);
  }
  const difference = firstDifference(doc, cli, file);
  check(`(b) ${name}: whole document as the CLI's (file name and addresses aside)`, difference === null, difference);
}

// ----- (c) threads: the plain message, at the program's line -----

const THREADS = "this program starts a thread (run_in_executor, to_thread or threading), and CPython in the browser has none: graph mode models the default executor's threads";
const threadPrograms = {
  "run_in_executor(None, time.sleep, 1)": [`import asyncio, time

async def main():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, time.sleep, 1)
    print("done")

asyncio.run(main())
`, 5],
  "threading.Thread(...).start()": [`import threading

def work():
    print("working")

thread = threading.Thread(target=work)
thread.start()
thread.join()
`, 7],
  "asyncio.to_thread, caught by `except Exception`": [`import asyncio, time

async def main():
    try:
        await asyncio.to_thread(time.sleep, 1)
    except Exception as error:
        print("caught", error)
    print("after")

asyncio.run(main())
`, 5],
};
for (const [what, [source, line]] of Object.entries(threadPrograms)) {
  const [doc] = await traced(source);
  const tracebacks = doc.output.filter((l) => l.stream === "stderr" || /Traceback|File "/.test(l.text));
  check(`(c) ${what}: the threads message at line ${line}, no traceback, nothing printed`,
    doc.error === THREADS && doc.error_line === line && tracebacks.length === 0 && stdoutOf(doc) === "",
    JSON.stringify({ error: doc.error, error_line: doc.error_line, output: doc.output.map((l) => `${l.stream}: ${l.text}`) }));
}

// ----- (d) input(), (e) a SyntaxError: their messages, as on the machine's CPython -----

{
  const source = `import asyncio

async def main():
    name = input("Your name? ")
    print("hello", name)

asyncio.run(main())
`;
  const [doc] = await traced(source);
  check("(d) input(): its message, at line 4",
    doc.error === "input() waits for the keyboard, and the playground has none: put the value in the program instead"
      && doc.error_line === 4 && doc.output.length === 0,
    JSON.stringify({ error: doc.error, error_line: doc.error_line, output: doc.output }));
  const difference = firstDifference(doc, cpythonRunTraced(source), null);
  check("(d) input(): the whole document as on the machine's CPython", difference === null, difference);
}
{
  const source = `import asyncio

async def main(:
    await asyncio.sleep(1)

asyncio.run(main())
`;
  const [doc] = await traced(source);
  const stderr = doc.output.filter((l) => l.stream === "stderr").map((l) => l.text);
  check("(e) SyntaxError: error \"SyntaxError: ...\" at line 3, CPython's report on stderr",
    /^SyntaxError: /.test(doc.error ?? "") && doc.error_line === 3
      && stderr[0] === '  File "program.py", line 3' && stderr[stderr.length - 1] === doc.error,
    JSON.stringify({ error: doc.error, error_line: doc.error_line, stderr }));
  const difference = firstDifference(doc, cpythonRunTraced(source), null);
  check("(e) SyntaxError: the whole document as on the machine's CPython", difference === null, difference);
}

// ----- (f) an endless program is stopped -----

let endlessTime;
{
  const [doc, took] = await traced(`import asyncio

async def main():
    while True:
        await asyncio.sleep(1)

asyncio.run(main())
`);
  endlessTime = took;
  // The page's budget (run_traced.py): 25,000 iterations.
  check(`(f) endless program: stopped at the page's budget (${JSON.stringify(doc.error)})`,
    doc.error === "stopped: the loop ran past 25,000 iterations: the program looks endless");
  const [naps] = await traced(`import time

while True:
    time.sleep(1)
`);
  check(`(f) a program that only ever time.sleeps is stopped too (${JSON.stringify(naps.error)})`,
    naps.error === "stopped: the program called time.sleep more than 25,000 times: it looks endless");
  // Many timers at every iteration: the record stays a size a page reads.
  const [timers, timersTook] = await traced(`import asyncio

async def tick(i):
    while True:
        await asyncio.sleep(1 + i / 1000)

async def main():
    await asyncio.gather(*(tick(i) for i in range(1000)))

asyncio.run(main())
`);
  const size = JSON.stringify(timers).length;
  check(`(f) 1,000 ticking tasks stop at the pictures' budget, a ${(size / 1e6).toFixed(1)} MB record in ${ms(timersTook)}`,
    String(timers.error).startsWith("stopped: the run's pictures grew past 300,000 items") && size < 30e6,
    JSON.stringify(timers.error));
}

// ----- (g) a cancel the learner asks for -----

{
  const source = fs.readFileSync(path.join(examples, "01_gather.py"), "utf8");
  const cancels = [[0, 3, "Task-3"]];
  const [doc] = await traced(source, cancels);
  const asked = doc.events.filter((e) => e.event === "cancel requested");
  check("(g) cancels [[0, 3, \"Task-3\"]]: \"cancel requested\" of Task-3 by the learner at loop 0, iteration 3",
    asked.length >= 1 && asked[0].task === "Task-3" && asked[0].by === null && asked[0].learner === true && asked[0].loop === 0 && asked[0].iteration === 3,
    JSON.stringify(asked));
  const difference = firstDifference(doc, cpythonRunTraced(source, cancels), null);
  check("(g) cancels: the whole document as on the machine's CPython", difference === null, difference);
}

// ----- (h) the tutorial-style programs -----

// Programs whose loop depends on memory addresses: as_completed given
// coroutines makes their tasks in the order of a set of them, which CPython
// orders by address (64-bit here, 32-bit in WebAssembly). Both are CPython;
// what they print (in finishing order) agrees.
const ORDER_BY_ADDRESS = new Set(["16_as_completed.py"]);
// Programs that leave several tasks pending at exit: CPython frees them, and
// says "Task was destroyed but it is pending!", in an order its collector
// decides, which differs between builds.
const FREED_AT_EXIT = new Set(["09_async_generator.py"]);
const equal_ = (name, a, b) => check(name, a === b, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);

{
  // Every style tests/tracer.rs holds to plain python3 (run_forever,
  // call_at, handles, partial, classes, async iterators and context
  // managers, several asyncio.run, raises, never-retrieved tasks...): the
  // browser's CPython tells the same whole story as the machine's. Those
  // that start threads get the plain threads message instead.
  const tutorials = path.join(root, "tests/programs/tutorials");
  for (const name of fs.readdirSync(tutorials).filter((n) => n.endsWith(".py")).sort()) {
    const source = fs.readFileSync(path.join(tutorials, name), "utf8");
    const [doc] = await traced(source);
    if (/run_in_executor|to_thread|threading/.test(source)) {
      check(`(h) ${name}: the threads message`, doc.error === THREADS, JSON.stringify(doc.error));
      continue;
    }
    const machine = cpythonRunTraced(source);
    if (FREED_AT_EXIT.has(name)) {
      // Everything but the order of what is said as the tasks are freed.
      const stdoutOnly = (d) => ({ ...d, output: d.output.filter((l) => l.stream === "stdout") });
      const difference = firstDifference(stdoutOnly(doc), stdoutOnly(machine), null);
      const said = (d) => d.output.filter((l) => l.stream === "stderr").map((l) => normalise(l.text)).sort().join("\n");
      check(`(h) ${name}: the whole document as on the machine's CPython, what is said at exit in any order`,
        difference === null && said(doc) === said(machine), difference ?? "stderr differs");
      continue;
    }
    if (ORDER_BY_ADDRESS.has(name)) {
      equal_(`(h) ${name}: the output as on the machine's CPython`, stdoutOf(doc), stdoutOf(machine));
      continue;
    }
    const difference = firstDifference(doc, machine, null);
    check(`(h) ${name}: the whole document as on the machine's CPython`, difference === null, difference);
  }
}

// ----- (i) every gallery preset opened as Python ("Edit as Python") -----

{
  // Graph mode's export of each preset is what code mode opens. In the
  // browser's CPython it tells the same story as on the machine's, where
  // tests/cpython.rs holds the engine's pictures to it: so the preset
  // opened either way shows the same pictures.
  const tool = (...args) => execFileSync("cargo", ["run", "--quiet", "--locked", "--bin", "asyncio-playground", "--", ...args], {
    cwd: root, encoding: "utf8", maxBuffer: 1 << 28,
  });
  for (const name of tool("examples").split("\n").filter(Boolean)) {
    const source = tool("export", name);
    const [doc] = await traced(source);
    if (/run_in_executor|to_thread|threading/.test(source)) {
      check(`(i) preset ${name}: the threads message`, doc.error === THREADS, JSON.stringify(doc.error));
      continue;
    }
    const difference = firstDifference(doc, cpythonRunTraced(source), null);
    check(`(i) preset ${name}: its Python's whole document as on the machine's CPython`, difference === null, difference);
  }
}

// ----- each run its own interpreter -----

{
  // CPython numbers tasks with a counter nothing resets: a second program in
  // one interpreter would see Task-5 where the first saw Task-1. The worker
  // starts a fresh interpreter for every run; two fresh ones agree.
  const source = fs.readFileSync(path.join(examples, "01_gather.py"), "utf8");
  const [a] = await traced(source);
  const [b] = await traced(source);
  check("two runs on fresh interpreters give the same document", JSON.stringify(a) === JSON.stringify(b));
}

// ----- timings (a benchmark printout, not a check) -----

console.log(`\nPyodide load, first interpreter (files from disk, tracer imported): ${ms(loadTime)}`);
const sorted = [...starts].sort((a, b) => a - b);
console.log(`fresh interpreter (the worker's per run), ${starts.length} starts: median ${ms(sorted[sorted.length >> 1])}, max ${ms(sorted[sorted.length - 1])}`);
console.log("trace time per example (python.run, document as JSON text):");
for (const [name, took, snapshots] of timings) console.log(`  ${name.padEnd(36)} ${ms(took).padStart(8)}  ${snapshots} snapshots`);
console.log(`  endless program, stopped at the iteration budget: ${ms(endlessTime)}`);
console.log("");
finish();
