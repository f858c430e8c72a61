//! Bad input never panics the engine: invalid programs are refused with
//! every problem located, deadlocks and runaway programs end with a clear
//! message, and random programs (valid or not) never crash validation, the
//! engine or the exporter.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::engine::{
    validate, Awaitable, Budget, CallbackFn, Coroutine, ExcKind, Expr as E, Handler, Limit,
    Location, Program, ReturnWhen, Severity, Simulation, Status, Step,
};
use asyncio_playground::python;

fn co(name: &str, body: Vec<Step>) -> Coroutine {
    Coroutine::new(name, body)
}

fn program(coroutines: Vec<Coroutine>) -> Program {
    Program {
        coroutines,
        ..Program::default()
    }
}

/// The error messages of a program, with where each is.
fn errors(program: &Program) -> Vec<(Location, String)> {
    validate(program, &Budget::default())
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.location, p.message))
        .collect()
}

fn at(coro: u32, path: &[u32]) -> Location {
    Location::Coroutine {
        coro,
        path: path.to_vec(),
    }
}

#[test]
fn every_problem_is_reported_at_once_and_located() {
    let p = program(vec![
        co(
            "main",
            vec![
                Step::sleep(-1.0),
                Step::sleep(f64::NAN),
                Step::Block { seconds: 1e12 },
                Step::CreateTask { coro: 7 },
                Step::Await {
                    target: Awaitable::Task(2),
                    bind: None,
                },
                Step::Reraise,
                Step::print([E::var("undefined")]),
            ],
        ),
        co(
            "worker",
            vec![Step::Cancel {
                task: 1,
                bind: None,
            }],
        ),
        co("never_created", vec![]),
    ]);
    let found = errors(&p);
    let expect = [
        (at(0, &[0]), "negative"),
        (at(0, &[1]), "not a number"),
        (at(0, &[2]), "more than 30 days"),
        (at(0, &[3]), "no coroutine #7"),
        (at(0, &[5]), "inside an `except`"),
        (at(0, &[6]), "`undefined` is never assigned"),
        (at(1, &[0]), "cannot wait for or cancel itself"),
        (at(2, &[]), "never created"),
    ];
    for (location, words) in expect {
        assert!(
            found
                .iter()
                .any(|(l, m)| *l == location && m.contains(words)),
            "no problem containing {words:?} at {location:?} in {found:#?}"
        );
    }
    assert!(
        Simulation::new(p).is_err(),
        "an invalid program must not run"
    );
}

#[test]
fn names_with_markup_duplicates_or_keywords_are_refused() {
    for bad in ["<script>alert(1)</script>", "", "2fast", "class", "a b"] {
        let p = program(vec![co("main", vec![]), co(bad, vec![])]);
        assert!(!errors(&p).is_empty(), "{bad:?} was accepted as a name");
    }
    let p = program(vec![
        co("main", vec![]),
        co("twin", vec![]),
        co("twin", vec![]),
    ]);
    assert!(errors(&p)
        .iter()
        .any(|(_, m)| m.contains("two coroutines are named `twin`")));
    // Chinese names are valid Python identifiers.
    let p = program(vec![co("main", vec![]), co("任务", vec![])]);
    assert!(errors(&p).is_empty());
}

