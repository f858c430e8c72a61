//! The engine against CPython: the tutorial programs print exactly what
//! CPython 3.11 printed for their Python originals, and every exported
//! program, run live under CPython on a virtual clock, prints exactly what
//! the engine predicts.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::engine::{Simulation, Status};
use asyncio_playground::examples::tutorial_examples;
use asyncio_playground::python::{self, cpython as oracle};

fn engine_output(program: asyncio_playground::engine::Program) -> String {
    let mut sim = Simulation::new(program).expect("a valid program");
    assert_eq!(sim.run_to_end(), &Status::Finished);
    sim.output_text()
}

#[test]
fn tutorial_programs_print_what_cpython_printed() {
    for (name, program) in tutorial_examples() {
        let expected = std::fs::read_to_string(format!("tests/programs/examples/{name}.out"))
            .unwrap_or_else(|e| panic!("tests/programs/examples/{name}.out: {e}"));
        assert_eq!(engine_output(program), expected, "{name}");
    }
}

#[test]
fn exported_programs_print_and_show_under_cpython_what_the_engine_predicts() {
    use asyncio_playground::conform::{compare, Verdict};
    let examples = tutorial_examples();
    let sources: Vec<String> = examples.iter().map(|(_, p)| python::export(p)).collect();
    let runs = oracle::trace_batch(&sources).expect("CPython (python3) must be installed");
    for ((name, program), run) in examples.into_iter().zip(runs) {
        assert_eq!(run.error, None, "{name} raised under CPython");
        assert!(
            run.pictures.as_ref().is_some_and(|p| p.len() > 3),
            "{name}: no pictures"
        );
        if let Verdict::Different(kind, report) = compare(&program, &run) {
            panic!("{name} ({kind:?}):\n{report}");
        }
        assert_eq!(run.stdout, engine_output(program), "{name}");
    }
}

#[test]
fn every_gallery_preset_prints_and_shows_what_cpython_does_at_every_iteration() {
    use asyncio_playground::conform::{compare, Verdict};
    let presets = asyncio_playground::gallery::presets();
    let sources: Vec<String> = presets.iter().map(|p| python::export(&p.program)).collect();
    let runs = oracle::trace_batch(&sources).expect("CPython (python3) must be installed");
    for (preset, run) in presets.iter().zip(runs) {
        match compare(&preset.program, &run) {
            Verdict::Identical => {}
            Verdict::Different(kind, report) => panic!("{} ({kind:?}):\n{report}", preset.id),
        }
    }
}
