// End-to-end tests: what a user does, in Debian's Chromium driven by
// Playwright, against the release build served on 127.0.0.1.
//
//   node tests/e2e/run.mjs [DIST]     (scripts/test runs it after trunk build)
//
// Prints one line per test and ends with cargo's summary line
// (`test result: ok. N passed; M failed`), which scripts/test counts.
// Screenshots go to test-artifacts/e2e/.

import { serve, launch, codeFragment } from "./site.mjs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "dist"));
const artifacts = path.join(root, "test-artifacts", "e2e");
fs.mkdirSync(artifacts, { recursive: true });

const { site, server } = await serve(dist);
const browser = await launch();

/// A fresh browser context (its own localStorage) and page, with the
/// page's console errors and uncaught exceptions collected.
async function newPage({ width = 1280, height = 800, context } = {}) {
  const ctx = context ?? (await browser.newContext({ viewport: { width, height }, locale: "en-US" }));
  const page = await ctx.newPage();
  page.errors = [];
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

async function open(page, hash = "") {
  await page.goto(site + (hash ? `#${hash}` : ""));
  await page.locator(".run-panel").waitFor();
}

const outputText = (page) =>
  page.locator(".output-view .output-lines samp").allTextContents().then((lines) => lines.map((l) => l + "\n").join(""));
const button = (page, name) => page.getByRole("button", { name, exact: true });
const clock = (page) => page.getByTestId("clock").textContent();
/// The ready queue's items as the loop labels them (without the words drawn around them).
const queueLabels = (page) => page.locator(".ready-queue li").evaluateAll((items) => items.map((li) => li.dataset.label));
const stateOf = (page, task) => page.locator(`tr.task-row[data-task="${task}"] td.state`).textContent();

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function equal(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}:\n--- expected\n${expected}\n--- actual\n${actual}`);
  }
}

async function until(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/// A share link's state, decoded as the page encodes it: base64url of
/// raw-deflated JSON; version 2 deflates after a preset dictionary, read
/// here from the Rust source that defines it.
const dictionary = Buffer.from(
  fs.readFileSync(path.join(root, "src/link.rs"), "utf8").match(/DICTIONARY: &\[u8\] = br#"([\s\S]*?)"#;/)[1],
  "utf8",
);
function decodeLink(url) {
  const fragment = new URL(url).hash.slice(1);
  const bytes = Buffer.from(fragment.slice(3), "base64url");
  if (fragment.startsWith("v1.")) return JSON.parse(zlib.inflateRawSync(bytes).toString("utf8"));
  check(fragment.startsWith("v2."), `not a playground link: ${fragment.slice(0, 20)}`);
  return JSON.parse(zlib.inflateRawSync(bytes, { dictionary }).toString("utf8"));
}

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test("the site opens without console errors and renders in under a second", async () => {
  const page = await newPage();
  await open(page);
  const ms = await page.evaluate(() => performance.now());
  console.log(`    first render ${ms.toFixed(0)} ms after navigation`);
  check(ms < 1000, `first render took ${ms.toFixed(0)} ms`);
  for (const region of ["Task graph", "Python", "Event loop", "Output"]) {
    await page.getByRole("region", { name: region }).waitFor();
  }
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("every gallery example prints what CPython prints for the Python the page shows", async () => {
  const page = await newPage();
  await open(page);
  const select = page.getByLabel("Example");
  const ids = (await select.locator("option").evaluateAll((os) => os.map((o) => o.value))).filter((v) => v);
  check(ids.length >= 20, `only ${ids.length} examples in the gallery`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-"));
  for (const id of ids) {
    await select.selectOption(id);
    await button(page, "Run to end").click();
    const source = await page.locator(".python-view code").textContent();
    const file = path.join(tmp, `${id}.py`);
    fs.writeFileSync(file, source);
    const cpython = spawnSync("python3", [path.join(root, "src/python/tracer.py"), "run", file], { encoding: "utf8" });
    equal(await outputText(page), cpython.stdout, `${id}: the output panel against CPython`);
    if (id.startsWith("01") || id === "deadlock") {
      const printed = await page.locator(".run-lines samp").allTextContents();
      check(printed.length > 0 || id === "deadlock", `${id}: the run view printed nothing`);
    }
  }
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("run live, pause, step, resume, drag the cursor back, cancel a task live", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Example").selectOption("01_gather");
  await page.getByLabel("Speed").selectOption("10");
  await button(page, "Reset").click();
  equal(await clock(page), "t=0.0", "clock after Reset");
  await button(page, "Run").click();
  await until(async () => (await clock(page)) !== "t=0.0", "the live run to move the clock");
  await button(page, "Pause").click();
  const paused = await page.getByTestId("iteration").textContent();
  await page.waitForTimeout(300);
  equal(await page.getByTestId("iteration").textContent(), paused, "iteration while paused");
  await button(page, "Step").click();
  check((await page.getByTestId("iteration").textContent()) !== paused, "Step did not run an iteration");
  await button(page, "Run").click();
  await until(async () => (await clock(page)) === "t=5.0" && (await button(page, "Run").count()) > 0, "the run to end live");
  equal(
    (await page.locator(".run-lines samp").allTextContents()).map((l) => l + "\n").join(""),
    fs.readFileSync(path.join(root, "tests/programs/examples/01_gather.out"), "utf8"),
    "the live run's output",
  );
  // Drag the time cursor back to the start: the views show t=0.
  await page.locator(".field.cursor input").fill("0");
  equal(await clock(page), "t=0.0", "clock after dragging back");
  equal(await queueLabels(page).then((l) => l.join("|")), "step Task-1", "ready queue at t=0");
  // Cancel func1(5) live at t=3: CancelledError lands at its sleep.
  await button(page, "Reset").click();
  while ((await clock(page)) !== "t=3.0") await button(page, "Next event").click();
  await button(page, "Cancel now Task-2").click();
  await button(page, "Run to end").click();
  equal(await stateOf(page, "Task-2"), "cancelled", "Task-2 after cancelling it");
  equal(await page.locator('.lane[data-task="Task-2"] .landed-mark').count(), 1, "landed marks on Task-2's lane");
  // The loop panel scrolls inside itself: its timeline, where the marks are, in view.
  await page.locator(".timeline-view").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(artifacts, "cancelled-live.png"), fullPage: true });
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("edit, undo and redo; build a scenario with the keyboard only", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Example").selectOption("01_gather");
  // A first visit opens at the start: the whole output comes with the run.
  await button(page, "Run to end").click();
  const before = await outputText(page);
  const seconds = page.getByLabel("Seconds").first();
  await seconds.fill("7");
  await seconds.press("Tab");
  await until(async () => (await outputText(page)) !== before, "the output to follow the edit");
  await page.locator("body").click({ position: { x: 1, y: 1 } });
  await page.keyboard.press("Control+z");
  await until(async () => (await outputText(page)) === before, "undo to restore the output");
  await page.keyboard.press("Control+Shift+z");
  await until(async () => (await outputText(page)) !== before, "redo to apply the edit again");

  // A new scenario built with the keyboard alone: Tab to a control, arrow
  // keys in pickers, Enter on buttons, typing in fields.
  const keys = await newPage();
  await open(keys);
  const focusOn = async (locator, what) => {
    for (let i = 0; i < 300; i++) {
      if (await locator.evaluate((el) => el === document.activeElement)) return;
      await keys.keyboard.press("Tab");
    }
    throw new Error(`Tab never reached ${what}`);
  };
  const pick = async (select, value, what) => {
    await focusOn(select, what);
    // Up or down, from the option shown (a picker may show the example loaded).
    const [from, to] = await select.evaluate((el, v) => [el.selectedIndex, [...el.options].findIndex((o) => o.value === v)], value);
    const key = to < from ? "ArrowUp" : "ArrowDown";
    for (let i = 0; i < 60 && (await select.inputValue()) !== value; i++) {
      await keys.keyboard.press(key);
    }
    equal(await select.inputValue(), value, `${what} picked with arrow keys`);
  };
  // The picker shows the example loaded (01_gather); "New, empty program"
  // is just above it, and once chosen the picker shows no example again.
  await focusOn(keys.getByLabel("Example"), "the Example picker");
  equal(await keys.getByLabel("Example").inputValue(), "01_gather", "the example loaded, in the picker");
  await keys.keyboard.press("ArrowUp");
  await until(async () => (await keys.locator(".python-view code").textContent()).includes("async def main"), "an empty main");
  await pick(keys.getByLabel("Step to add").first(), "print", "the step picker");
  await focusOn(button(keys, "Add step").first(), "Add step");
  await keys.keyboard.press("Enter");
  const args = keys.getByLabel("Arguments").first();
  await focusOn(args, "the print arguments");
  await keys.keyboard.press("Control+a");
  await keys.keyboard.type("'built by keyboard'");
  await keys.keyboard.press("Tab");
  await until(async () => (await outputText(keys)) === "built by keyboard\n", "the keyboard-built print to run");
  equal(keys.errors.concat(page.errors).join("\n"), "", "console errors");
  await keys.context().close();
  await page.context().close();
});

test("build a thread-pool scenario in the editor: a job that sleeps on its thread and calls back, awaited by main", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Example").selectOption("new");
  await page.getByText("Blocking jobs for run_in_executor (worker threads)").click();
  await button(page, "Add job").click();
  const job = page.locator("article.job");
  await job.getByLabel("Step to add").selectOption("call_soon_threadsafe");
  await job.getByRole("button", { name: "Add step", exact: true }).click();
  // The callback comes after `return`: move it up one place.
  await button(page, "Move up Step 4 blocking_job").click();
  equal(
    (await job.locator(".step-kind").allTextContents()).join(" | "),
    "print() | time.sleep (blocks this thread only) | loop.call_soon_threadsafe() | return",
    "the job's steps",
  );
  await page.getByLabel("Step to add").first().selectOption("await");
  await button(page, "Add step").first().click();
  equal(await page.locator('.step[data-step="await"] select').first().inputValue(), "job:0", "a new await's target with no other task");
  await until(async () => (await page.locator(".python-view code").textContent()).includes("run_in_executor"), "the Python to await the job");
  await button(page, "Run to end").click();
  const source = await page.locator(".python-view code").textContent();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "e2e-")), "job.py");
  fs.writeFileSync(file, source);
  const cpython = spawnSync("python3", [path.join(root, "src/python/tracer.py"), "run", file], { encoding: "utf8" });
  check(cpython.stdout.includes("callback ran at"), `CPython printed no callback line:\n${cpython.stdout}${cpython.stderr}`);
  equal(await outputText(page), cpython.stdout, "the output panel against CPython");
  equal(
    await page.locator(".loop-view .jobs li").allTextContents().then((l) => l.join("|")),
    "blocking_job() returned 'blocking_job result'",
    "the worker threads panel at the end",
  );
  await page.screenshot({ path: path.join(artifacts, "thread-pool.png"), fullPage: true });
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("hand a coroutine to a second event loop in another thread from the editor, and call into it", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Example").selectOption("new");
  await button(page, "Add task").click();
  await page.getByLabel("Step to add").first().selectOption("await");
  await button(page, "Add step").first().click();
  await page.locator('.step[data-step="await"] select').first().selectOption("side:1");
  await page.getByLabel("Step to add").first().selectOption("call_soon_threadsafe");
  await button(page, "Add step").first().click();
  await until(async () => {
    const python = await page.locator(".python-view code").textContent();
    return python.includes("run_coroutine_threadsafe(task(), side_loop)") && python.includes("side_loop.call_soon_threadsafe(");
  }, "the Python to use the side loop");
  equal(await page.locator(".problems li").count(), 0, "problems");
  await button(page, "Run to end").click();
  const source = await page.locator(".python-view code").textContent();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "e2e-")), "side_loop.py");
  fs.writeFileSync(file, source);
  const cpython = spawnSync("python3", [path.join(root, "src/python/tracer.py"), "run", file], { encoding: "utf8" });
  check(cpython.stdout.includes("task starts"), `CPython did not run the task:\n${cpython.stdout}${cpython.stderr}`);
  equal(await outputText(page), cpython.stdout, "the output panel against CPython");
  check(
    (await page.locator(".side-loop [data-testid=side-thread]").textContent()).endsWith("stopped: its thread has ended"),
    "the side loop stopped at the end",
  );
  equal(await page.locator("tr.task-row .on-side").count(), 1, "one task marked as the side loop's");
  await page.screenshot({ path: path.join(artifacts, "side-loop.png"), fullPage: true });
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("copy a link and open it in a new page; damaged links keep the autosaved work", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await newPage({ context });
  await open(page);
  await page.getByLabel("Example").selectOption("08_cancel_all");
  await page.getByLabel("Speed").selectOption("5");
  await button(page, "Copy link").click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const source = await page.locator(".python-view code").textContent();
  const output = await outputText(page);
  const other = await newPage({ context: await browser.newContext() });
  await other.goto(link);
  await other.locator(".run-panel").waitFor();
  equal(await other.locator(".python-view code").textContent(), source, "Python in the opened link");
  equal(await outputText(other), output, "output in the opened link");
  equal(await other.getByLabel("Speed").inputValue(), "5", "the live run's speed in the opened link");
  equal(decodeLink(link).speed, 5, "the speed in the copied link");
  await other.context().close();

  // The autosaved work is 08_cancel_all; damaged links must not replace it.
  for (const bad of ["v1.AAAA", "v1.not base64!", "v9.abc", "garbage", link.split("#")[1].slice(0, 40)]) {
    // A fresh load, as when following a link (a hash change alone is not).
    await page.goto("about:blank");
    await page.goto(site + "#" + bad);
    await page.locator(".run-panel").waitFor();
    const notice = await page.locator(".notice").first().textContent();
    check(/could not be opened|newer version/.test(notice), `no message for #${bad}: ${notice}`);
    equal(await page.locator(".python-view code").textContent(), source, `the autosaved work after #${bad}`);
    await button(page, "Run to end").click();
    equal(await outputText(page), output, `the app still runs after #${bad}`);
  }
  equal(page.errors.join("\n"), "", "console errors");
  await context.close();
});

