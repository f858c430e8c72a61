//! The tracer (`src/python/tracer.py`) against CPython itself: it prints
//! what CPython prints, and the pictures and events it records are the
//! ones worked out by hand from CPython's rules.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use asyncio_playground::python::cpython::{self, PythonRun};
use asyncio_playground::python::picture::Picture;
use asyncio_playground::python::trace::{Event, Stream};

fn programs(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_tracer_prints_what_cpython_printed_for_every_tutorial_example() {
    let files = programs("tests/programs/examples");
    assert!(files.len() >= 14, "the tutorial examples are missing");
    let sources: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("a program"))
        .collect();
    let runs = cpython::run_batch(&sources).expect("CPython (python3) must be installed");
    for (file, run) in files.iter().zip(runs) {
        let expected = std::fs::read_to_string(file.with_extension("out")).expect("its output");
        assert_eq!(run.error, None, "{}", file.display());
        assert_eq!(run.stdout, expected, "{}", file.display());
    }
}

/// What a command printed: (stdout, stderr, whether it succeeded).
fn output(command: &mut Command) -> (String, String, bool) {
    let out = command.output().expect("python3 must be installed");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn tracer_file() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracer-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("tracer.py");
    std::fs::write(&path, cpython::TRACER).expect("the tracer written");
    path
}

/// Tutorial-style programs in every style the tracer must handle, run by
/// plain CPython on the real clock (their sleeps are short and far apart,
/// so its output is fixed) and by the tracer on the virtual clock: the
/// same stdout and the same stderr, tracebacks and warnings included.
#[test]
fn the_tracer_prints_what_plain_cpython_prints_for_tutorial_style_programs() {
    let files = programs("tests/programs/tutorials");
    assert!(files.len() >= 20, "the tutorial-style programs are missing");
    let tracer = tracer_file();
    // A few at a time: the real-clock runs must not starve each other.
    for chunk in files.chunks(4) {
        let children: Vec<_> = chunk
            .iter()
            .map(|file| {
                let plain = Command::new("python3")
                    .arg(file)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("python3 must be installed");
                (file, plain)
            })
            .collect();
        for (file, plain) in children {
            let plain = plain.wait_with_output().expect("python3 ran");
            let traced = output(Command::new("python3").arg(&tracer).arg("run").arg(file));
            let name = file.display();
            assert_eq!(
                traced.0,
                String::from_utf8_lossy(&plain.stdout),
                "{name}: stdout"
            );
            assert_eq!(
                traced.1,
                String::from_utf8_lossy(&plain.stderr),
                "{name}: stderr"
            );
            assert_eq!(traced.2, plain.status.success(), "{name}: exit status");
            // Recorded (as code mode runs it), it prints the same.
            let (document, _, _) =
                output(Command::new("python3").arg(&tracer).arg("trace").arg(file));
            let json = asyncio_playground::json::Json::parse(document.trim()).expect("a document");
            let recorded =
                asyncio_playground::python::trace::Trace::from_json(&json).expect("a trace");
            let printed: String = recorded
                .output
                .iter()
                .filter(|l| l.stream == Stream::Stdout)
                .map(|l| format!("{}\n", l.text))
                .collect();
            assert_eq!(
                printed,
                String::from_utf8_lossy(&plain.stdout),
                "{name}: recorded stdout"
            );
        }
    }
}

/// A picture in one line, to compare with one worked out by hand:
/// `t | ready | timers | each task's state, what it waits on, line, awaits`.
fn line(p: &Picture) -> String {
    let timers: Vec<String> = p.timers.iter().map(|(t, w)| format!("{t}:{w}")).collect();
    let tasks: Vec<String> = p
        .tasks
        .iter()
        .map(|t| {
            let mut s = format!("{} {}", t.name, t.state);
            if let Some(on) = &t.on {
                s += &format!(" on {on}");
            }
            if let Some(v) = &t.value {
                s += &format!(" {v}");
            }
            if let Some(l) = t.line {
                s += &format!(" @{l}");
            }
            if !t.awaits.is_empty() {
                s += &format!(" [{}]", t.awaits.join(","));
            }
            s
        })
        .collect();
    format!(
        "t={} | {} | {} | {}",
        p.time,
        p.ready.join(", "),
        timers.join(", "),
        tasks.join("; ")
    )
}

