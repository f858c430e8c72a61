//! Runs Python programs under CPython on a virtual clock, through the
//! project's harness (`tests/oracle/vclock.py`, embedded here so the
//! command-line tool works from any directory). A batch starts Python once.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const HARNESS: &str = include_str!("../tests/oracle/vclock.py");

/// What CPython printed for one program.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonRun {
    pub stdout: String,
    /// The last line of the traceback, if the program raised.
    pub error: Option<String>,
}

/// Runs every program in one CPython process; results in the same order.
pub fn run_batch(sources: &[String]) -> Result<Vec<PythonRun>, String> {
    let dir =
        std::env::temp_dir().join(format!("asyncio-playground-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let harness = dir.join("vclock.py");
    std::fs::write(&harness, HARNESS).map_err(|e| format!("cannot write the harness: {e}"))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg(&harness)
        .arg("--batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {python}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin for python")?;
    let requests: String = sources
        .iter()
        .enumerate()
        .map(|(id, source)| format!("{}\n", json_request(id, source)))
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
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() || runs.len() != sources.len() {
        return Err(format!(
            "the harness answered {} of {} programs ({status})",
            runs.len(),
            sources.len()
        ));
    }
    Ok(runs)
}

fn json_request(id: usize, source: &str) -> String {
    format!("{{\"id\": {id}, \"source\": {}}}", json_string(source))
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses `{"id": N, "stdout": "...", "error": null | "..."}` as the harness
/// writes it (json.dumps: ASCII only, standard escapes).
fn parse_response(line: &str) -> Result<PythonRun, String> {
    let field = |name: &str| -> Result<Option<String>, String> {
        let key = format!("\"{name}\": ");
        let start = line.find(&key).ok_or(format!("no {name} in {line}"))? + key.len();
        let rest = &line[start..];
        if rest.starts_with("null") {
            return Ok(None);
        }
        parse_json_string(rest).map(Some)
    };
    Ok(PythonRun {
        stdout: field("stdout")?.unwrap_or_default(),
        error: field("error")?,
    })
}

fn parse_json_string(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    if chars.next() != Some('"') {
        return Err(format!("expected a string at {s}"));
    }
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(out),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let unit = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                    if (0xD800..0xDC00).contains(&unit) {
                        // A surrogate pair: the low half follows as \uXXXX.
                        let low: String = chars.by_ref().skip(2).take(4).collect();
                        let low = u32::from_str_radix(&low, 16).map_err(|e| e.to_string())?;
                        let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                    } else {
                        out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
                    }
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("unterminated string".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_round_trip_through_the_parser() {
        let text = "a \"quoted\" \\ line\nnext\ttab 协程 😀";
        assert_eq!(parse_json_string(&json_string(text)).unwrap(), text);
        // json.dumps escapes non-ASCII as \uXXXX, astral characters as pairs.
        assert_eq!(
            parse_json_string(r#""\u534f\u7a0b \ud83d\ude00""#).unwrap(),
            "协程 😀"
        );
    }
}