test("work left mid-edit with a problem survives a reload, problem and all", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Example").selectOption("01_gather");
  await until(async () => page.url().includes("#v2."), "the address bar to hold the example's link");
  const gatherLink = page.url();
  const name = page.getByLabel("Coroutine name").nth(1);
  await name.fill("my task");
  await name.press("Tab");
  await until(async () => (await page.locator(".problems li").count()) > 0, "the bad name to be listed as a problem");
  const problems = await page.locator(".problems li").allTextContents();
  check(problems.some((p) => p.includes("not a Python name")), `problems: ${problems}`);
  check(
    (await page.locator(".copy-link .warning").textContent()).includes("refuse this link until the problems are fixed"),
    "Copy link to warn that other pages refuse a scenario with problems",
  );
  // Seconds that no link can hold are refused at the field.
  const seconds = page.getByLabel("Seconds").first();
  const before = await seconds.inputValue();
  await seconds.fill("nan");
  await seconds.press("Tab");
  check((await page.locator(".field-error").first().textContent()).includes("not a number of seconds"), "a message for nan");
  await seconds.fill(before);
  await seconds.press("Tab");

  await page.reload();
  // Nothing runs while there are problems: the loop's region says so.
  await page.locator(".loop .status.invalid").waitFor();
  equal(await page.getByLabel("Coroutine name").nth(1).inputValue(), "my task", "the edited name after the reload");
  equal(JSON.stringify(await page.locator(".problems li").allTextContents()), JSON.stringify(problems), "the problems after the reload");
  for (const notice of await page.locator(".notice").allTextContents()) {
    check(!/could not be opened/.test(notice), `the user's own work called a bad link: ${notice}`);
  }
  // Someone else's link sets the work aside, and offers it back.
  await page.goto("about:blank");
  await page.goto(gatherLink);
  await page.locator(".run-panel").waitFor();
  equal(await page.getByLabel("Coroutine name").nth(1).inputValue(), "func1_5", "the link's scenario");
  await button(page, "Back to my work").click();
  await page.locator(".loop .status.invalid").waitFor();
  equal(await page.getByLabel("Coroutine name").nth(1).inputValue(), "my task", "the work set aside, given back");
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("switching the language changes the interface and the link carries it", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Language").selectOption("zh-CN");
  await button(page, "运行到结束").waitFor();
  await page.getByRole("region", { name: "事件循环" }).waitFor();
  await until(async () => decodeLink(page.url()).lang === "zh-CN", "the link to carry zh-CN");
  await page.screenshot({ path: path.join(artifacts, "desktop-zh.png"), fullPage: true });
  const fresh = await newPage();
  await fresh.goto(page.url());
  await button(fresh, "运行").first().waitFor();
  await fresh.context().close();
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("one screen: at 1440 x 900 and 1280 x 800 every preset fits the window, with no page scroll", async () => {
  for (const [width, height] of [[1440, 900], [1280, 800]]) {
    const page = await newPage({ width, height });
    await open(page);
    const ids = await page.getByLabel("Example").evaluate((el) => [...el.options].map((o) => o.value).filter((v) => v && v !== "new"));
    for (const id of ids) {
      await page.getByLabel("Example").selectOption(id);
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollHeight, window.innerHeight]);
      check(scroll <= inner + 1, `${id} at ${width} x ${height}: the page is ${scroll}px tall`);
      // The program, the loop's controls and the output are all in view.
      for (const selector of ["section#python", ".run-panel .controls", "section#output"]) {
        const box = await page.locator(selector).first().boundingBox();
        check(box && box.y >= 0 && box.y < inner, `${id}: ${selector} on screen (${JSON.stringify(box)})`);
      }
    }
    if (width === 1440) await page.screenshot({ path: path.join(artifacts, "one-screen.png") });
    // Code mode too: the program, the loop's controls and the output.
    await page.getByRole("button", { name: "Python code", exact: true }).click();
    await until(async () => (await page.locator(".code-output li").count()) > 0, "code mode's first run", 60000);
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollHeight, window.innerHeight]);
    check(scroll <= inner + 1, `code mode at ${width} x ${height}: the page is ${scroll}px tall`);
    for (const selector of [".cm-editor", ".traced-loop .run-controls", "section#output"]) {
      const box = await page.locator(selector).first().boundingBox();
      check(box && box.y >= 0 && box.y < inner, `code mode: ${selector} on screen (${JSON.stringify(box)})`);
    }
    await page.context().close();
  }
});

