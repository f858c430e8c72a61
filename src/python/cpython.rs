//! Runs Python programs under CPython on a virtual clock, through the
//! tracer (`tracer.py`, embedded here so the command-line tool works from
//! any directory): their output, and if asked, the pictures of their
//! loop. A batch starts Python once.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use super::picture::Picture;
use super::trace::{read_advice, Advice, Trace};
use crate::json::Json;

/// The tracer, one Python module (see its own doc).
pub const TRACER: &str = include_str!("tracer.py");

/// What CPython printed for one program.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonRun {
    pub stdout: String,
    /// The last line of the traceback, if the program raised.
    pub error: Option<String>,
    /// The pictures of its first loop, when they were asked for.
    pub pictures: Option<Vec<Picture>>,
    /// The whole run (every loop's pictures, what was written, the
    /// events), when it was asked for.
    pub trace: Option<Trace>,
    /// How long the run took CPython, in real seconds (the tracer's
    /// recording included, starting Python not).
    pub seconds: Option<f64>,
    /// Old asyncio the program uses, when traced.
    pub advice: Vec<Advice>,
}

/// Runs every program in one CPython process; results in the same order.
pub fn run_batch(sources: &[String]) -> Result<Vec<PythonRun>, String> {
    run_batch_with(sources, false)
}

/// [`run_batch`], with the pictures of each program's loop at every
/// iteration.
pub fn trace_batch(sources: &[String]) -> Result<Vec<PythonRun>, String> {
    run_batch_with(sources, true)
}

/// The tracer written out for `python3` to run, removed when dropped.
struct TracerFile {
    dir: std::path::PathBuf,
    path: std::path::PathBuf,
}

impl TracerFile {
    fn write() -> Result<TracerFile, String> {
        // A directory each: batches may run in parallel (test threads).
        static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "asyncio-playground-tracer-{}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join("tracer.py");
        std::fs::write(&path, TRACER).map_err(|e| format!("cannot write the tracer: {e}"))?;
        Ok(TracerFile { dir, path })
    }
}

impl Drop for TracerFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs a Python file through the tracer, its output going where this
/// process's goes; returns the exit code (1 if the program raised or was
/// stopped, with the traceback or the reason on stderr).
pub fn run_file(path: &std::path::Path) -> Result<i32, String> {
    let tracer = TracerFile::write()?;
    let status = Command::new(python())
        .arg(&tracer.path)
        .arg("run")
        .arg(path)
        .status()
        .map_err(|e| format!("cannot start {}: {e}", python()))?;
    Ok(status.code().unwrap_or(1))
}

/// Traces a Python file: its whole run, as the tracer's JSON document
/// (its text, and read).
pub fn trace_file(path: &std::path::Path) -> Result<(String, Trace, Vec<Advice>), String> {
    let tracer = TracerFile::write()?;
    let output = Command::new(python())
        .arg(&tracer.path)
        .arg("trace")
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", python()))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let json = Json::parse(text.trim()).map_err(|e| {
        format!(
            "the tracer's answer is not JSON ({e}); it ended with {}",
            output.status
        )
    })?;
    let trace = Trace::from_json(&json)?;
    Ok((text, trace, read_advice(&json)))
}

fn run_batch_with(sources: &[String], trace: bool) -> Result<Vec<PythonRun>, String> {
    let tracer = TracerFile::write()?;
    let python = python();
    let mut child = Command::new(&python)
        .arg(&tracer.path)
        .arg("--batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {python}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin for python")?;
    let requests: String = sources
        .iter()
        .enumerate()
        .map(|(id, source)| format!("{}\n", json_request(id, source, trace)))
        .collect();
    // Write from another thread: CPython answers while it reads, and both
    // pipes could fill up if one side waited for the other.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(requests.as_bytes());
    });
    let stdout = child.stdout.take().ok_or("no stdout from python")?;
    let mut runs = Vec::with_capacity(sources.len());
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading from python: {e}"))?;
        runs.push(parse_response(&line)?);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() || runs.len() != sources.len() {
        return Err(format!(
            "the harness answered {} of {} programs ({status})",
            runs.len(),
            sources.len()
        ));
    }
    Ok(runs)
}