fn trace(source: &str) -> PythonRun {
    cpython::trace_batch(&[source.to_string()])
        .expect("CPython (python3) must be installed")
        .remove(0)
}

fn assert_pictures(source: &str, expected: &[&str]) -> PythonRun {
    let run = trace(source);
    let actual: Vec<String> = run
        .pictures
        .as_ref()
        .expect("pictures")
        .iter()
        .map(line)
        .collect();
    assert_eq!(actual, expected, "\nactual:\n{}\n", actual.join("\n"));
    run
}

// The three iterations `asyncio.run` ends with: its shutdown_asyncgens
// and shutdown_default_executor, each run by run_until_complete.
const SHUTDOWN: [&str; 4] = [
    "step Task-{a}",
    "stop the loop (run_until_complete is done)",
    "step Task-{b}",
    "stop the loop (run_until_complete is done)",
];

/// The end of the run as pictures: `asyncio.run`'s shutdown tasks, after
/// the program's own `tasks`, all done, at time `t`.
fn shutdown(t: &str, tasks: &str, first: u32) -> Vec<String> {
    let a = format!("Task-{first} not started");
    let a_done = format!("Task-{first} returned None");
    let b = format!("Task-{} not started", first + 1);
    let b_done = format!("Task-{} returned None", first + 1);
    let ready: Vec<String> = SHUTDOWN
        .iter()
        .map(|r| {
            r.replace("{a}", &first.to_string())
                .replace("{b}", &(first + 1).to_string())
        })
        .collect();
    vec![
        format!("t={t} | {} |  | {tasks}; {a}", ready[0]),
        format!("t={t} | {} |  | {tasks}; {a_done}", ready[1]),
        format!("t={t} | {} |  | {tasks}; {a_done}; {b}", ready[2]),
        format!("t={t} | {} |  | {tasks}; {a_done}; {b_done}", ready[3]),
    ]
}

fn with_shutdown(main: &[&str], t: &str, tasks: &str, first: u32) -> Vec<String> {
    let mut all: Vec<String> = main.iter().map(|s| s.to_string()).collect();
    all.extend(shutdown(t, tasks, first));
    all
}

#[test]
fn gather_step_by_step() {
    let source = "\
import asyncio

async def work(n):
    await asyncio.sleep(n)
    return n * 10

async def main():
    results = await asyncio.gather(work(2), work(1))
    print(results)

asyncio.run(main())
";
    // Task-1 makes both children and waits in gather; each child starts
    // and sleeps; at t=1 the timer ends Task-3's sleep (the timer's own
    // callback runs first, then the wake-up), Task-3 returns and gather's
    // callback hears it; at t=2 the same for Task-2, after which gather
    // is done and wakes Task-1, which prints and returns.
    let expected = with_shutdown(
        &[
            "t=0 | step Task-1 |  | Task-1 not started",
            "t=0 | step Task-2, step Task-3 |  | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 not started; Task-3 not started",
            "t=0 |  | 1:end a sleep, 2:end a sleep | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 waiting on sleep @4; Task-3 waiting on sleep @4",
            "t=1 | wake Task-3 | 2:end a sleep | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 waiting on sleep @4; Task-3 waiting on sleep @4",
            "t=1 | gather(): a child finished | 2:end a sleep | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 waiting on sleep @4; Task-3 returned 10",
            "t=1 |  | 2:end a sleep | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 waiting on sleep @4; Task-3 returned 10",
            "t=2 | wake Task-2 |  | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 waiting on sleep @4; Task-3 returned 10",
            "t=2 | gather(): a child finished |  | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 returned 20; Task-3 returned 10",
            "t=2 | wake Task-1 |  | Task-1 waiting on gather @8 [Task-2,Task-3]; Task-2 returned 20; Task-3 returned 10",
            "t=2 | stop the loop (run_until_complete is done) |  | Task-1 returned None; Task-2 returned 20; Task-3 returned 10",
        ],
        "2",
        "Task-1 returned None; Task-2 returned 20; Task-3 returned 10",
        4,
    );
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let run = assert_pictures(source, &expected);
    assert_eq!(run.stdout, "[20, 10]\n");
}

