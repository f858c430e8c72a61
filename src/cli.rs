//! The command-line interface: parses arguments and dispatches to commands.
//! Every command returns an exit code instead of panicking on bad input.

use crate::engine::{Program, Simulation, Status};

const USAGE: &str = "\
asyncio-playground: run asyncio task graphs natively

USAGE:
    asyncio-playground <COMMAND> [OPTIONS]

COMMANDS:
    run EXAMPLE         Run a scenario and print its output
    trace EXAMPLE       Run a scenario and print the loop's trace
    export EXAMPLE      Print a scenario as a Python program
    examples            List the built-in examples
    export-json EXAMPLE Print a scenario as a JSON scenario file
    link SCENARIO       Print a share link's fragment for a scenario
    link-report         Print every example's link length (goal: under 600)
    check SCENARIO      Run a scenario in the engine and under CPython; print
                        \"identical\" or where they first differ
    conform [--count N] [--seed S]
                        Check N random scenarios against CPython; save each
                        failure, shrunk, under tests/conformance/
    generate SEED       Print the random scenario `conform` makes from SEED
    run-py FILE.py      Run a Python program under CPython (the machine's
                        python3) on the tracer's virtual clock; print what
                        it prints
    trace-py FILE.py [--json]
                        Run it so, and print the loop at every iteration
                        and what each did, in words (--json: the tracer's
                        document)
    link-py FILE.py     Print the fragment of a link that opens FILE.py in
                        code mode
    bench [--tasks N]   Benchmark the engine on the standard workload
    bench-tracer [--repeat N]
                        Benchmark the tracer: each preset's Python under
                        CPython, recorded and not, per iteration
    version             Print the version
    help                Print this message

EXAMPLE is the name of a built-in example (see `examples`). SCENARIO is an
example's name, a scenario file (JSON, as `export-json` writes it), or a
share link (`https://…#v1.…`, or just its fragment).
";

/// Runs the command line given without the program name; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["help" | "--help" | "-h", ..] => {
            print!("{USAGE}");
            0
        }
        ["version" | "--version" | "-V"] => {
            println!("asyncio-playground {}", env!("CARGO_PKG_VERSION"));
            0
        }
        ["examples"] => {
            // The gallery's presets: the tutorials first, then the others.
            for preset in crate::gallery::presets() {
                println!("{}", preset.id);
            }
            0
        }
        ["run", name] => with_scenario(name, |program| {
            simulate(program, |sim| print!("{}", sim.output_text()))
        }),
        ["trace", name] => with_scenario(name, |program| {
            simulate(program, |sim| print!("{}", sim.trace_text()))
        }),
        ["export", name] => with_scenario(name, |program| {
            print!("{}", crate::python::export(&program));
            0
        }),
        ["export-json", name] => with_scenario(name, |program| {
            println!("{}", program.to_json_value().pretty());
            0
        }),
        #[cfg(not(target_arch = "wasm32"))]
        ["gallery-links"] => {
            print!("{}", crate::gallery::links_file());
            0
        }
        #[cfg(not(target_arch = "wasm32"))]
        ["hostile-links"] => {
            print!("{}", crate::hostile::links_json());
            0
        }
        ["link-report"] => {
            for preset in crate::gallery::presets() {
                let (name, program) = (preset.id, preset.program);
                let length = crate::link::encode(&crate::link::Shared {
                    program,
                    lang: Some("zh-CN".into()),
                    cursor: None,
                    speed: None,
                })
                .len()
                    + 1;
                let note = if length > 2000 {
                    "  (over 2000: the page warns)"
                } else if length > 600 {
                    "  (over the 600 goal)"
                } else {
                    ""
                };
                println!("{name:<32} {length:>5}{note}");
            }
            0
        }
        ["link", name] => with_scenario(name, |program| {
            let fragment = crate::link::encode(&crate::link::Shared {
                program,
                lang: None,
                cursor: None,
                speed: None,
            });
            println!("#{fragment}");
            0
        }),
        ["link-py", file] => match std::fs::read_to_string(file) {
            Ok(source) => {
                let fragment = crate::link::encode_code(&source);
                if !crate::link::code_link_fits(&source, &fragment) {
                    eprintln!(
                        "{file} is too long for a link ({} bytes, a {}-character fragment): share the file instead",
                        source.len(),
                        fragment.len()
                    );
                    return 1;
                }
                println!("#{fragment}");
                0
            }
            Err(e) => {
                eprintln!("cannot read {file}: {e}");
                1
            }
        },
        #[cfg(not(target_arch = "wasm32"))]
        ["check", name] => with_scenario(name, check),
        #[cfg(not(target_arch = "wasm32"))]
        ["conform", rest @ ..] => conform_cli(rest),
        #[cfg(not(target_arch = "wasm32"))]
        ["generate", seed] => match seed.parse::<u64>() {
            Ok(seed) => {
                println!(
                    "{}",
                    crate::conform::generate(seed).to_json_value().pretty()
                );
                0
            }
            Err(_) => usage_error(&format!(
                "generate takes a seed (a whole number), not `{seed}`"
            )),
        },
        #[cfg(not(target_arch = "wasm32"))]
        ["run-py", file] => match crate::python::cpython::run_file(std::path::Path::new(file)) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("{e}");
                2
            }
        },
        #[cfg(not(target_arch = "wasm32"))]
        ["trace-py", file] => trace_py(file, false),
        #[cfg(not(target_arch = "wasm32"))]
        ["trace-py", file, "--json"] | ["trace-py", "--json", file] => trace_py(file, true),
        ["bench", rest @ ..] => crate::bench::run_cli(rest),
        #[cfg(not(target_arch = "wasm32"))]
        ["bench-tracer", rest @ ..] => crate::bench::tracer_cli(rest),
        [other, ..] => {
            eprintln!("unknown command or arguments: `{}`\n\n{USAGE}", other);
            2
        }
    }
}

