//! The validator agrees with CPython 3.11 on what the exported Python may
//! hold: the names it accepts are names Python reads as written, and the
//! nesting it accepts compiles, one level more does not.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Stdio};

use asyncio_playground::engine::pyrules::name_problem;
use asyncio_playground::engine::{
    validate, Budget, Coroutine, ExcKind, Expr, Handler, Program, Severity, Step,
};
use asyncio_playground::json::Json;
use asyncio_playground::python::{self, cpython as oracle};

#[test]
fn the_identifier_table_is_what_cpython_3_11_prints() {
    let out = Command::new("python3")
        .arg("scripts/gen-identifier-table")
        .output()
        .expect("CPython (python3) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = std::fs::read_to_string("src/engine/identifier_table.rs").unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "src/engine/identifier_table.rs is stale: regenerate it with scripts/gen-identifier-table"
    );
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Names from characters that test the rules: letters and digits of
/// several scripts, fullwidth and compatibility forms, superscripts,
/// combining marks, Hangul jamo, and what is never in a name.
fn random_name(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "a", "Z", "_", "7", "é", "任", "务", "ゆ", "Δ", "ж", "ｍ", "Ａ", "ﬁ", "²", "ª", "ℌ", "Ⅻ",
        "\u{301}", "\u{1161}", "\u{11A8}", "가", "-", " ", "!", "😀", "٣", "\u{200d}", "ǅ",
        "class", "print", "None", "\u{0CD5}", "ß", "İ", "µ",
    ];
    (0..1 + rng.below(4))
        .map(|_| PARTS[rng.below(PARTS.len() as u64) as usize])
        .collect()
}

#[test]
fn names_the_validator_accepts_are_names_python_reads_as_written() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let names: Vec<String> = (0..3000).map(|_| random_name(&mut rng)).collect();
    // CPython's reading of `name = 1`: the name it assigns, or nothing.
    let script = r#"
import ast, json, sys
for line in sys.stdin:
    name = json.loads(line)
    try:
        read = ast.parse(f"{name} = 1").body[0].targets[0].id
    except Exception:
        read = None
    print(json.dumps(read))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("CPython (python3) must be installed");
    let input: String = names
        .iter()
        .map(|n| format!("{}\n", Json::str(n).text()))
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let answers = String::from_utf8(out.stdout).unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for (name, answer) in names.iter().zip(answers.lines()) {
        let read = Json::parse(answer).unwrap();
        let as_written = read.as_str() == Some(name.as_str());
        match name_problem(name) {
            None => {
                accepted += 1;
                assert!(
                    as_written,
                    "accepted {name:?}, which Python reads as {answer}"
                );
            }
            Some(problem) => {
                refused += 1;
                // Characters that Python changes in some names (a jamo
                // joins the syllable before it) are refused in all.
                let why = if problem.contains("reserved") {
                    python::is_reserved(name)
                } else {
                    !as_written || problem.contains("may read")
                };
                assert!(
                    why,
                    "refused {name:?} ({problem}), which Python reads as written"
                );
            }
        }
    }
    assert!(
        accepted > 300 && refused > 300,
        "{accepted} accepted, {refused} refused"
    );
}

/// A body of `depth` random block steps, each inside the last, with a
/// print at the bottom.
fn random_nesting(rng: &mut Rng, depth: usize) -> Vec<Step> {
    let mut body = vec![Step::print([Expr::str("deep")])];
    for _ in 0..depth {
        body = match rng.below(7) {
            0 => vec![Step::ForEach {
                var: "x".into(),
                list: Expr::Lit(asyncio_playground::engine::Value::List(
                    vec![asyncio_playground::engine::Value::Int(1)].into(),
                )),
                body,
            }],
            1 => vec![Step::If {
                cond: Expr::int(1),
                then: body,
                otherwise: vec![],
            }],
            2 => vec![Step::WithLock { lock: 0, body }],
            3 => vec![Step::Try {
                body,
                handlers: vec![],
                finally: vec![Step::print([Expr::str("finally")])],
            }],
            4 => vec![Step::Try {
                body: vec![],
                handlers: vec![Handler {
                    kind: ExcKind::ValueError,
                    body,
                }],
                finally: vec![],
            }],
            5 => vec![Step::Try {
                body: vec![],
                handlers: vec![Handler {
                    kind: ExcKind::ValueError,
                    body: vec![],
                }],
                finally: body,
            }],
            _ => vec![Step::Try {
                body,
                handlers: vec![Handler {
                    kind: ExcKind::KeyError,
                    body: vec![],
                }],
                finally: vec![],
            }],
        };
    }
    body
}

#[test]
fn nesting_the_validator_accepts_compiles_and_the_rest_does_not() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let programs: Vec<Program> = (0..600)
        .map(|_| {
            let depth = 4 + rng.below(24) as usize;
            Program {
                locks: vec!["lock".into()],
                ..Program {
                    coroutines: vec![Coroutine::new("main", random_nesting(&mut rng, depth))],
                    ..Program::default()
                }
            }
        })
        .collect();
    let mut compiler = oracle::Compiler::start().expect("CPython (python3) must be installed");
    for (i, p) in programs.iter().enumerate() {
        compiler.check(i, &python::export(p)).unwrap();
    }
    let refused_by_cpython: Vec<usize> = compiler
        .finish()
        .unwrap()
        .into_iter()
        .map(|(i, error)| {
            assert!(
                error.contains("too many statically nested blocks"),
                "{error}"
            );
            i
        })
        .collect();
    let (mut accepted, mut refused) = (0, 0);
    for (i, p) in programs.iter().enumerate() {
        let errors: Vec<String> = validate(p, &Budget::default())
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.message)
            .collect();
        let compiles = !refused_by_cpython.contains(&i);
        if errors.is_empty() {
            accepted += 1;
            assert!(
                compiles,
                "accepted, but CPython refuses:\n{}",
                python::export(p)
            );
        } else {
            refused += 1;
            // Deeper than the playground's own 32 may compile (ifs).
            let ours = errors.iter().all(|e| e.contains("nest more than"));
            assert!(
                !compiles || ours,
                "refused ({errors:?}), but CPython compiles:\n{}",
                python::export(p)
            );
        }
    }
    assert!(
        accepted > 100 && refused > 100,
        "{accepted} accepted, {refused} refused"
    );
}