fn json_request(id: usize, source: &str, trace: bool) -> String {
    let mut fields = vec![
        ("id".into(), Json::int(id as i64)),
        ("source".into(), Json::str(source)),
    ];
    if trace {
        fields.push(("trace".into(), Json::Bool(true)));
    }
    Json::Obj(fields).text()
}

/// Parses `{"id": N, "stdout": "...", "error": null | "..."}` as the harness
/// writes it (json.dumps: ASCII only, standard escapes).
fn parse_response(line: &str) -> Result<PythonRun, String> {
    let json = Json::parse(line).map_err(|e| format!("{e} in {line}"))?;
    let field = |name: &str| match json.get(name) {
        Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s.clone())),
        _ => Err(format!("no {name} in {line}")),
    };
    let trace = match json.get("trace") {
        Some(document @ Json::Obj(_)) => Some(Trace::from_json(document)?),
        _ => None,
    };
    let pictures = trace
        .as_ref()
        .map(|t| t.main_loop().map(|l| t.pictures(l)).unwrap_or_default());
    Ok(PythonRun {
        stdout: field("stdout")?.unwrap_or_default(),
        error: field("error")?,
        pictures,
        trace,
        seconds: json.get("seconds").and_then(Json::as_f64),
        advice: json.get("trace").map(read_advice).unwrap_or_default(),
    })
}

/// Asks CPython whether programs compile, as they stream in: one
/// `python3` process reads them while the caller goes on (the fuzzer
/// checks every program it exports).
pub struct Compiler {
    stdin: Option<std::process::ChildStdin>,
    child: std::process::Child,
    answers: std::thread::JoinHandle<Result<Vec<(usize, String)>, String>>,
    sent: usize,
}

const COMPILE: &str = r#"
import json, sys
for line in sys.stdin:
    request = json.loads(line)
    try:
        compile(request["source"], "exported.py", "exec")
        continue
    except SyntaxError as e:
        error = f"{type(e).__name__}: {e.msg} (line {e.lineno})"
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    print(json.dumps({"id": request["id"], "error": error}), flush=True)
"#;

impl Compiler {
    pub fn start() -> Result<Compiler, String> {
        let python = python();
        let mut child = Command::new(&python)
            .args(["-c", COMPILE])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {python}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout from python")?;
        let answers = std::thread::spawn(move || {
            let mut failures = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line.map_err(|e| format!("reading from python: {e}"))?;
                let json = Json::parse(&line).map_err(|e| format!("{e} in {line}"))?;
                let id = json.get("id").and_then(Json::as_f64).unwrap_or(-1.0) as usize;
                let error = json.get("error").and_then(Json::as_str).unwrap_or("?");
                failures.push((id, error.to_string()));
            }
            Ok(failures)
        });
        Ok(Compiler {
            stdin: child.stdin.take(),
            child,
            answers,
            sent: 0,
        })
    }

    /// Sends a program to compile; `id` names it in what `finish` returns.
    pub fn check(&mut self, id: usize, source: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("the compiler has finished")?;
        writeln!(stdin, "{}", json_request(id, source, false)).map_err(|e| e.to_string())?;
        self.sent += 1;
        Ok(())
    }

    /// How many programs were sent.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// Waits for CPython to read everything; returns the programs it
    /// refused, with its SyntaxError.
    pub fn finish(mut self) -> Result<Vec<(usize, String)>, String> {
        drop(self.stdin.take());
        let failures = self
            .answers
            .join()
            .map_err(|_| "the reader thread panicked".to_string())??;
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("python3 ended with {status}"));
        }
        Ok(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_round_trip_through_the_parser() {
        let text = "a \"quoted\" \\ line\nnext\ttab 协程 😀";
        let request = Json::parse(&json_request(7, text, false)).unwrap();
        assert_eq!(request.get("source").and_then(Json::as_str), Some(text));
        // json.dumps escapes non-ASCII as \uXXXX, astral characters as pairs.
        let run =
            parse_response(r#"{"id": 7, "stdout": "\u534f\u7a0b \ud83d\ude00", "error": null}"#)
                .unwrap();
        assert_eq!((run.stdout.as_str(), run.error), ("协程 😀", None));
    }
}