#[test]
fn wait_with_a_timeout_step_by_step() {
    let source = "\
import asyncio

async def work(n):
    await asyncio.sleep(n)
    return n

async def main():
    tasks = [asyncio.create_task(work(1)), asyncio.create_task(work(3))]
    done, pending = await asyncio.wait(tasks, timeout=2)
    print(len(done), len(pending))

asyncio.run(main())
";
    // wait() arms its timeout (release a waiter at t=2) and waits on a
    // future of its own; Task-2's end at t=1 only counts down; at t=2 the
    // timeout releases main with one task done, one pending. asyncio.run
    // then cancels the pending Task-3: it wakes from its sleep with
    // CancelledError (its timer, cancelled, is no longer listed), and the
    // gather asyncio.run waits on hears it.
    let waiting = "Task-1 waiting on wait() @9 [Task-2,Task-3]";
    let expected = with_shutdown(
        &[
            "t=0 | step Task-1 |  | Task-1 not started",
            &format!("t=0 | step Task-2, step Task-3 | 2:release a waiter | {waiting}; Task-2 not started; Task-3 not started"),
            &format!("t=0 |  | 1:end a sleep, 2:release a waiter, 3:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 waiting on sleep @4"),
            &format!("t=1 | wake Task-2 | 2:release a waiter, 3:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 waiting on sleep @4"),
            &format!("t=1 | wait(): a task finished | 2:release a waiter, 3:end a sleep | {waiting}; Task-2 returned 1; Task-3 waiting on sleep @4"),
            &format!("t=1 |  | 2:release a waiter, 3:end a sleep | {waiting}; Task-2 returned 1; Task-3 waiting on sleep @4"),
            &format!("t=2 | wake Task-1 | 3:end a sleep | {waiting}; Task-2 returned 1; Task-3 waiting on sleep @4"),
            "t=2 | stop the loop (run_until_complete is done) | 3:end a sleep | Task-1 returned None; Task-2 returned 1; Task-3 waiting on sleep @4",
            "t=2 | wake Task-3 | 3:end a sleep | Task-1 returned None; Task-2 returned 1; Task-3 waiting on sleep @4",
            "t=2 | gather(): a child finished |  | Task-1 returned None; Task-2 returned 1; Task-3 cancelled",
            "t=2 | stop the loop (run_until_complete is done) |  | Task-1 returned None; Task-2 returned 1; Task-3 cancelled",
        ]
        .iter()
        .map(|s| s.as_ref())
        .collect::<Vec<&str>>(),
        "2",
        "Task-1 returned None; Task-2 returned 1; Task-3 cancelled",
        4,
    );
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let run = assert_pictures(source, &expected);
    assert_eq!(run.stdout, "1 1\n");
}