/// Runs `f` on the scenario an argument names: a built-in example (a
/// gallery preset), or a JSON scenario file.
fn with_scenario(name: &str, f: impl FnOnce(Program) -> i32) -> i32 {
    let preset = crate::gallery::presets().into_iter().find(|p| p.id == name);
    if let Some(preset) = preset {
        return f(preset.program);
    }
    if name.contains('#') || name.starts_with("v1.") {
        return match crate::link::decode(name) {
            Ok(shared) => f(shared.program),
            Err(e) => {
                eprintln!("cannot open the link: {e}");
                2
            }
        };
    }
    match std::fs::read_to_string(name) {
        Ok(text) => match Program::from_json(&text) {
            Ok(program) => f(program),
            Err(e) => {
                eprintln!("{name} is not a scenario file: {e}");
                2
            }
        },
        Err(_) => {
            eprintln!("no example or file named `{name}`; `asyncio-playground examples` lists the examples");
            2
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn check(program: Program) -> i32 {
    use crate::conform::{compare, Verdict};
    let source = crate::python::export(&program);
    match crate::python::cpython::trace_batch(&[source]) {
        Ok(runs) => match compare(&program, &runs[0]) {
            Verdict::Identical => {
                let count = runs[0].pictures.as_ref().map_or(0, Vec::len);
                println!("identical: {count} snapshots");
                0
            }
            Verdict::Different(_, report) => {
                println!("{report}");
                1
            }
        },
        Err(e) => {
            eprintln!("cannot run CPython: {e}");
            2
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn trace_py(file: &str, json: bool) -> i32 {
    let path = std::path::Path::new(file);
    if !path.is_file() {
        eprintln!("no file named `{file}`");
        return 2;
    }
    match crate::python::cpython::trace_file(path) {
        Ok((text, trace, advice)) => {
            if json {
                print!("{text}");
            } else {
                print!("{}", trace.to_text());
                for a in advice {
                    println!("old asyncio at line {}: {}", a.line, a.en);
                }
            }
            i32::from(trace.error.is_some())
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn conform_cli(args: &[&str]) -> i32 {
    let mut count = 100u64;
    let mut seed = 1u64;
    let mut out_dir = "tests/conformance".to_string();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().copied().unwrap_or("");
        match *flag {
            "--count" => match value.parse() {
                Ok(n) if n > 0 && n <= 1_000_000 => count = n,
                _ => {
                    return usage_error(&format!(
                        "--count takes a number from 1 to 1000000, not `{value}`"
                    ))
                }
            },
            "--seed" => match value.parse() {
                Ok(n) => seed = n,
                _ => return usage_error(&format!("--seed takes a whole number, not `{value}`")),
            },
            "--out" => out_dir = value.to_string(),
            other => return usage_error(&format!("unknown option `{other}`")),
        }
    }
    match crate::conform::run(count, seed, std::path::Path::new(&out_dir)) {
        Ok(summary) => {
            println!("{} passed, {} failed", summary.passed, summary.failed);
            i32::from(summary.failed > 0)
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn usage_error(message: &str) -> i32 {
    eprintln!("{message}\nusage: asyncio-playground conform [--count N] [--seed S] [--out DIR]");
    2
}

/// Runs a program to the end and shows it with `show`; returns the exit code.
fn simulate(program: Program, show: impl FnOnce(&Simulation)) -> i32 {
    match Simulation::new(program) {
        Ok(mut sim) => {
            let status = sim.run_to_end().clone();
            show(&sim);
            report(&status)
        }
        Err(problems) => {
            for p in problems {
                eprintln!("error: {}", p.message);
            }
            2
        }
    }
}

/// Prints how a run ended when it did not simply finish; returns the exit code.
fn report(status: &Status) -> i32 {
    match status {
        Status::Finished => 0,
        Status::Running => 0,
        Status::Deadlock(msg) => {
            eprintln!("{msg}");
            1
        }
        Status::Stopped(stop) => {
            eprintln!("stopped: {stop}");
            1
        }
    }
}