test("a phone gets the page's parts as tabs, the loop first with its run controls on screen", async () => {
  const page = await newPage({ width: 390, height: 844 });
  await open(page);
  const tabs = page.getByRole("navigation", { name: "Parts of the page" });
  equal((await tabs.getByRole("button").allTextContents()).join(" | "), "Task graph | Python | Output | Event loop", "the tabs");
  const controls = await page.locator(".run-panel .controls").boundingBox();
  check(controls && controls.y + controls.height <= 844, `the run controls on the first screen: ${JSON.stringify(controls)}`);
  check(!(await page.locator("section#editor").isVisible()), "one part at a time");
  await tabs.getByRole("button", { name: "Task graph" }).click();
  check(await page.locator("section#editor").isVisible(), "the task graph's tab shows it");
  check(!(await page.locator("section#loop").isVisible()), "and hides the loop");
  equal(await tabs.getByRole("button", { name: "Task graph" }).getAttribute("aria-pressed"), "true", "the tab pressed");
  // Code mode too: its program, loop and output as tabs, the loop first.
  await page.getByRole("button", { name: "Python code", exact: true }).click();
  const codeTabs = page.locator(".code-mode-host").getByRole("navigation", { name: "Parts of the page" });
  await codeTabs.waitFor({ timeout: 30000 });
  equal((await codeTabs.getByRole("button").allTextContents()).join(" | "), "Python | Event loop | Output", "code mode's tabs");
  await until(async () => (await page.locator(".traced-loop .run-controls").count()) > 0, "code mode's run", 60000);
  const codeControls = await page.locator(".traced-loop .run-controls").boundingBox();
  check(codeControls && codeControls.y + codeControls.height <= 844, `code mode's run controls on the first screen: ${JSON.stringify(codeControls)}`);
  check(!(await page.locator(".cm-editor").isVisible()), "the editor behind its tab");
  await codeTabs.getByRole("button", { name: "Python" }).click();
  check(await page.locator(".cm-editor").isVisible(), "the program's tab shows the editor");
  await codeTabs.getByRole("button", { name: "Output" }).click();
  check(await page.locator(".code-output").isVisible(), "the output's tab shows what was printed");
  await page.screenshot({ path: path.join(artifacts, "phone-code.png") });
  await page.context().close();
});

for (const [name, width, height] of [["phone", 390, 844], ["desktop", 1280, 800]]) {
  test(`${name} layout (${width}px): nothing overflows or overlaps`, async () => {
    const page = await newPage({ width, height });
    await open(page);
    await page.getByLabel("Example").selectOption("01_gather");
    await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
    const problems = await page.evaluate(() => {
      const found = [];
      const doc = document.documentElement;
      if (doc.scrollWidth > window.innerWidth + 1) found.push(`page is ${doc.scrollWidth}px wide`);
      const boxes = [...document.querySelectorAll("section.region, .app-header")].map((el) => [el.getAttribute("aria-label") ?? el.className, el.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, ra] = boxes[i];
          const [b, rb] = boxes[j];
          const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (w > 1 && h > 1) found.push(`${a} overlaps ${b}`);
        }
      }
      for (const el of document.querySelectorAll("button, select, input, label")) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.left < -1 || r.right > window.innerWidth + 1)) found.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" sticks out (${r.left}..${r.right})`);
      }
      return found;
    });
    equal(problems.join("\n"), "", "layout problems");
    await page.context().close();
  });
}

// Links that once crashed, froze or exhausted the page (src/hostile.rs;
// `asyncio-playground hostile-links` writes the list, a native test keeps
// it current).
const hostile = JSON.parse(fs.readFileSync(path.join(here, "hostile-links.json"), "utf8"));

/// A context whose pages record the longest main-thread task (the Long
/// Tasks API reports every task over 50 ms).
async function timedContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  await context.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  return context;
}

test("every hostile link opens to a working page with a message, and the autosaved work survives", async () => {
  const context = await timedContext();
  const page = await newPage({ context });
  await open(page);
  await page.getByLabel("Example").selectOption("08_cancel_all");
  const source = await page.locator(".python-view code").textContent();
  const output = await outputText(page);
  // What opening a small scenario costs, to read the figures against.
  await page.goto("about:blank");
  await page.goto(site);
  await page.locator(".run-panel").waitFor();
  const figures = [`a small scenario ${(await page.evaluate(() => window.__longest)).toFixed(0)} ms`];
  for (const h of hostile) {
    await page.goto("about:blank");
    await page.goto(site + "#" + h.fragment);
    await page.locator(".run-panel").waitFor();
    figures.push(`${h.name} ${(await page.evaluate(() => window.__longest)).toFixed(0)} ms`);
    if (h.outcome === "refused") {
      const notice = (await page.locator(".notice").allTextContents()).join(" ");
      check(notice.includes("could not be opened") && notice.includes(h.words), `${h.name}: the notice says ${notice}`);
    } else {
      const status = await page.locator(".output-view .status").textContent();
      if (h.outcome === "stopped") {
        check(status.startsWith("Stopped: ") && status.includes(h.words), `${h.name}: the status says ${status}`);
        check(/\((Task|任务)[^)]* was at line \d+\)$/.test(status), `${h.name}: the status names no line: ${status}`);
      } else {
        check(status.includes(`asyncio.run() raised: ${h.words}`), `${h.name}: the status says ${status}`);
        check(status.includes("Task-2 → Task-3 → Task-2"), `${h.name}: the status names no cycle: ${status}`);
      }
      // The controls work on what the link opened...
      await button(page, "Reset").click();
      equal(await clock(page), "t=0.0", `${h.name}: the clock after Reset`);
      await button(page, "Step").click();
      await button(page, "Run to end").click();
      equal(await page.locator(".output-view .status").textContent(), status, `${h.name}: the status after Run to end`);
      // ...and the work it set aside comes back.
      await button(page, "Back to my work").click();
    }
    equal(await page.locator(".python-view code").textContent(), source, `${h.name}: the autosaved work`);
    equal(await outputText(page), output, `${h.name}: the autosaved work's output`);
    equal(page.errors.join("\n"), "", `${h.name}: console errors`);
  }
  console.log(`    longest main-thread task on opening: ${figures.join(", ")}`);
  // Run live at 10x until the budget stops them: the page stays responsive.
  const live = [];
  for (const name of ["a_loop_that_prints", "inline_awaits_fan_out", "a_loop_that_makes_tasks"]) {
    const h = hostile.find((x) => x.name === name);
    await page.goto("about:blank");
    await page.goto(site + "#" + h.fragment);
    await page.locator(".run-panel").waitFor();
    await page.getByLabel("Speed").selectOption("10");
    await button(page, "Reset").click();
    await page.evaluate(() => (window.__longest = 0));
    await button(page, "Run").click();
    await until(async () => (await page.locator(".run-output .status").count()) > 0, `${name} to stop live`, 60000);
    live.push(`${name} ${(await page.evaluate(() => window.__longest)).toFixed(0)} ms`);
    await button(page, "Back to my work").click();
  }
  console.log(`    longest main-thread task in a live run at 10x: ${live.join(", ")}`);
  // The programs links may not carry can still be one's own work, in the
  // autosave: the page opens them, problems and all, and runs nothing.
  for (const h of hostile.filter((h) => h.outcome === "refused")) {
    const program = JSON.stringify(decodeLink(site + "#" + h.fragment).program);
    await page.evaluate((program) => localStorage.setItem("asyncio-playground.autosave", program), program);
    await page.goto("about:blank");
    await page.goto(site);
    // Nothing runs while there are problems: the loop's region says so.
    await page.locator(".loop .status.invalid").waitFor();
    const problems = (await page.locator(".problems li").allTextContents()).join(" | ");
    check(problems.includes(h.words), `${h.name} as the autosave: the problems say ${problems}`);
  }
  equal(page.errors.join("\n"), "", "console errors");
  await context.close();
});