#[test]
fn an_inline_await_cycle_is_refused() {
    let call = |c| Step::Await {
        target: Awaitable::Coro(c),
        bind: None,
    };
    let p = program(vec![
        co("main", vec![call(1)]),
        co("ping", vec![call(2)]),
        co("pong", vec![call(1)]),
    ]);
    assert!(errors(&p)
        .iter()
        .any(|(_, m)| m.contains("leads back to it")));
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_without_overflowing() {
    let mut body = vec![Step::sleep(0.0)];
    for _ in 0..10_000 {
        body = vec![Step::Try {
            body,
            handlers: vec![],
            finally: vec![Step::sleep(0.0)],
        }];
    }
    let p = program(vec![co("main", body)]);
    assert!(errors(&p)
        .iter()
        .any(|(_, m)| m.contains("nest too deeply for Python")));
    // `if` needs none of CPython's blocks; the playground's own limit
    // still holds.
    let mut body = vec![Step::sleep(0.0)];
    for _ in 0..10_000 {
        body = vec![Step::If {
            cond: E::int(1),
            then: body,
            otherwise: vec![],
        }];
    }
    let p = program(vec![co("main", body)]);
    assert!(errors(&p).iter().any(|(_, m)| m.contains("nest more than")));
}

#[test]
fn too_many_coroutines_are_refused() {
    let coroutines = (0..2000).map(|i| co(&format!("c{i}"), vec![])).collect();
    let found = validate(&program(coroutines), &Budget::default());
    assert!(found
        .iter()
        .any(|p| p.message.contains("more than the playground runs")));
}

#[test]
fn awaiting_a_future_nobody_sets_is_reported_as_a_deadlock() {
    let p = Program {
        futures: vec!["answer".into()],
        ..program(vec![co(
            "main",
            vec![Step::Await {
                target: Awaitable::Future(0),
                bind: None,
            }],
        )])
    };
    let mut sim = Simulation::new(p).unwrap();
    match sim.run_to_end() {
        Status::Deadlock(report) => {
            assert!(
                report
                    .to_string()
                    .contains("Task-1 waits for future answer"),
                "{report}"
            )
        }
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

#[test]
fn tasks_that_keep_creating_each_other_stop_at_the_task_budget() {
    // ping gathers a fresh pong task and pong a fresh ping task, forever.
    let gather = |c| Step::Gather {
        items: vec![Awaitable::Coro(c)],
        return_exceptions: false,
        bind: None,
    };
    let p = program(vec![
        co("main", vec![gather(1)]),
        co("ping", vec![gather(2)]),
        co("pong", vec![gather(1)]),
    ]);
    let budget = Budget {
        max_tasks: 500,
        ..Budget::default()
    };
    let mut sim = Simulation::with_budget(p, budget).unwrap();
    match sim.run_to_end() {
        Status::Stopped(stop) => assert_eq!(stop.limit, Limit::Tasks(500), "{stop}"),
        other => panic!("expected the budget to stop it, got {other:?}"),
    }
}

#[test]
fn a_run_that_passes_the_callback_budget_stops_with_a_message() {
    let p = asyncio_playground::bench::workload(500);
    let budget = Budget {
        max_callbacks: 2_000,
        ..Budget::default()
    };
    let mut sim = Simulation::with_budget(p, budget).unwrap();
    match sim.run_to_end() {
        Status::Stopped(stop) => assert_eq!(stop.limit, Limit::Callbacks(2_000), "{stop}"),
        other => panic!("expected the budget to stop it, got {other:?}"),
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn index(&mut self) -> u32 {
        // Mostly valid indexes, sometimes far out of range.
        if self.below(10) == 0 {
            self.below(1000) as u32
        } else {
            self.below(5) as u32
        }
    }

    fn seconds(&mut self) -> f64 {
        match self.below(12) {
            0 => -1.0,
            1 => f64::NAN,
            2 => 1e300,
            3 => 0.0,
            _ => self.below(40) as f64 / 10.0,
        }
    }

    fn var(&mut self) -> Option<String> {
        ["x", "y", "results"]
            .get(self.below(4) as usize)
            .map(|s| s.to_string())
    }
}

fn random_expr(rng: &mut Rng) -> E {
    match rng.below(9) {
        0 => E::int(rng.below(100) as i64),
        1 => E::str("<b>text</b> \"quoted\""),
        2 => E::Var(rng.var().unwrap_or_default()),
        3 => E::Time,
        4 => E::Result(rng.index()),
        5 => E::Done(rng.index()),
        6 => E::Len(rng.var().unwrap_or_default()),
        7 => E::SortedResults(rng.var().unwrap_or_default()),
        _ => E::ArgResult,
    }
}

fn random_awaitable(rng: &mut Rng) -> Awaitable {
    match rng.below(4) {
        0 => Awaitable::Task(rng.index()),
        1 => Awaitable::Coro(rng.index()),
        2 => Awaitable::SideLoop(rng.index()),
        _ => Awaitable::Future(rng.index()),
    }
}

fn random_block(rng: &mut Rng, depth: u32) -> Vec<Step> {
    (0..rng.below(5)).map(|_| random_step(rng, depth)).collect()
}

fn random_step(rng: &mut Rng, depth: u32) -> Step {
    let nested = depth < 3;
    match rng.below(if nested { 24 } else { 18 }) {
        0 => Step::sleep(rng.seconds()),
        1 => Step::Block {
            seconds: rng.seconds(),
        },
        2 => Step::print([random_expr(rng), random_expr(rng)]),
        3 => Step::ret(random_expr(rng)),
        4 => Step::Raise {
            kind: ExcKind::ALL[rng.below(9) as usize],
            message: Some("boom".into()),
        },
        5 => Step::CreateTask { coro: rng.index() },
        6 => Step::Await {
            target: random_awaitable(rng),
            bind: rng.var(),
        },
        7 => Step::Gather {
            items: (0..rng.below(4)).map(|_| random_awaitable(rng)).collect(),
            return_exceptions: rng.below(2) == 0,
            bind: rng.var(),
        },
        8 => Step::Wait {
            items: (0..rng.below(4)).map(|_| rng.index()).collect(),
            timeout: (rng.below(2) == 0).then(|| rng.seconds()),
            return_when: [
                ReturnWhen::AllCompleted,
                ReturnWhen::FirstCompleted,
                ReturnWhen::FirstException,
            ][rng.below(3) as usize],
            done: rng.var(),
            pending: rng.var(),
        },
        9 => Step::WaitFor {
            target: random_awaitable(rng),
            timeout: (rng.below(3) != 0).then(|| rng.seconds()),
            bind: rng.var(),
        },
        10 => Step::Shield {
            target: random_awaitable(rng),
            bind: rng.var(),
        },
        11 => Step::Cancel {
            task: rng.index(),
            bind: rng.var(),
        },
        12 if rng.below(2) == 0 => Step::CallSoonThreadsafe {
            callback: rng.index(),
        },
        12 => Step::EventSet { event: rng.index() },
        13 => Step::EventWait { event: rng.index() },
        14 => Step::QueuePut {
            queue: rng.index(),
            value: random_expr(rng),
        },
        15 => Step::QueueGet {
            queue: rng.index(),
            bind: rng.var(),
        },
        16 => Step::SetResult {
            future: rng.index(),
            value: random_expr(rng),
        },
        17 => Step::Reraise,
        18 => Step::AsCompleted {
            items: (0..rng.below(4)).map(|_| rng.index()).collect(),
            timeout: (rng.below(2) == 0).then(|| rng.seconds()),
            bind: rng.var(),
            body: random_block(rng, depth + 1),
        },
        19 => Step::Try {
            body: random_block(rng, depth + 1),
            handlers: vec![Handler {
                kind: ExcKind::ALL[rng.below(9) as usize],
                body: random_block(rng, depth + 1),
            }],
            finally: random_block(rng, depth + 1),
        },
        20 => Step::If {
            cond: random_expr(rng),
            then: random_block(rng, depth + 1),
            otherwise: random_block(rng, depth + 1),
        },
        21 => Step::ForEach {
            var: "x".into(),
            list: random_expr(rng),
            body: random_block(rng, depth + 1),
        },
        22 => Step::WithLock {
            lock: rng.index(),
            body: random_block(rng, depth + 1),
        },
        _ => Step::WithSemaphore {
            semaphore: rng.index(),
            body: random_block(rng, depth + 1),
        },
    }
}

fn random_program(rng: &mut Rng) -> Program {
    let count = 1 + rng.below(5) as usize;
    Program {
        coroutines: (0..count)
            .map(|i| co(&format!("c{i}"), random_block(rng, 0)))
            .collect(),
        callbacks: vec![CallbackFn {
            name: "cb".into(),
            print: vec![E::str("cb at"), E::Time],
        }],
        futures: vec!["f0".into(), "f1".into()],
        locks: vec!["l0".into()],
        semaphores: vec![("s0".into(), 1)],
        events: vec!["e0".into()],
        queues: vec![("q0".into(), 1)],
        ..Program::default()
    }
}

#[test]
fn random_programs_never_panic_validation_engine_or_export() {
    let budget = Budget {
        max_callbacks: 20_000,
        max_tasks: 200,
        max_trace_events: 100_000,
        ..Budget::default()
    };
    let (mut ran, mut refused, mut ran_two_loops) = (0, 0, 0);
    for seed in 1..=10000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let program = random_program(&mut rng);
        let _ = python::export(&program);
        let two_loops = program.uses_side_loop();
        match Simulation::with_budget(program, budget) {
            Ok(mut sim) => {
                ran += 1;
                ran_two_loops += usize::from(two_loops);
                sim.run_to_end();
                let _ = sim.trace_text();
            }
            Err(problems) => {
                refused += 1;
                assert!(!problems.is_empty());
            }
        }
    }
    // The generator must exercise both paths, or the test proves little.
    assert!(
        ran > 100 && refused > 100 && ran_two_loops > 5,
        "ran {ran} ({ran_two_loops} with a side loop), refused {refused}"
    );
}