#[test]
fn as_completed_step_by_step() {
    let source = "\
import asyncio

async def work(n):
    await asyncio.sleep(n)
    return n

async def main():
    tasks = [asyncio.create_task(work(2)), asyncio.create_task(work(1))]
    for next_done in asyncio.as_completed(tasks):
        print(await next_done)

asyncio.run(main())
";
    // Each `await next_done` waits on as_completed's queue (for the tasks
    // it was given); a task's end is heard by as_completed's callback,
    // which puts it in the queue and so wakes main.
    let waiting = "Task-1 waiting on as_completed() @10 [Task-2,Task-3]";
    let lines = [
        "t=0 | step Task-1 |  | Task-1 not started".to_string(),
        format!("t=0 | step Task-2, step Task-3 |  | {waiting}; Task-2 not started; Task-3 not started"),
        format!("t=0 |  | 1:end a sleep, 2:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 waiting on sleep @4"),
        format!("t=1 | wake Task-3 | 2:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 waiting on sleep @4"),
        format!("t=1 | as_completed(): a task finished | 2:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 returned 1"),
        format!("t=1 | wake Task-1 | 2:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 returned 1"),
        format!("t=1 |  | 2:end a sleep | {waiting}; Task-2 waiting on sleep @4; Task-3 returned 1"),
        format!("t=2 | wake Task-2 |  | {waiting}; Task-2 waiting on sleep @4; Task-3 returned 1"),
        format!("t=2 | as_completed(): a task finished |  | {waiting}; Task-2 returned 2; Task-3 returned 1"),
        format!("t=2 | wake Task-1 |  | {waiting}; Task-2 returned 2; Task-3 returned 1"),
        "t=2 | stop the loop (run_until_complete is done) |  | Task-1 returned None; Task-2 returned 2; Task-3 returned 1".to_string(),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let expected = with_shutdown(
        &lines,
        "2",
        "Task-1 returned None; Task-2 returned 2; Task-3 returned 1",
        4,
    );
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let run = assert_pictures(source, &expected);
    assert_eq!(run.stdout, "1\n2\n");
}

const CANCELLATION: &str = "\
import asyncio

async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(\"cleaning up\")
        raise

async def main():
    task = asyncio.create_task(worker())
    await asyncio.sleep(1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print(\"main: worker cancelled\")

asyncio.run(main())
";

#[test]
fn a_cancellation_step_by_step() {
    // cancel() cancels the sleep Task-2 waits on, which schedules its
    // wake-up at once (the timer stays armed until the sleep's `finally`
    // cancels it); Task-2 wakes with CancelledError, cleans up and ends
    // cancelled, which wakes main (itself with CancelledError, from
    // `await task`).
    let expected = with_shutdown(
        &[
            "t=0 | step Task-1 |  | Task-1 not started",
            "t=0 | step Task-2 | 1:end a sleep | Task-1 waiting on sleep @12; Task-2 not started",
            "t=0 |  | 1:end a sleep, 10:end a sleep | Task-1 waiting on sleep @12; Task-2 waiting on sleep @5",
            "t=1 | wake Task-1 | 10:end a sleep | Task-1 waiting on sleep @12; Task-2 waiting on sleep @5",
            "t=1 | wake Task-2 | 10:end a sleep | Task-1 waiting on task Task-2 @15 [Task-2]; Task-2 waiting on sleep @5",
            "t=1 | wake Task-1 |  | Task-1 waiting on task Task-2 @15 [Task-2]; Task-2 cancelled",
            "t=1 | stop the loop (run_until_complete is done) |  | Task-1 returned None; Task-2 cancelled",
        ],
        "1",
        "Task-1 returned None; Task-2 cancelled",
        3,
    );
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let run = assert_pictures(CANCELLATION, &expected);
    assert_eq!(run.stdout, "cleaning up\nmain: worker cancelled\n");
}

#[test]
fn a_cancellation_as_events() {
    let run = trace(CANCELLATION);
    let trace = run.trace.expect("a trace");
    let told: Vec<String> = trace
        .events
        .iter()
        .filter(|e| e.time == 1.0 && e.at.is_some_and(|(_, i)| i <= 7))
        .filter_map(|e| match &e.event {
            Event::Runs { task, line } => Some(format!("{task} runs {line:?}")),
            Event::CancelRequested { task, by, .. } => Some(format!("{by:?} cancels {task}")),
            Event::CancelledErrorDelivered { task } => Some(format!("CancelledError into {task}")),
            Event::Awaits { task, on, line } => Some(format!("{task} awaits {on} {line:?}")),
            Event::Finished { task, state, .. } => Some(format!("{task} {state}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        told,
        [
            "Task-1 runs Some(12)",
            "Some(\"Task-1\") cancels Task-2",
            "Task-1 awaits task Task-2 Some(15)",
            "Task-2 runs Some(5)",
            "CancelledError into Task-2",
            "Task-2 cancelled",
            "Task-1 runs Some(15)",
            "CancelledError into Task-1",
            "Task-1 returned",
        ]
    );
    // "cleaning up" is printed after CancelledError reaches Task-2 and
    // before it ends, at t=1.
    let cleaning = trace
        .output
        .iter()
        .find(|l| l.text == "cleaning up")
        .expect("printed");
    assert_eq!((cleaning.time, cleaning.stream), (1.0, Stream::Stdout));
    let before = &trace.events[cleaning.events_before - 1].event;
    assert_eq!(
        before,
        &Event::CancelledErrorDelivered {
            task: "Task-2".into()
        }
    );
}

#[test]
fn a_done_callback_step_by_step() {
    let source = "\
import asyncio

def report(task):
    print(\"done:\", task.result())

async def work():
    await asyncio.sleep(1)
    return 42

async def main():
    task = asyncio.create_task(work())
    task.add_done_callback(report)
    await task

asyncio.run(main())
";
    // Task-2's end schedules its done-callbacks in the order they were
    // added: report first, then main's wake-up (added by `await task`).
    let expected = with_shutdown(
        &[
            "t=0 | step Task-1 |  | Task-1 not started",
            "t=0 | step Task-2 |  | Task-1 waiting on task Task-2 @13 [Task-2]; Task-2 not started",
            "t=0 |  | 1:end a sleep | Task-1 waiting on task Task-2 @13 [Task-2]; Task-2 waiting on sleep @7",
            "t=1 | wake Task-2 |  | Task-1 waiting on task Task-2 @13 [Task-2]; Task-2 waiting on sleep @7",
            "t=1 | call report(), wake Task-1 |  | Task-1 waiting on task Task-2 @13 [Task-2]; Task-2 returned 42",
            "t=1 | stop the loop (run_until_complete is done) |  | Task-1 returned None; Task-2 returned 42",
        ],
        "1",
        "Task-1 returned None; Task-2 returned 42",
        3,
    );
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let run = assert_pictures(source, &expected);
    assert_eq!(run.stdout, "done: 42\n");
}

// ----- the command-line tool: run-py and trace-py -----

fn tool() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asyncio-playground"))
}

fn program_file(name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracer-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, source).expect("the program written");
    path
}

#[test]
fn run_py_prints_exactly_what_the_program_prints() {
    let file = Path::new("tests/programs/examples/03_as_completed.py");
    let (stdout, stderr, ok) = output(tool().arg("run-py").arg(file));
    let expected = std::fs::read_to_string(file.with_extension("out")).expect("its output");
    assert_eq!(
        (stdout.as_str(), stderr.as_str(), ok),
        (expected.as_str(), "", true)
    );
}

#[test]
fn link_py_prints_a_link_that_opens_the_file_exactly() {
    for entry in std::fs::read_dir("tests/programs/examples").expect("the examples") {
        let file = entry.expect("an example").path();
        if file.extension().and_then(|e| e.to_str()) != Some("py") {
            continue;
        }
        let (stdout, stderr, ok) = output(tool().arg("link-py").arg(&file));
        assert!(ok && stderr.is_empty(), "{stderr}");
        let fragment = stdout.trim_end();
        assert!(fragment.starts_with("#py1."), "{fragment}");
        let source = std::fs::read_to_string(&file).expect("the program");
        assert_eq!(
            asyncio_playground::link::decode_code(fragment).as_deref(),
            Ok(source.as_str())
        );
    }
    let (_, stderr, ok) = output(tool().arg("link-py").arg("tests/programs/no-such.py"));
    assert!(!ok && stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn a_file_that_is_not_python_gets_cpythons_syntax_error_at_its_line() {
    let file = program_file("broken.py", "import asyncio\nasync def main(:\n    pass\n");
    let (stdout, stderr, ok) = output(tool().arg("run-py").arg(&file));
    assert!(!ok);
    assert_eq!(stdout, "");
    let plain = output(Command::new("python3").arg(&file));
    assert_eq!(stderr, plain.1, "CPython's own SyntaxError");
    assert!(stderr.contains("line 2") && stderr.ends_with("SyntaxError: invalid syntax\n"));
    // The trace says it too, and where.
    let (text, _, ok) = output(tool().arg("trace-py").arg(&file));
    assert!(!ok);
    assert!(
        text.ends_with("ended at line 2: SyntaxError: invalid syntax\n"),
        "{text}"
    );
}

#[test]
fn input_and_the_network_get_a_plain_message_naming_the_line() {
    let cases = [
        (
            "asks.py",
            "import asyncio\n\nasync def main():\n    name = input('name? ')\n    print(name)\n\nasyncio.run(main())\n",
            "line 4: input() waits for the keyboard",
        ),
        (
            "fetches.py",
            "import asyncio\n\nasync def fetch(host):\n    reader, writer = await asyncio.open_connection(host, 80)\n\nasync def main():\n    # even where the program catches everything\n    print(await asyncio.gather(fetch('example.com'), return_exceptions=True))\n\nasyncio.run(main())\n",
            "line 4: this program uses the network",
        ),
        (
            "downloads.py",
            "import urllib.request\n\nprint(urllib.request.urlopen('http://example.com').read())\n",
            "line 3: this program uses the network",
        ),
        (
            "imports.py",
            "import asyncio\nimport aiohttp\n",
            "line 2: `aiohttp` talks to the network",
        ),
    ];
    for (name, source, message) in cases {
        let file = program_file(name, source);
        let (stdout, stderr, ok) = output(tool().arg("run-py").arg(&file));
        assert!(!ok, "{name}");
        assert_eq!(stdout, "", "{name}");
        assert!(stderr.starts_with(message), "{name}: {stderr}");
        assert!(!stderr.contains("Traceback"), "{name}: a plain message");
    }
}

#[test]
fn endless_programs_stop_at_the_budget_with_a_message() {
    let cases = [
        (
            "ticks.py",
            "import asyncio\n\nasync def main():\n    while True:\n        await asyncio.sleep(1)\n\nasyncio.run(main())\n",
            "stopped: the loop ran past",
        ),
        (
            "spins.py",
            "import asyncio\n\nasync def main():\n    while True:\n        await asyncio.sleep(0)\n\ntry:\n    asyncio.run(main())\nexcept Exception:\n    print('caught')\n",
            "stopped: the loop ran past 100,000 iterations",
        ),
        (
            "naps.py",
            "import time\n\nwhile True:\n    time.sleep(1)\n",
            "stopped: the program called time.sleep more than 100,000 times",
        ),
        (
            "spawns.py",
            "import asyncio\n\nasync def noop():\n    pass\n\nasync def main():\n    while True:\n        asyncio.create_task(noop())\n\nasyncio.run(main())\n",
            "stopped: the program made more than 100,000 tasks",
        ),
        (
            "talks.py",
            "while True:\n    print('again')\n",
            "stopped: the program wrote more than 256 KB",
        ),
    ];
    for (name, source, message) in cases {
        let file = program_file(name, source);
        let (_, stderr, ok) = output(tool().arg("run-py").arg(&file));
        assert!(!ok, "{name}");
        assert!(stderr.starts_with(message), "{name}: {stderr}");
    }
}

#[test]
fn trace_py_tells_each_iteration_in_words_and_as_json() {
    let file = program_file("told.py", CANCELLATION);
    let (text, _, ok) = output(tool().arg("trace-py").arg(&file));
    assert!(ok);
    let expected = "\
    the clock moves to t=1.0
    callback: end a sleep
loop 0, iteration 4, t=1.0
  ready:  wake Task-1
  timers: end a sleep at t=10.0
  Task-1   waiting for sleep, at line 12
  Task-2   waiting for sleep, at line 5
    Task-1 resumes at line 12
    Task-1 asks Task-2 to cancel
    Task-1 awaits task Task-2 at line 15
loop 0, iteration 5, t=1.0
  ready:  wake Task-2
  timers: end a sleep at t=10.0
  Task-1   waiting for task Task-2, at line 15, awaits Task-2
  Task-2   waiting for sleep, at line 5
    Task-2 resumes at line 5
    CancelledError is thrown into Task-2
    | cleaning up
    Task-2 cancelled
";
    assert!(text.contains(expected), "{text}");
    assert!(
        text.starts_with("    the program creates Task-1: main() at line 19\n"),
        "{text}"
    );
    let (json, _, ok) = output(tool().arg("trace-py").arg("--json").arg(&file));
    assert!(ok);
    let document = asyncio_playground::json::Json::parse(json.trim()).expect("JSON");
    let trace = asyncio_playground::python::trace::Trace::from_json(&document).expect("a trace");
    assert_eq!(trace.to_text(), text);
    assert_eq!(trace.pictures(0).len(), 11);
}

#[test]
fn what_goes_to_stderr_is_marked_in_the_trace() {
    let source = "\
import asyncio

async def fail():
    raise ValueError('lost')

async def main():
    asyncio.create_task(fail())
    await asyncio.sleep(1)
    print('main done')

asyncio.run(main())
";
    let run = trace(source);
    let trace = run.trace.expect("a trace");
    // CPython frees Task-2 as soon as its step is over (nothing refers to
    // it), and says so then, at t=0, before main prints at t=1.
    let streams: Vec<(f64, Stream, &str)> = trace
        .output
        .iter()
        .map(|l| (l.time, l.stream, l.text.as_str()))
        .collect();
    assert_eq!(
        streams[0],
        (0.0, Stream::Stderr, "Task exception was never retrieved")
    );
    assert_eq!(streams.last(), Some(&(1.0, Stream::Stdout, "main done")));
    assert_eq!(
        streams[streams.len() - 2],
        (0.0, Stream::Stderr, "ValueError: lost")
    );
    let text = trace.to_text();
    assert!(text.contains("    ! stderr | ValueError: lost\n"), "{text}");
    assert!(text.contains("    | main done\n"), "{text}");
}

/// Old tutorials' asyncio (Python 3.4 to 3.10): each use gets what changed,
/// at its line, in both languages, and a rewrite; applied one after the
/// other, they leave a program 3.11 runs, telling the same story.
#[test]
fn old_tutorial_code_gets_advice_and_rewrites_that_run() {
    let old = "\
import asyncio

@asyncio.coroutine
def hello(n):
    print('Hello', n)
    yield from asyncio.sleep(n, loop=loop)
    print('Bye', n, asyncio.Task.current_task().get_name())

loop = asyncio.get_event_loop()
tasks = [hello(1), hello(2)]
loop.run_until_complete(asyncio.wait(tasks))
future = asyncio.async(hello(3))
loop.run_until_complete(future)
loop.close()
";
    let mut source = old.to_string();
    let mut told = Vec::new();
    for _ in 0..10 {
        let run = trace(&source);
        let advice = run.advice.clone();
        let Some(first) = advice.first() else {
            assert_eq!(run.error, None, "{source}");
            assert_eq!(
                run.stdout, "Hello 1\nHello 2\nBye 1 Task-1\nBye 2 Task-2\nHello 3\nBye 3 Task-4\n",
                "{source}"
            );
            break;
        };
        for a in &advice {
            assert!(!a.zh.is_empty() && a.zh != a.en);
            told.push((a.line, a.en.split(' ').next().unwrap_or("").to_string()));
        }
        source = first.rewrite.clone();
    }
    // Each kind was told at its line of the program as it then was.
    assert!(told.contains(&(12, "asyncio.async()".into())), "{told:?}");
    assert!(
        told.iter()
            .any(|(l, w)| *l == 3 && w == "@asyncio.coroutine"),
        "{told:?}"
    );
    assert!(told.iter().any(|(_, w)| w == "The"), "loop=: {told:?}");
    assert!(
        told.iter().any(|(_, w)| w == "asyncio.Task.current_task()"),
        "{told:?}"
    );
    assert!(
        told.iter().any(|(_, w)| w == "Since"),
        "wait(coroutines): {told:?}"
    );
    assert!(
        !source.contains("yield from") && !source.contains("loop=loop"),
        "{source}"
    );
}

/// The program runs beside the tracer and could rewrite its record; a
/// record that does not hold together is refused, not shown.
#[test]
fn a_record_the_program_rewrote_is_refused() {
    let file = program_file(
        "forges.py",
        // The running tracer: `tracer` in the browser's worker, the main
        // module when run as a script.
        "import asyncio, sys\ntracer = sys.modules['__main__']\n\nasync def main():\n    await asyncio.sleep(1)\n\nasyncio.run(main())\ntracer._tracer.events.clear()\ntracer._tracer.snapshots[-1]['tasks'] = 10**12\n",
    );
    let tracer = tracer_file();
    let (document, _, _) = output(Command::new("python3").arg(&tracer).arg("trace").arg(&file));
    let json = asyncio_playground::json::Json::parse(document.trim()).expect("a document");
    assert_eq!(
        asyncio_playground::python::trace::Trace::from_json(&json),
        Err("the trace does not hold together".to_string())
    );
}

/// What gather, wait and as_completed hand the task they wake, as CPython
/// hands it: gather's list in argument order, wait's done and pending sets
/// (with a timeout, some still pending), as_completed's tasks in the order
/// they finish with their results. Worked out from the programs: 01 and 03
/// sleep 5, 3 and 4 s; 02 sleeps 3, 2 and 4; 11 waits 3 s for sleeps of 1,
/// 2 and 5, then for the rest.
#[test]
fn what_gather_wait_and_as_completed_give_is_told_as_the_caller_resumes() {
    let gave = |file: &str| -> Vec<String> {
        let source = std::fs::read_to_string(format!("tests/programs/examples/{file}.py"))
            .expect("the example");
        let run = trace(&source);
        run.trace
            .expect("a trace")
            .events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Gave { task, what, value } => {
                    Some(format!("t={} {what} → {task}: {value}", e.time))
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        gave("01_gather"),
        ["t=5 gather → Task-1: ['recv num 5', 'recv num 3', 'recv num 4']"]
    );
    assert_eq!(
        gave("02_wait"),
        ["t=4 wait → Task-1: done={Task-2, Task-3, Task-4} pending={}"]
    );
    assert_eq!(
        gave("11_wait_timeout"),
        [
            "t=3 wait → Task-1: done={Task-2, Task-3} pending={Task-4}",
            "t=5 wait → Task-1: done={Task-4} pending={}",
        ]
    );
    // Event.wait() is no asyncio.wait: only the gather gives anything.
    let event = std::fs::read_to_string("tests/programs/tutorials/22_event.py").expect("22_event");
    let told: Vec<String> = trace(&event)
        .trace
        .expect("a trace")
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Gave { what, .. } => Some(what.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(told, ["gather"]);
    assert_eq!(
        gave("03_as_completed"),
        [
            "t=3 as_completed → Task-1: Task-3 → 'recv num 3'",
            "t=4 as_completed → Task-1: Task-4 → 'recv num 4'",
            "t=5 as_completed → Task-1: Task-2 → 'recv num 5'",
        ]
    );
}