test("cancelling one of two tasks that wait for each other raises RecursionError live, as in CPython", async () => {
  const page = await newPage();
  const cycle = hostile.find((h) => h.name === "tasks_await_each_other");
  await page.goto(site + "#" + cycle.fragment);
  await page.locator(".run-panel").waitFor();
  await button(page, "Reset").click();
  await button(page, "Step").click();
  await button(page, "Step").click();
  await button(page, "Cancel now Task-2").click();
  const notice = await page.locator(".cancel-raised").textContent();
  check(notice.includes("Cancelling Task-2 raised RecursionError"), `the notice says ${notice}`);
  check(notice.includes("Task-2 → Task-3 → Task-2"), `the notice names no cycle: ${notice}`);
  // Nothing was cancelled: the run goes on to asyncio.run's own RecursionError.
  await button(page, "Run to end").click();
  check((await page.locator(".run-output .status, .output-view .status").allTextContents()).join(" ").includes("RecursionError"), "the run's end");
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

/// What axe-core finds on the page as it is, of any impact.
async function axeViolations(page) {
  await page.addScriptTag({ path: path.join(here, "node_modules/axe-core/axe.min.js") });
  return page.evaluate(async () => {
    // Items still sliding in are part transparent: scan the settled page.
    await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})));
    const result = await window.axe.run(document);
    return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x: ${v.nodes.map((n) => n.target).join(" ")})`);
  });
}

test("an accessibility scan (axe-core) finds nothing, in either language, in either mode, with the loop picture drawn", async () => {
  for (const lang of ["en-US", "zh-CN"]) {
    const page = await newPage({ width: 1440, height: 900 });
    await page.goto(`${site}?lang=${lang}`);
    await page.locator(".run-panel").waitFor();
    // A moment with every part of the picture drawn: queue, timers, graph.
    await page.locator(".run-panel .controls button").nth(1).click();
    await page.locator(".run-panel .controls button").nth(1).click();
    equal((await axeViolations(page)).join("\n"), "", `accessibility violations (${lang})`);
    // Code mode too, once CPython has run its program.
    await page.locator("nav.modes button").nth(1).click();
    await until(async () => (await page.locator(".code-output li").count()) > 0, "code mode's first run", 60000);
    await page.locator(".traced-loop .run-controls button").first().click();
    await page.locator(".traced-loop .run-controls button").nth(3).click();
    equal((await axeViolations(page)).join("\n"), "", `accessibility violations in code mode (${lang})`);
    await page.context().close();
  }
});

test("graph mode downloads nothing of code mode: no views, no editor, no CPython", async () => {
  const page = await newPage();
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  await open(page);
  await page.getByRole("button", { name: "Run to end", exact: true }).click().catch(() => {});
  await new Promise((r) => setTimeout(r, 500));
  const code = fetched.filter((u) => u.includes("/static/code/") || u.includes("/code-mode/"));
  equal(code.join("\n"), "", "code mode's files fetched in graph mode");
  await page.context().close();
});

const codeOutput = (page) =>
  page.locator(".code-output li code").allTextContents().then((lines) => lines.map((l) => l + "\n").join(""));

test("code mode runs a tutorial's Python on CPython in the browser and steps through its loop", async () => {
  const page = await newPage();
  const fetched = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(site + "?mode=code");
  const editor = page.getByRole("textbox", { name: "Python program" });
  await editor.waitFor({ timeout: 30000 });
  // The first tutorial's Python, run by CPython at once; its output is
  // CPython's own for the tutorial (tests/programs/examples/01_gather.out).
  const expected = fs.readFileSync(path.join(root, "tests/programs/examples/01_gather.out"), "utf8");
  await until(async () => (await codeOutput(page)) === expected, "CPython's output", 60000);
  const version = await page.locator(".python-version").textContent();
  equal(version, "CPython 3.11.3", "the Python the page says it runs");
  // The header's Copy link shares the task graph: not offered here, where
  // the address bar is the program's link.
  check(!(await page.getByRole("button", { name: "Copy link", exact: true }).isVisible()), "no graph Copy link in code mode");
  check(fetched.some((p) => p.endsWith("/static/code/pyodide/pyodide.asm.wasm")), "CPython came from the site itself");
  check(!fetched.some((p) => !p.startsWith("/")), "nothing from another site");
  // Step from the start: iteration 1 runs main's first step; iteration 2
  // the three tasks main made.
  await page.getByRole("button", { name: "Reset", exact: true }).click();
  const head = () => page.locator(".iteration-head").textContent();
  await until(async () => (await head()).startsWith("Iteration 1 of 17, t=0.0"), "iteration 1", 5000).catch(async (e) => {
    throw new Error(`${e.message}: ${await head()}`);
  });
  equal((await queueLabels(page)).join(" | "), "step Task-1", "iteration 1's ready queue");
  await page.getByRole("button", { name: "Step", exact: true }).click();
  await until(async () => (await page.locator(".iteration-head").textContent()).startsWith("Iteration 2 of 17"), "iteration 2");
  equal((await queueLabels(page)).join(" | "), "step Task-2 | step Task-3 | step Task-4", "iteration 2's ready queue");
  const main = await page.locator("table.tasks tbody tr").first().textContent();
  check(main.includes("Task-1 · main()") && main.includes("waiting for gather") && main.includes("Task-2, Task-3, Task-4"), `main awaits its children: ${main}`);
  // The editor marks the line each task is at.
  check((await page.locator(".cm-task-line, [class*=task]").count()) > 0, "task lines marked in the editor");
  // What this iteration does: each task starts, prints, and sleeps.
  const told = await page.locator(".told li").allTextContents();
  equal(told.slice(0, 3).join(" | "), "Task-2 starts | it prints: 5 before---func1---- | Task-2 awaits sleep at line 15", "iteration 2 told");
  await page.screenshot({ path: path.join(artifacts, "code-mode.png"), fullPage: true });
  // An example chosen in code mode opens as its Python, run by CPython.
  await page.getByLabel("Example").selectOption("02_wait");
  const wait = fs.readFileSync(path.join(root, "tests/programs/examples/02_wait.out"), "utf8");
  await until(async () => (await codeOutput(page)) === wait, "02_wait's output", 30000);
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

/// Opens code mode in a fresh page and waits for CPython's first run;
/// returns the editor.
async function openCodeMode(page) {
  await page.goto(site + "?mode=code");
  const editor = page.getByRole("textbox", { name: "Python program" });
  await editor.waitFor({ timeout: 30000 });
  await until(async () => (await page.locator(".code-output li").count()) > 0, "the first run", 60000);
  return editor;
}

/// Replaces the program in code mode's editor, as typed.
async function replaceProgram(page, editor, text) {
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

test("code mode: pasted page spaces become plain, a raise is marked at its line, Stop ends CPython", async () => {
  const page = await newPage();
  const editor = await openCodeMode(page);
  // As copied from a tutorial's web page: indented with non-breaking spaces.
  const nb = "\u00a0".repeat(4);
  await replaceProgram(page, editor, `import asyncio\n\nasync def main():\n${nb}print('hi')\n${nb}raise ValueError('boom')\n\nasyncio.run(main())\n`);
  await page.getByText(/8 spaces from a web page/).waitFor();
  await until(async () => (await codeOutput(page)).includes("ValueError: boom"), "the traceback", 30000);
  const lines = await page.locator(".code-output li").allTextContents();
  check(lines[0].endsWith("hi"), `stdout first: ${lines[0]}`);
  check(lines.some((l) => l.includes("stderr") && l.includes("ValueError: boom")), "the traceback is marked stderr");
  await page.getByText("Line 5: ValueError: boom").waitFor();
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByText(/Stopped: CPython's worker was ended/).waitFor();
  await page.context().close();
});

test("a code link opens its program in code mode, runs it, and the address bar follows edits", async () => {
  const page = await newPage();
  const source = "import asyncio\n\nasync def main():\n    print('shared 你好')\n\nasyncio.run(main())\n";
  const link = codeFragment(source);
  await page.goto(site + "#" + link);
  await until(async () => (await codeOutput(page)) === "shared 你好\n", "the shared program's output", 60000);
  const editor = page.getByRole("textbox", { name: "Python program" });
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText("print('after')\n");
  await until(async () => (await codeOutput(page)) === "shared 你好\nafter\n", "the edited program's output", 30000);
  const fragment = new URL(page.url()).hash.slice(1);
  check(fragment.startsWith("py1."), `the address bar holds a code link: ${fragment.slice(0, 12)}`);
  equal(zlib.inflateRawSync(Buffer.from(fragment.slice(4), "base64url")).toString("utf8"), source + "print('after')\n", "the link's program");
  // A damaged code link says so and keeps the learner's own program.
  const other = await newPage({ context: page.context() });
  await other.goto(site + "#py1.%%%");
  await other.getByText(/This link could not be opened/).waitFor({ timeout: 30000 });
  await page.context().close();
});

test("code mode: old tutorial asyncio gets advice at its line, and one click at a time rewrites it into a program CPython 3.11 runs", async () => {
  const page = await newPage();
  const editor = await openCodeMode(page);
  const old = [
    "import asyncio", "", "@asyncio.coroutine", "def hello(n):", "    print('Hello', n)",
    "    yield from asyncio.sleep(n, loop=loop)", "    print('Bye', n, asyncio.Task.current_task().get_name())", "",
    "loop = asyncio.get_event_loop()", "tasks = [hello(1), hello(2)]", "loop.run_until_complete(asyncio.wait(tasks))",
    "future = asyncio.async(hello(3))", "loop.run_until_complete(future)", "loop.close()", "",
  ].join("\n");
  await replaceProgram(page, editor, old);
  const advice = page.locator(".advice li");
  // Python 3.11 stops at the SyntaxError first: asyncio.async, at its line.
  await until(async () => (await advice.allTextContents()).some((a) => a.startsWith("Line 12 asyncio.async()")), "advice at line 12", 30000);
  const told = new Set();
  for (let i = 0; i < 10 && (await advice.count()) > 0; i++) {
    for (const a of await advice.allTextContents()) told.add(a.split(" ").slice(2, 3).join(" "));
    const before = await page.locator(".cm-content").textContent();
    await advice.first().getByRole("button", { name: "Rewrite for Python 3.11" }).click();
    await until(async () => (await page.locator(".cm-content").textContent()) !== before, "the rewrite in the editor", 10000);
    await until(async () => !(await page.locator(".code-status").textContent()).includes("Running"), "the rewritten program's run", 30000);
  }
  check(told.has("asyncio.async()") && told.has("@asyncio.coroutine"), `what was told: ${[...told].join(" | ")}`);
  equal(await advice.count(), 0, "advice left once every rewrite is applied");
  // The rewritten program is what plain python3 runs and prints.
  const rewritten = await page.evaluate(() => [...document.querySelectorAll(".cm-line")].map((l) => l.textContent).join("\n"));
  const python = spawnSync("python3", ["-c", rewritten], { encoding: "utf8" });
  equal(python.stderr, "", "python3's stderr on the rewritten program");
  await until(async () => (await codeOutput(page)) === python.stdout, "the rewritten program's output to be python3's", 30000);
  await page.context().close();
});

test("code mode: a task cancelled live runs the program again with that cancel, and can be taken back", async () => {
  const page = await newPage();
  const editor = await openCodeMode(page);
  const program = [
    "import asyncio", "", "async def work(n):", "    try:", "        await asyncio.sleep(n)", "        print(f'work({n}) done')",
    "    except asyncio.CancelledError:", "        print(f'work({n}) cancelled')", "        raise", "",
    "async def main():", "    print(await asyncio.gather(work(1), work(2), return_exceptions=True))", "",
    "asyncio.run(main())", "",
  ].join("\n");
  await replaceProgram(page, editor, program);
  await until(async () => (await codeOutput(page)) === "work(1) done\nwork(2) done\n[None, None]\n", "the uncancelled run", 30000);
  await page.getByRole("button", { name: "Reset", exact: true }).click();
  await page.getByRole("button", { name: "Step", exact: true }).click();
  await page.getByRole("button", { name: "Step", exact: true }).click();
  const head = await page.locator(".iteration-head").textContent();
  await page.getByRole("button", { name: "Cancel now Task-3" }).click();
  await page.getByText(/You cancelled Task-3/).waitFor({ timeout: 30000 });
  // The learner keeps their place; the cancel is in what this iteration does.
  await until(async () => (await page.locator(".told").textContent()).includes("you cancel Task-3"), "the cancel among this iteration's events", 30000);
  equal((await page.locator(".iteration-head").textContent()).split(" of ")[0], head.split(" of ")[0], "the iteration shown after the cancel");
  await page.getByRole("button", { name: "Run to end", exact: true }).click();
  // As CPython 3.11 prints a gathered task's cancel(): CancelledError('').
  await until(async () => (await codeOutput(page)) === "work(1) done\nwork(2) cancelled\n[None, CancelledError('')]\n", "the output with Task-3 cancelled", 10000);
  await page.getByRole("button", { name: "Run without my cancels" }).click();
  await page.getByRole("button", { name: "Run to end", exact: true }).click();
  await until(async () => (await codeOutput(page)) === "work(1) done\nwork(2) done\n[None, None]\n", "the run without the cancel", 30000);
  await page.context().close();
});

/// CPython's own record of a program (the machine's python3 under the
/// tracer): its main loop's iterations.
function nativeTrace(file) {
  const traced = spawnSync("python3", [path.join(root, "src/python/tracer.py"), "trace", file], { encoding: "utf8", maxBuffer: 64 << 20 });
  const document = JSON.parse(traced.stdout);
  const main = document.snapshots.find((s) => s.main)?.loop;
  return { iterations: document.snapshots.filter((s) => s.loop === main), events: document.events };
}
const virtualTime = (t) => (Number.isInteger(t) ? t.toFixed(1) : String(t));

test("every tutorial example, opened by its code link and pasted verbatim, prints exactly CPython's output and steps through CPython's iterations", async () => {
  const dir = path.join(root, "tests/programs/examples");
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".py")).sort();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", permissions: ["clipboard-read", "clipboard-write"] });
  const page = await newPage({ context });
  for (const [i, name] of names.entries()) {
    const file = path.join(dir, name);
    const source = fs.readFileSync(file, "utf8");
    const expected = fs.readFileSync(file.replace(/\.py$/, ".out"), "utf8");
    const { iterations, events } = nativeTrace(file);
    const last = iterations[iterations.length - 1];
    const ended = `The loop ran ${iterations.length} iterations and ended at t=${virtualTime(last.time)}.`;
    // What gather, wait and as_completed gave, as CPython recorded it.
    const gave = events.filter((e) => e.event === "gave").map((e) => `t=${virtualTime(e.time)} ${e.what} gives ${e.task}: ${e.value}`);
    // By its link (a query makes each a fresh page load).
    const fragment = codeFragment(source);
    await page.goto(`${site}?example=${i}#${fragment}`);
    await until(async () => (await codeOutput(page)) === expected, `${name} by its link: CPython's output`, 60000);
    equal(await page.locator(".iteration-head").textContent(), ended, `${name}: the loop's end`);
    equal((await page.locator(".results li").allTextContents()).join("\n"), gave.join("\n"), `${name}: the results of gather, wait and as_completed`);
    // The first iteration's ready queue is CPython's.
    await page.getByRole("button", { name: "Reset", exact: true }).click();
    equal(
      JSON.stringify(await queueLabels(page)),
      JSON.stringify(iterations[0].ready),
      `${name}: the ready queue at the first iteration`,
    );
    // The timeline: a lane for each of the loop's tasks, in CPython's order.
    const tasks = [];
    for (const s of iterations) for (const [place, view] of s.changed) tasks[place] = view.name;
    equal(JSON.stringify(await page.locator(".timeline .lane").evaluateAll((ls) => ls.map((l) => l.dataset.task))), JSON.stringify(tasks), `${name}: the timeline's lanes`);
    await page.getByRole("button", { name: "Step", exact: true }).click();
    await until(async () => (await page.locator(".iteration-head").textContent()).startsWith(`Iteration ${iterations[1].iteration} of ${iterations.length}`), `${name}: a step`);
    // Pasted, as it is, over the program (a real paste from the clipboard).
    const editor = page.getByRole("textbox", { name: "Python program" });
    await replaceProgram(page, editor, "print('placeholder')\n");
    await until(async () => (await codeOutput(page)) === "placeholder\n", `${name}: the placeholder's run`, 30000);
    await page.evaluate((text) => navigator.clipboard.writeText(text), source);
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Control+v");
    await until(async () => (await codeOutput(page)) === expected, `${name} pasted: CPython's output`, 30000);
  }
  equal(page.errors.join("\n"), "", "console errors");
  await context.close();
});

