//! The command-line interface: parses arguments and dispatches to commands.
//! Every command returns an exit code instead of panicking on bad input.

use crate::engine::{Program, Simulation, Status};
use crate::examples::tutorial_examples;

const USAGE: &str = "\
asyncio-playground: run asyncio task graphs natively

USAGE:
    asyncio-playground <COMMAND> [OPTIONS]

COMMANDS:
    run EXAMPLE         Run a scenario and print its output
    trace EXAMPLE       Run a scenario and print the loop's trace
    export EXAMPLE      Print a scenario as a Python program
    examples            List the built-in examples
    bench [--tasks N]   Benchmark the engine on the standard workload
    version             Print the version
    help                Print this message

EXAMPLE is the name of a built-in example (see `examples`).
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
            for (name, _) in tutorial_examples() {
                println!("{name}");
            }
            0
        }
        ["run", name] => with_example(name, |program| {
            simulate(program, |sim| print!("{}", sim.output_text()))
        }),
        ["trace", name] => with_example(name, |program| {
            simulate(program, |sim| print!("{}", sim.trace_text()))
        }),
        ["export", name] => with_example(name, |program| {
            print!("{}", crate::python::export(&program));
            0
        }),
        ["bench", rest @ ..] => crate::bench::run_cli(rest),
        [other, ..] => {
            eprintln!("unknown command or arguments: `{}`\n\n{USAGE}", other);
            2
        }
    }
}

fn with_example(name: &str, f: impl FnOnce(Program) -> i32) -> i32 {
    match tutorial_examples().into_iter().find(|(n, _)| *n == name) {
        Some((_, program)) => f(program),
        None => {
            eprintln!("no example named `{name}`; `asyncio-playground examples` lists them");
            2
        }
    }
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
        Status::Deadlock(msg) | Status::Stopped(msg) => {
            eprintln!("{msg}");
            1
        }
    }
}
