//! Programs that once crashed, froze or exhausted the page, kept as
//! regression cases: the native tests hold the engine to what each must
//! now do, the end-to-end tests open each one's link in Chromium, and the
//! fuzzer starts from them.

use crate::engine::{Awaitable, Coroutine, Expr, Program, Step, Value};

/// What a hostile program must now do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Validation refuses it; the message holds these words.
    Refused(&'static str),
    /// It runs until a budget stops it; the message holds these words.
    Stopped(&'static str),
    /// It runs and ends as CPython's does: with this exception, outside
    /// `main` or in it.
    Raises(&'static str),
}

pub struct Hostile {
    pub name: &'static str,
    /// What it did to the page before.
    pub was: &'static str,
    pub program: Program,
    pub outcome: Outcome,
}

fn co(name: &str, body: Vec<Step>) -> Coroutine {
    Coroutine::new(name, body)
}

/// `await` of a fresh coroutine handed to the side loop.
fn on_side_loop(c: u32) -> Step {
    Step::Await {
        target: Awaitable::SideLoop(c),
        bind: None,
    }
}

/// `await asyncio.gather(coro())`: a new task each time it runs.
fn gather_fresh(c: u32) -> Step {
    Step::Gather {
        items: vec![Awaitable::Coro(c)],
        return_exceptions: false,
        bind: None,
    }
}

fn await_task(c: u32) -> Step {
    Step::Await {
        target: Awaitable::Task(c),
        bind: None,
    }
}

fn gather_task(c: u32) -> Step {
    Step::Gather {
        items: vec![Awaitable::Task(c)],
        return_exceptions: false,
        bind: None,
    }
}

/// `main` makes tasks of `a` and `b`, lets them start, and returns: they
/// wait for each other, so `asyncio.run`'s cancel of the leftovers goes
/// round them forever.
fn waiting_on_each_other(a: Step, b: Step) -> Program {
    Program {
        epilogue: vec![vec![Expr::str("after asyncio.run")]],
        ..Program::of(vec![
            co(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::CreateTask { coro: 2 },
                    Step::sleep(0.0),
                    Step::print([Expr::str("main returns")]),
                ],
            ),
            co("a", vec![a]),
            co("b", vec![b]),
        ])
    }
}

/// `for x in [1, ..., 10]:` nested `depth` deep around `inner`.
fn nested_loops(depth: usize, inner: Vec<Step>) -> Vec<Step> {
    let list = Expr::Lit(Value::List((1..=10).map(Value::Int).collect()));
    let mut body = inner;
    for i in 0..depth {
        body = vec![Step::ForEach {
            var: format!("x{i}"),
            list: list.clone(),
            body,
        }];
    }
    body
}

/// Every hostile program known, in the order they were found.
pub fn all() -> Vec<Hostile> {
    let mut found = vec![
        Hostile {
            name: "tasks_gather_each_other",
            was: "RangeError: Maximum call stack size exceeded (cancel_task <-> cancel_gather)",
            program: waiting_on_each_other(gather_task(2), gather_task(1)),
            outcome: Outcome::Raises("RecursionError"),
        },
        Hostile {
            name: "tasks_await_each_other",
            was: "stack overflow in Task.cancel",
            program: waiting_on_each_other(await_task(2), await_task(1)),
            outcome: Outcome::Raises("RecursionError"),
        },
        Hostile {
            name: "epilogue_reads_a_missing_coroutine",
            was: "panic at interp.rs (index out of bounds): a dead page",
            program: Program {
                epilogue: vec![vec![Expr::Result(7)]],
                ..Program::of(vec![co("main", vec![])])
            },
            outcome: Outcome::Refused("there is no coroutine #7"),
        },
        Hostile {
            name: "ten_nested_for_loops",
            was: "10^10 iterations in one callback: a frozen tab",
            program: Program::of(vec![co("main", nested_loops(10, vec![]))]),
            outcome: Outcome::Stopped("steps"),
        },
        Hostile {
            name: "side_loop_sleeps_2_24_seconds",
            was: "capacity overflow panic; natively a livelock growing 200 MB/s",
            program: Program::of(vec![
                co("main", vec![on_side_loop(1)]),
                co("far", vec![Step::sleep(16_777_216.0)]),
            ]),
            outcome: Outcome::Refused("more than 30 days"),
        },
        Hostile {
            name: "side_loop_sleeps_past_the_clock",
            was: "(the same, in 30-day sleeps)",
            program: Program::of(vec![
                co("main", vec![on_side_loop(1)]),
                co("far", nested_loops(1, vec![Step::sleep(2_592_000.0)])),
            ]),
            outcome: Outcome::Stopped("virtual clock"),
        },
        Hostile {
            name: "main_sleeps_past_the_clock",
            was: "stopped as \"trace grew too large\", the wrong reason",
            program: Program::of(vec![co(
                "main",
                nested_loops(1, vec![Step::sleep(2_592_000.0)]),
            )]),
            outcome: Outcome::Stopped("virtual clock"),
        },
        Hostile {
            name: "inline_awaits_fan_out",
            was: "5x10^11 inline calls in one callback, no end seen",
            program: Program::of(
                (0..40)
                    .map(|i| {
                        let call = Step::Await {
                            target: Awaitable::Coro(i + 1),
                            bind: None,
                        };
                        let name = if i == 0 {
                            "main".into()
                        } else {
                            format!("c{i}")
                        };
                        let body = if i == 39 {
                            vec![Step::print([Expr::str("leaf")])]
                        } else {
                            vec![call.clone(), call]
                        };
                        Coroutine::new(&name, body)
                    })
                    .collect(),
            ),
            outcome: Outcome::Stopped("steps"),
        },
        Hostile {
            name: "a_loop_that_prints",
            was: "100 M trace events against a 5 M limit: 70 s and 8 GB",
            program: Program::of(vec![co(
                "main",
                nested_loops(8, vec![Step::print([Expr::str("tick")])]),
            )]),
            outcome: Outcome::Stopped("steps"),
        },
        Hostile {
            name: "a_loop_that_makes_tasks",
            was: "1,000,001 tasks against a 100 k limit",
            program: Program::of(vec![
                co("main", nested_loops(6, vec![gather_fresh(1)])),
                co("work", vec![]),
            ]),
            outcome: Outcome::Stopped("tasks"),
        },
        Hostile {
            name: "side_loop_makes_tasks",
            was: "tasks on the side loop went uncounted: 2.7 to 6 GB",
            program: Program::of(vec![
                co("main", vec![on_side_loop(1)]),
                co("spawner", nested_loops(6, vec![gather_fresh(2)])),
                co("work", vec![]),
            ]),
            outcome: Outcome::Stopped("tasks"),
        },
        Hostile {
            name: "name_with_a_unicode_digit",
            was: "accepted, exported as Python that CPython refuses",
            program: Program::of(vec![co("main", vec![]), co("a²", vec![])]),
            outcome: Outcome::Refused("not a Python name"),
        },
        Hostile {
            name: "loops_nested_21_deep",
            was: "accepted, exported as Python that CPython refuses",
            program: Program::of(vec![co(
                "main",
                nested_loops(21, vec![Step::print([Expr::str("deep")])]),
            )]),
            outcome: Outcome::Refused("nest too deeply for Python"),
        },
    ];
    found.push(Hostile {
        name: "prints_a_list_of_big_results",
        was: "(found in review) a line built whole before it was counted: about 1 GB",
        program: Program::of(vec![
            co(
                "main",
                vec![
                    Step::Gather {
                        items: vec![Awaitable::Coro(1); 1000],
                        return_exceptions: false,
                        bind: Some("results".into()),
                    },
                    Step::print(vec![Expr::var("results"); 100]),
                ],
            ),
            co(
                "big",
                vec![Step::ret(Expr::Lit(Value::str(&"x".repeat(10_000))))],
            ),
        ]),
        outcome: Outcome::Stopped("printed more than"),
    });
    found.push(Hostile {
        name: "cancel_through_layers_of_gathers",
        was: "(found in review) one cancel down 2^40 paths inside one callback",
        program: {
            // Layer k's two tasks each gather both tasks of layer k + 1.
            let layers = 40;
            let mut coroutines = vec![co(
                "main",
                (1..=2 * layers)
                    .map(|c| Step::CreateTask { coro: c })
                    .chain([
                        Step::sleep(0.0),
                        Step::Cancel {
                            task: 1,
                            bind: None,
                        },
                    ])
                    .collect(),
            )];
            for layer in 0..layers {
                for i in 0..2 {
                    let body = if layer + 1 == layers {
                        vec![Step::sleep(1.0)]
                    } else {
                        vec![Step::Gather {
                            items: vec![
                                Awaitable::Task(2 * (layer + 1) + 1),
                                Awaitable::Task(2 * (layer + 1) + 2),
                            ],
                            return_exceptions: false,
                            bind: None,
                        }]
                    };
                    coroutines.push(co(&format!("layer{layer}_{i}"), body));
                }
            }
            Program::of(coroutines)
        },
        outcome: Outcome::Stopped("events"),
    });
    found.push(Hostile {
        name: "names_the_export_uses",
        was: "(found in review) accepted, and the export ran differently",
        program: Program::of(vec![
            co("main", vec![Step::CreateTask { coro: 1 }]),
            co("worker", vec![]),
            co("worker_task", vec![]),
        ]),
        outcome: Outcome::Refused("what the exported Python calls worker's task"),
    });
    found.push(Hostile {
        name: "a_program_too_long_to_draw",
        was: "78 k steps: 28 s to export, quadratic",
        program: Program::of(vec![co(
            "main",
            (0..6_000).map(|_| Step::sleep(0.0)).collect(),
        )]),
        outcome: Outcome::Refused("steps; the playground shows at most"),
    });
    found
}

/// The end-to-end tests' list of links (`tests/e2e/hostile-links.json`,
/// written by `asyncio-playground hostile-links`; a test checks it is
/// current): each hostile program's link, and what the page must say.
pub fn links_json() -> String {
    use crate::json::Json;
    let entries = all()
        .into_iter()
        .map(|h| {
            let (outcome, words) = match h.outcome {
                Outcome::Refused(w) => ("refused", w),
                Outcome::Stopped(w) => ("stopped", w),
                Outcome::Raises(w) => ("raises", w),
            };
            let fragment = crate::link::encode(&crate::link::Shared {
                program: h.program,
                lang: None,
                cursor: None,
                speed: None,
            });
            Json::Obj(vec![
                ("name".into(), Json::str(h.name)),
                ("outcome".into(), Json::str(outcome)),
                ("words".into(), Json::str(words)),
                ("fragment".into(), Json::str(&fragment)),
            ])
        })
        .collect();
    Json::Arr(entries).pretty() + "\n"
}