test("Paste a program: from graph mode to code mode's editor, the program selected for a paste to replace, and Ctrl+Z brings it back", async () => {
  const page = await newPage();
  await open(page);
  await page.getByRole("button", { name: "Paste a program", exact: true }).click();
  const editor = page.getByRole("textbox", { name: "Python program" });
  await editor.waitFor({ timeout: 30000 });
  await page.getByText(/Paste your program \(Ctrl\+V\)/).waitFor();
  await until(async () => (await page.locator(".code-output li").count()) > 0, "the first run", 60000);
  const before = await page.locator(".cm-content").textContent();
  await until(async () => (await page.evaluate(() => String(window.getSelection()).length)) > 20, "the program selected");
  await page.keyboard.insertText("print('pasted')\n");
  await until(async () => (await codeOutput(page)) === "pasted\n", "the pasted program's output", 30000);
  await page.keyboard.press("Control+z");
  await until(async () => (await page.locator(".cm-content").textContent()) === before, "the program before the paste", 10000);
  await page.context().close();
});

test("a code link can hold the moment shown: it opens there, and the address bar follows the cursor", async () => {
  const page = await newPage();
  const source = fs.readFileSync(path.join(root, "tests/programs/examples/01_gather.py"), "utf8");
  const fragment = codeFragment(source);
  await page.goto(`${site}#${fragment}.3`);
  await until(async () => ((await page.locator(".iteration-head").textContent()) ?? "").startsWith("Iteration 4 of"), "the linked moment", 60000);
  // The address bar's link, read back: [program, moment].
  const shown = () => {
    const [body, moment] = new URL(page.url()).hash.slice("#py1.".length).split(".");
    return [zlib.inflateRawSync(Buffer.from(body, "base64url")).toString("utf8"), moment];
  };
  await page.getByRole("button", { name: "Step", exact: true }).click();
  await until(async () => JSON.stringify(shown()) === JSON.stringify([source, "4"]), "the address bar at the next moment", 5000);
  await page.getByRole("button", { name: "Run to end", exact: true }).click();
  await until(async () => JSON.stringify(shown()) === JSON.stringify([source, undefined]), "no moment at the end", 5000);
  await page.context().close();
});

