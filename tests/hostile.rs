//! Every program that once crashed, froze or exhausted the page (see
//! `hostile.rs`) now runs within its budget, or is refused or stopped with
//! a plain message; where CPython has an answer, it is CPython's.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::conform::{compare, Verdict};
use asyncio_playground::engine::{Outside, Simulation, Status};
use asyncio_playground::hostile::{self, Outcome};
use asyncio_playground::python::{self, cpython as oracle};

#[test]
fn every_hostile_program_ends_as_it_must() {
    for h in hostile::all() {
        let name = h.name;
        match (Simulation::new(h.program.clone()), h.outcome) {
            (Err(problems), Outcome::Refused(words)) => assert!(
                problems.iter().any(|p| p.message.contains(words)),
                "{name}: no problem says {words:?}: {problems:#?}"
            ),
            (Ok(mut sim), Outcome::Stopped(words)) => match sim.run_to_end().clone() {
                Status::Stopped(stop) => {
                    let message = stop.to_string();
                    assert!(message.contains(words), "{name}: {message}");
                    assert!(stop.task.is_some(), "{name}: no task named in {message}");
                }
                other => panic!("{name}: expected a stop, got {other:?}"),
            },
            (Ok(mut sim), Outcome::Raises(kind)) => {
                assert_eq!(sim.run_to_end(), &Status::Finished, "{name}");
                let raised = sim.uncaught().map(|e| e.traceback_line());
                assert!(
                    raised.as_deref().is_some_and(|e| e.starts_with(kind)),
                    "{name}: raised {raised:?}"
                );
            }
            (Ok(mut sim), expected) => {
                panic!(
                    "{name}: ran to {:?}, expected {expected:?}",
                    sim.run_to_end()
                )
            }
            (Err(problems), expected) => {
                panic!("{name}: refused ({problems:?}), expected {expected:?}")
            }
        }
    }
}

#[test]
fn the_end_to_end_tests_open_the_links_of_these_very_programs() {
    let stored = std::fs::read_to_string("tests/e2e/hostile-links.json").unwrap_or_default();
    assert!(
        stored == hostile::links_json(),
        "tests/e2e/hostile-links.json is stale: regenerate it with \
         `cargo run -- hostile-links > tests/e2e/hostile-links.json`"
    );
}

#[test]
fn tasks_that_wait_for_each_other_make_asyncio_run_raise_as_in_cpython() {
    let cycles: Vec<_> = hostile::all()
        .into_iter()
        .filter(|h| h.outcome == Outcome::Raises("RecursionError"))
        .collect();
    assert_eq!(cycles.len(), 2);
    let sources: Vec<String> = cycles.iter().map(|h| python::export(&h.program)).collect();
    let runs = oracle::run_batch(&sources).expect("CPython (python3) must be installed");
    for (h, run) in cycles.iter().zip(runs) {
        // CPython printed main's line, not the one after asyncio.run.
        assert_eq!(run.stdout, "main returns\n", "{}", h.name);
        assert!(
            run.error
                .as_deref()
                .is_some_and(|e| e.starts_with("RecursionError")),
            "{}: {:?}",
            h.name,
            run.error
        );
        assert_eq!(compare(&h.program, &run), Verdict::Identical, "{}", h.name);
        let mut sim = Simulation::new(h.program.clone()).unwrap();
        sim.run_to_end();
        assert_eq!(
            sim.raised_outside_main().map(|(_, outside)| *outside),
            Some(Outside::AsyncioRun),
            "{}",
            h.name
        );
        let cycle = sim.with_loop(|l| l.describe_cancel_cycle());
        assert_eq!(cycle, "Task-2 → Task-3 → Task-2", "{}", h.name);
    }
}

#[test]
fn a_long_program_exports_with_each_step_on_its_line() {
    // 78,000 steps took the exporter 28 s when it counted every line
    // written so far at each step; it now counts each line once.
    let steps = 78_000;
    let program = asyncio_playground::engine::Program {
        coroutines: vec![asyncio_playground::engine::Coroutine::new(
            "main",
            (0..steps)
                .map(|i| asyncio_playground::engine::Step::sleep(i as f64))
                .collect(),
        )],
        ..Default::default()
    };
    let (source, lines) = python::export_with_lines(&program);
    let text: Vec<&str> = source.lines().collect();
    assert_eq!(lines[0].len(), steps);
    for (i, line) in lines[0].iter().enumerate() {
        let expected = format!("    await asyncio.sleep({i}.0)");
        assert_eq!(text[*line as usize - 1], expected, "step {i}");
    }
}

#[test]
fn when_main_raises_and_leaves_a_cycle_the_traceback_ends_with_recursion_error() {
    use asyncio_playground::engine::{Awaitable, Coroutine, ExcKind, Program, Step};
    let wait_for = |c| Step::Await {
        target: Awaitable::Task(c),
        bind: None,
    };
    let program = Program::of(vec![
        Coroutine::new(
            "main",
            vec![
                Step::CreateTask { coro: 1 },
                Step::CreateTask { coro: 2 },
                Step::sleep(0.0),
                Step::Raise {
                    kind: ExcKind::ValueError,
                    message: Some("boom".into()),
                },
            ],
        ),
        Coroutine::new("a", vec![wait_for(2)]),
        Coroutine::new("b", vec![wait_for(1)]),
    ]);
    let runs = oracle::run_batch(&[python::export(&program)]).expect("CPython (python3)");
    assert!(
        runs[0]
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("RecursionError")),
        "CPython: {:?}",
        runs[0].error
    );
    assert_eq!(compare(&program, &runs[0]), Verdict::Identical);
}
