//! Conformance with CPython at scale: every saved regression case, and a
//! fresh batch of random scenarios each run (the seed is printed; set
//! CONFORM_SEED to replay one), must print exactly what CPython prints,
//! and show the loop as CPython's is at every iteration.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::conform::{compare, generate, Verdict};
use asyncio_playground::engine::Program;
use asyncio_playground::python::{self, cpython as oracle};

const FRESH_SCENARIOS: u64 = 300;

fn check_all(named: Vec<(String, Program)>) {
    let sources: Vec<String> = named.iter().map(|(_, p)| python::export(p)).collect();
    let runs = oracle::trace_batch(&sources).expect("CPython (python3) must be installed");
    let failures: Vec<String> = named
        .iter()
        .zip(&runs)
        .filter_map(|((name, program), run)| match compare(program, run) {
            Verdict::Identical => None,
            Verdict::Different(kind, report) => Some(format!("{name} ({kind:?}):\n{report}")),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} differ from CPython:\n{}",
        failures.len(),
        named.len(),
        failures.join("\n")
    );
}

#[test]
fn saved_regression_cases_match_cpython() {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir("tests/conformance").expect("tests/conformance exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let program: Program =
                Program::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            cases.push((path.display().to_string(), program));
        }
    }
    if !cases.is_empty() {
        check_all(cases);
    }
}

#[test]
fn fresh_random_scenarios_match_cpython() {
    let seed = std::env::var("CONFORM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    eprintln!(
        "conformance seeds {seed}..{} (replay with CONFORM_SEED={seed})",
        seed + FRESH_SCENARIOS
    );
    let scenarios = (seed..seed + FRESH_SCENARIOS)
        .map(|s| (format!("seed {s}"), generate(s)))
        .collect();
    check_all(scenarios);
}

#[test]
fn generated_scenarios_cover_every_step_kind() {
    use asyncio_playground::editor::StepKind;
    use asyncio_playground::engine::validate::visit_steps;
    let mut seen = std::collections::HashSet::new();
    for seed in 1..=500 {
        for coro in generate(seed).coroutines {
            visit_steps(&coro.body, &mut |step| {
                seen.insert(StepKind::of(step));
            });
        }
    }
    // Clearing the event main sets would leave later waiters waiting
    // forever, so the generator leaves it out (semantics.rs covers Event).
    let left_out = [StepKind::EventClear];
    for kind in StepKind::ALL {
        if !left_out.contains(&kind) {
            assert!(seen.contains(&kind), "no generated scenario uses {kind:?}");
        }
    }
}