test("code mode: a runaway loop is stopped by the budget, and a thread gets its message at its line", async () => {
  const page = await newPage();
  const editor = await openCodeMode(page);
  await replaceProgram(page, editor, "import asyncio\n\nasync def main():\n    while True:\n        await asyncio.sleep(0)\n\nasyncio.run(main())\n");
  // The page's budget (25,000 iterations, 50,000 events: this loop reaches both at once).
  await page.getByText(/^stopped: the (loop ran past 25,000 iterations|run made more than 50,000 events)/).first().waitFor({ timeout: 60000 });
  await replaceProgram(page, editor, "import asyncio, time\n\nasync def main():\n    loop = asyncio.get_running_loop()\n    await loop.run_in_executor(None, time.sleep, 1)\n\nasyncio.run(main())\n");
  await page.getByText(/Line 5: .*graph mode/).first().waitFor({ timeout: 30000 });
  await page.context().close();
});

test("a preset opened either way draws the same await tree at every iteration: the engine's in graph mode, CPython's in code mode", async () => {
  const page = await newPage();
  await open(page);
  for (const preset of ["01_gather", "08_cancel_all", "shield", "wait_for_timeout_cleanup"]) {
    await page.getByRole("button", { name: "Task graph", exact: true }).click();
    await page.getByLabel("Example").selectOption(preset);
    const trees = async (step, atEnd) => {
      await page.getByRole("button", { name: "Reset", exact: true }).click();
      const seen = [];
      for (let i = 0; i < 60 && !(await atEnd()); i++) {
        seen.push(await page.locator(".await-tree").first().textContent());
        await step();
      }
      return seen;
    };
    const graph = await trees(
      () => button(page, "Step").click(),
      async () => (await button(page, "Step").isDisabled()),
    );
    await page.getByRole("button", { name: "Edit as Python", exact: true }).click();
    await page.locator(".code-output li").first().waitFor({ timeout: 60000 });
    await until(async () => ((await page.locator(".iteration-head").textContent()) ?? "").startsWith("The loop ran"), `${preset}: code mode's run`, 30000);
    const code = await trees(
      () => page.getByRole("button", { name: "Step", exact: true }).click(),
      async () => (await page.getByRole("button", { name: "Step", exact: true }).isDisabled()),
    );
    // Graph mode's Step stays on at the end (the picture stays the last one).
    check(code.length > 3 && graph.length >= code.length, `${preset}: the steps (${graph.length} and ${code.length})`);
    equal(code.join("\n-----\n"), graph.slice(0, code.length).join("\n-----\n"), `${preset}: the await trees, iteration by iteration`);
    check(graph.slice(code.length).every((tree) => tree === code[code.length - 1]), `${preset}: nothing after the end in graph mode`);
  }
  await page.context().close();
});

/// The await graph's edges as drawn: `parent -> child` for each node
/// (task, combinator, awaitable) and each node drawn under it, sorted.
const graphEdges = (page) =>
  page.evaluate(() => {
    const name = (li) => li.querySelector(":scope > .g-node")?.dataset.node;
    const edges = [];
    for (const li of document.querySelectorAll(".await-section .await-graph li")) {
      for (const child of li.querySelectorAll(":scope > ul > li")) edges.push(`${name(li)} -> ${name(child)}`);
    }
    return edges.sort();
  });

/// The edges CPython's picture implies: a task to the combinator it awaits
/// through and that to each task still pending; a task to a task it awaits
/// directly; a waiting task that awaits no task to what it waits for.
function cpythonEdges(tasks) {
  const done = new Set(["returned", "raised", "cancelled"]);
  const pending = new Set(tasks.filter((t) => !done.has(t.state)).map((t) => t.name));
  const edges = [];
  for (const t of tasks.filter((t) => pending.has(t.name))) {
    const children = (t.awaits ?? []).filter((a) => pending.has(a));
    const on = (t.on ?? "").replace(/\(\)$/, "");
    const through = ["gather", "wait", "as_completed", "wait_for", "shield"].includes(on) ? `asyncio.${on}` : null;
    if (children.length && through) {
      edges.push(`${t.name} -> ${through}`);
      for (const c of children) edges.push(`${through} -> ${c}`);
    } else if (children.length) {
      for (const c of children) edges.push(`${t.name} -> ${c}`);
    } else if (t.state === "waiting" && t.on) {
      edges.push(`${t.name} -> ${t.on}`);
    }
  }
  return edges.sort();
}

test("the loop picture: at every iteration the ready queue's items are in CPython's order and the await graph has CPython's edges (gather, wait_for), in both modes", async () => {
  const page = await newPage({ width: 1440, height: 900 });
  await open(page);
  for (const preset of ["01_gather", "wait_for_timeout_cleanup"]) {
    await page.getByRole("button", { name: "Task graph", exact: true }).click();
    await page.getByLabel("Example").selectOption(preset);
    const file = path.join(os.tmpdir(), `picture-${preset}.py`);
    fs.writeFileSync(file, await page.locator(".python-view code").textContent());
    const { iterations } = nativeTrace(file);
    const expected = [];
    const tasks = [];
    for (const s of iterations) {
      for (const [place, view] of s.changed) tasks[place] = view;
      expected.push({ ready: s.ready, edges: cpythonEdges(tasks) });
    }
    check(expected.some((e) => e.edges.some((edge) => edge.includes(preset === "01_gather" ? "asyncio.gather ->" : "asyncio.wait_for ->"))), `${preset}: CPython's pictures show the combinator's edges`);
    for (const mode of ["graph", "code"]) {
      const step = mode === "graph" ? button(page, "Step") : page.getByRole("button", { name: "Step", exact: true });
      if (mode === "code") {
        await page.getByRole("button", { name: "Edit as Python", exact: true }).click();
        await page.locator(".code-output li").first().waitFor({ timeout: 60000 });
        await until(async () => ((await page.locator(".iteration-head").textContent()) ?? "").startsWith("The loop ran"), `${preset}: code mode's run`, 30000);
      }
      await page.getByRole("button", { name: "Reset", exact: true }).click();
      for (const [i, want] of expected.entries()) {
        equal(JSON.stringify(await queueLabels(page)), JSON.stringify(want.ready), `${preset} (${mode} mode): the ready queue at iteration ${i + 1}`);
        equal((await graphEdges(page)).join("\n"), want.edges.join("\n"), `${preset} (${mode} mode): the await graph's edges at iteration ${i + 1}`);
        // The first item is set apart as the one that runs first.
        if (want.ready.length) check((await page.locator(".ready-queue li").first().getAttribute("class")).includes("first"), `${preset}: the first item set apart`);
        if (preset === "01_gather" && i === 4) {
          // The README's pictures: the moment Task-3 wakes, both modes.
          await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
          await page.screenshot({ path: path.join(artifacts, mode === "graph" ? "loop-picture.png" : "loop-picture-code.png") });
        }
        await step.click();
      }
    }
  }
  await page.context().close();
});

test("a first visit opens at the start, inviting Run or Step; stepping from an earlier moment goes on from there", async () => {
  const page = await newPage({ width: 1440, height: 900 });
  await open(page);
  equal(await clock(page), "t=0.0", "the clock on a first visit");
  check((await page.getByTestId("iteration-summary").textContent()).startsWith("Nothing has run yet"), "the invitation");
  equal(await outputText(page), "", "nothing printed yet");
  equal((await queueLabels(page)).join(" | "), "step Task-1", "main's first step queued");
  const slider = page.locator(".run-panel input[type=range]");
  check(Number(await slider.getAttribute("max")) > 5, "the cursor spans the whole run");
  await page.getByLabel("Speed").selectOption("10");
  await button(page, "Run").click();
  await until(async () => (await page.locator(".run-output .status").textContent()).includes("returned"), "the live run's end", 20000);
  const whole = await outputText(page);
  check(whole.includes("Task ret:"), `the whole output after Run: ${whole}`);
  // Back to an earlier moment and Step: the next iteration, with the
  // output as of then (not a jump to the end).
  await slider.fill("3");
  const dragged = Number((await page.getByTestId("iteration").textContent()).replace("iteration ", ""));
  check(dragged > 0 && dragged < 16, `the moment dragged to: iteration ${dragged}`);
  await button(page, "Step").click();
  equal(await page.getByTestId("iteration").textContent(), `iteration ${dragged + 1}`, "a step from there");
  const then = await outputText(page);
  check(then.length < whole.length && whole.startsWith(then), `the output as of then: ${then}`);
  await button(page, "Run to end").click();
  equal(await outputText(page), whole, "the same run's end");
  const ended = await page.getByTestId("iteration").textContent();
  // Mid-way through a live run, back to an earlier moment and Run again:
  // one run goes on from there (the first driver stops), to the same end.
  await button(page, "Reset").click();
  await page.getByLabel("Speed").selectOption("1");
  await button(page, "Run").click();
  await until(async () => (await outputText(page)).length > 0, "the live run under way");
  await slider.fill("1");
  await button(page, "Run").click();
  await page.getByLabel("Speed").selectOption("10");
  await until(async () => ((await page.locator(".run-output .status").textContent()) ?? "").includes("returned"), "the second live run's end", 20000);
  await new Promise((r) => setTimeout(r, 300));
  equal(await outputText(page), whole, "the output after running on from an earlier moment mid-run");
  equal(await page.getByTestId("iteration").textContent(), ended, "the run's last iteration");
  equal(page.errors.join("\n"), "", "console errors");
  await page.context().close();
});

test("motion: a step slides the queue's new items in, and prefers-reduced-motion turns every animation off", async () => {
  for (const reducedMotion of ["no-preference", "reduce"]) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", reducedMotion });
    const page = await newPage({ context });
    await open(page);
    await page.getByRole("button", { name: "Reset", exact: true }).click();
    await button(page, "Step").click();
    const running = await page.evaluate(() => document.getAnimations().filter((a) => a.playState === "running").length);
    if (reducedMotion === "reduce") equal(running, 0, "animations running with reduced motion");
    else check(running > 0, "a step animates the ready queue's new items");
    // A timer that falls due passes from the timers into the queue: at
    // t=3.0 func1_3's sleep ends (the iteration runs it, so neither moment
    // lists it in the queue), drawn as motion only, and not at all with
    // reduced motion.
    const falls = [];
    for (let i = 0; i < 8 && falls.length === 0; i++) {
      await button(page, "Step").click();
      for (const item of await page.locator(".q-fired .q-item").all()) {
        falls.push([await clock(page), await item.textContent(), await item.isVisible()]);
      }
    }
    equal(JSON.stringify(falls), JSON.stringify([["t=3.0", "timer dueend a sleep", reducedMotion === "no-preference"]]), "the timer that fell due");
    await button(page, "Reset").click();
    // At 10x no animation outlives the moment it belongs to.
    await page.getByLabel("Speed").selectOption("10");
    await button(page, "Run").click();
    await until(async () => (await page.locator(".run-output .status").textContent()).includes("returned"), "the live run's end", 20000);
    await new Promise((r) => setTimeout(r, 400));
    equal(await page.evaluate(() => document.getAnimations().filter((a) => a.playState === "running").length), 0, "animations left running after the run");
    equal(page.errors.join("\n"), "", "console errors");
    await context.close();
  }
});

test("graph mode in Chinese: the loop's story, the iteration's line and the loop picture are worded in Chinese", async () => {
  const page = await newPage({ width: 1440, height: 900 });
  await page.goto(`${site}?lang=zh-CN`);
  await page.locator(".run-panel").waitFor();
  const step = page.getByRole("button", { name: "单步", exact: true });
  for (let i = 0; i < 4; i++) await step.click();
  const summary = await page.getByTestId("iteration-summary").textContent();
  equal(summary, "第 4 次迭代：Task-3 继续运行；Task-3 返回 'recv num 3'", "the iteration's line");
  await page.locator(".loop-log summary").click();
  await page.locator(".story li").first().waitFor();
  const story = (await page.locator(".story li").allTextContents()).join("\n");
  for (const line of ["t=0.0 Task-1 创建了 Task-2 · func1_5()；它在 Task-1 让出控制权后开始运行", "t=0.0 Task-2 休眠到 t=5.0", "t=3.0 时钟前进到 t=3.0"]) {
    check(story.includes(line), `the story says ${line}:\n${story}`);
  }
  check(!/\b(starts|sleeps|returns|creates|waits|clock)\b/.test(story), `no English in the story:\n${story}`);
  const graph = await page.locator(".await-section").textContent();
  check(graph.includes("等待 gather") && !graph.includes("waiting"), `the graph's words: ${graph}`);
  equal(await page.locator(".q-tag").textContent(), "先运行", "the queue's first item");
  const tree = await page.locator(".await-tree").textContent();
  check(tree.includes("Task-1 (等待 gather)") && !tree.includes("awaits"), `the text tree's words: ${tree}`);
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
  await page.screenshot({ path: path.join(artifacts, "loop-picture-zh.png") });
  // What a task waits for is worded too: a future, not "future answer".
  await page.getByLabel("示例").selectOption("deadlock");
  await page.getByRole("button", { name: "运行到结束", exact: true }).click();
  const waits = await page.locator(".await-section .g-state").allTextContents();
  check(waits.includes("等待 Future answer"), `main waits for the future, in Chinese: ${waits}`);
  const deadlock = await page.locator("main").textContent();
  check(deadlock.includes("Task-1 等待 Future answer") && !deadlock.includes("future answer"), `the deadlock report: ${deadlock}`);
  await page.context().close();
});

test("code mode in Chinese: the loop's story and the old-code advice are worded in Chinese", async () => {
  const page = await newPage();
  await page.goto(site + "?mode=code&lang=zh-CN");
  await until(async () => (await page.locator(".code-output li").count()) > 0, "the first run", 60000);
  await page.getByRole("button", { name: "重置", exact: true }).click();
  await page.getByRole("button", { name: "单步", exact: true }).click();
  await until(async () => (await page.locator(".told").textContent()).includes("开始运行"), "the iteration's story in Chinese");
  check(!(await page.locator(".told").textContent()).includes(" starts"), "no English in the story");
  const editor = page.getByRole("textbox", { name: "Python 程序" });
  await replaceProgram(page, editor, "import asyncio\n\nasync def main():\n    await asyncio.wait([asyncio.sleep(1)])\n\nasyncio.run(main())\n");
  await until(async () => (await page.locator(".advice li").allTextContents()).some((a) => a.startsWith("第 4 行") && /[\u4e00-\u9fff]/.test(a)), "the advice in Chinese at line 4", 30000);
  await page.context().close();
});

test("code mode: Stop ends a program mid-run, and Run starts a fresh CPython", async () => {
  const page = await newPage();
  const editor = await openCodeMode(page);
  await replaceProgram(page, editor, "while True:\n    pass\n");
  await page.getByText(/^Running on/).waitFor({ timeout: 10000 });
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByText(/Stopped: CPython's worker was ended/).waitFor({ timeout: 5000 });
  await replaceProgram(page, editor, "print('again')\n");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await until(async () => (await codeOutput(page)) === "again\n", "a fresh CPython's output", 60000);
  await page.context().close();
});

test("code mode: a .py file opens as a paste does (page spaces made plain, with a notice), and a huge file is refused", async () => {
  const page = await newPage();
  await openCodeMode(page);
  const nb = "\u3000".repeat(4);
  const input = page.locator("input[type=file]");
  await input.setInputFiles({ name: "tutorial.py", mimeType: "text/x-python", buffer: Buffer.from(`import asyncio\n\nasync def main():\n${nb}print('from a file')\n\nasyncio.run(main())\n`) });
  await page.getByText(/4 spaces from a web page/).waitFor({ timeout: 10000 });
  await until(async () => (await codeOutput(page)) === "from a file\n", "the file's program run", 30000);
  await input.setInputFiles({ name: "huge.py", mimeType: "text/x-python", buffer: Buffer.alloc(600 * 1024, "#") });
  await page.getByText(/That file is 600 KB/).waitFor({ timeout: 10000 });
  equal(await codeOutput(page), "from a file\n", "the program kept");
  // A link's page spaces are made plain, and said so, too.
  const fragment = codeFragment(`print('linked')\nif True:\n\u00a0\u00a0\u00a0\u00a0print('indented')\n`);
  await page.goto(`${site}?again#${fragment}`);
  await page.getByText(/4 spaces from a web page/).waitFor({ timeout: 30000 });
  await until(async () => (await codeOutput(page)) === "linked\nindented\n", "the linked program run", 60000);
  await page.context().close();
});

test("what a new user tripped over: the picker names the example loaded, tasks say what they run (asyncio.run's shutdown said so) as in code mode, the story's numbers fit", async () => {
  const page = await newPage();
  await open(page);
  equal(await page.getByLabel("Example").inputValue(), "01_gather", "the example picker on a first visit");
  await page.getByLabel("Example").selectOption("08_cancel_all");
  equal(await page.getByLabel("Example").inputValue(), "08_cancel_all", "the example picker after choosing one");
  await page.getByLabel("Example").selectOption("01_gather");
  await button(page, "Run to end").click().catch(() => {});
  const graphRows = await page.locator("table.tasks tr.task-row td:first-child").allTextContents();
  check(graphRows.some((r) => r.startsWith("Task-2 · ")), `a task with what it runs: ${graphRows.join(" | ")}`);
  check(graphRows.some((r) => r.includes("shutdown_asyncgens()") && r.includes("asyncio.run's shutdown")), `the shutdown said so: ${graphRows.join(" | ")}`);
  // The timeline's lanes say what each task runs too.
  // (Without the label's title, which holds a long call whole.)
  const laneLabels = async () => page.locator(".timeline-svg:visible .lane .lane-label").evaluateAll((ls) =>
    ls.map((l) => [...l.childNodes].filter((n) => n.nodeName !== "title").map((n) => n.textContent).join("").trim()));
  const graphLanes = await laneLabels();
  check(graphLanes.includes("Task-2 · func1_5()") && graphLanes.includes("Task-5 · shutdown_async…"), `the lanes: ${graphLanes.join(" | ")}`);
  // The story's list numbers (up to 100.) fit inside its margin.
  await page.locator(".loop-log summary").click();
  await page.locator(".story li").first().waitFor();
  const fits = await page.evaluate(() => {
    const list = document.querySelector(".story");
    const item = list?.querySelector("li");
    if (!item) return false;
    const probe = document.createElement("span");
    probe.style.font = getComputedStyle(item).font;
    probe.style.position = "absolute";
    probe.textContent = "100. ";
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return parseFloat(getComputedStyle(list).paddingLeft) >= width;
  });
  check(fits, "the story's two- and three-digit numbers fit");
  // The time cursor spans the whole run from a Reset on, through steps and
  // a live run, not only the moments made so far.
  const slider = page.locator(".run-panel input[type=range]");
  const whole = await slider.getAttribute("max");
  check(Number(whole) > 5, `the whole run's moments: ${whole}`);
  await button(page, "Reset").click();
  equal(await slider.getAttribute("max"), whole, "the cursor's span after Reset");
  equal(await slider.inputValue(), "0", "the cursor after Reset");
  const summary = () => page.getByTestId("iteration-summary").textContent();
  check((await summary()).startsWith("Nothing has run yet"), `the summary after Reset: ${await summary()}`);
  await button(page, "Step").click();
  equal(await slider.getAttribute("max"), whole, "the cursor's span after a step");
  equal(await slider.inputValue(), "1", "the cursor after a step");
  const first = await summary();
  check(first.startsWith("Iteration 1: ") && first.includes("Task-1"), `what iteration 1 did, in one line: ${first}`);
  await button(page, "Run").click();
  await new Promise((r) => setTimeout(r, 300));
  equal(await slider.getAttribute("max"), whole, "the cursor's span during a live run");
  await button(page, "Run to end").click();
  equal(await slider.inputValue(), whole, "the cursor at the end");
  // The same program in code mode names its tasks alike (CPython's words).
  await page.getByRole("button", { name: "Edit as Python", exact: true }).click();
  check(!(await page.locator(".explanation").isVisible()), "no graph explanation in code mode");
  check(!(await button(page, "Undo").isVisible()), "no graph Undo in code mode");
  await until(async () => ((await page.locator(".iteration-head").textContent()) ?? "").startsWith("The loop ran"), "code mode's run", 60000);
  const codeRows = await page.locator("table.tasks tbody th").allTextContents();
  equal(codeRows.join("\n"), graphRows.join("\n"), "the tasks, named in code mode as in graph mode");
  equal((await laneLabels()).join("\n"), graphLanes.join("\n"), "the lanes, named in code mode as in graph mode");
  await page.context().close();
});

test("while a live run waits for a timer at 1x, the clock and the timers' countdown move in real time", async () => {
  const page = await newPage();
  await open(page);
  await page.getByLabel("Example").selectOption("01_gather");
  await button(page, "Reset").click();
  await page.getByLabel("Speed").selectOption("1");
  await button(page, "Run").click();
  // 01_gather's first timer is 3 s away: the loop waits for it.
  await new Promise((r) => setTimeout(r, 1500));
  const seen = await clock(page);
  const t = Number(seen.replace("t=", ""));
  check(t >= 0.5 && t < 3, `the clock while the loop waits: ${seen}`);
  const countdowns = await page.locator(".timers .countdown").allTextContents();
  check(countdowns.length > 0 && countdowns.every((c) => /due in \d+\.\d s/.test(c)), `the timers' countdown: ${countdowns.join(" | ")}`);
  await new Promise((r) => setTimeout(r, 600));
  check(Number((await clock(page)).replace("t=", "")) > t, "the clock moved on");
  await button(page, "Pause").click();
  await page.context().close();
});

test("code mode: a program that never yields is stopped after 30 s and Run starts a fresh CPython", async () => {
  const page = await newPage();
  const editor = await openCodeMode(page);
  await replaceProgram(page, editor, "while True:\n    pass\n");
  await page.getByText(/Stopped: the program ran 30 seconds/).waitFor({ timeout: 45000 });
  // The page itself never froze: CPython ran in its worker.
  const alive = await page.evaluate(() => new Promise((ok) => setTimeout(() => ok(true), 10)));
  check(alive, "the page answers");
  await replaceProgram(page, editor, "print('back again')\n");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await until(async () => (await codeOutput(page)) === "back again\n", "a fresh CPython's output", 60000);
  await page.context().close();
});

let passed = 0;
let failed = 0;
const only = process.env.E2E_ONLY;
const started = Date.now();
for (const [name, fn] of tests) {
  if (only && !name.includes(only)) continue;
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`test ${name} ... ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`test ${name} ... FAILED\n${String(e.stack ?? e).replace(/^/gm, "    ")}`);
  }
}
await browser.close();
server.close();
console.log(`\ntest result: ${failed ? "FAILED" : "ok"}. ${passed} passed; ${failed} failed; finished in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exit(failed ? 1 : 0);
