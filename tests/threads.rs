//! Threads on the virtual clock: `run_in_executor` and
//! `call_soon_threadsafe`. Each test is a claim with the output written
//! out, and the same program, exported to Python and run under CPython
//! with the harness's thread scheduler, must print it too.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::engine::{
    Awaitable, Budget, CallbackFn, Coroutine, ExcKind, Expr, Job, Program, Simulation, Status, Step,
};
use asyncio_playground::python::{self, cpython as oracle};

fn job(name: &str, seconds: f64, value: i64) -> Job {
    Job::new(
        name,
        vec![
            Step::print([Expr::str(&format!("{name} starts")), Expr::Time]),
            Step::Block { seconds },
            Step::print([Expr::str(&format!("{name} ends")), Expr::Time]),
            Step::ret(Expr::int(value)),
        ],
    )
}

fn ticker(times: usize, every: f64) -> Coroutine {
    let mut body = Vec::new();
    for i in 0..times {
        body.push(Step::print([Expr::str(&format!("tick {i}")), Expr::Time]));
        body.push(Step::sleep(every));
    }
    Coroutine::new("ticker", body)
}

fn print_var(label: &str, var: &str) -> Step {
    Step::print([Expr::str(label), Expr::var(var), Expr::Time])
}

/// Runs `program` in the engine and under CPython; both must print
/// `expected`. Returns the engine's finished run, for a closer look.
fn claim(program: Program, expected: &str) -> Simulation {
    let mut sim = Simulation::new(program.clone()).expect("a valid program");
    let status = sim.run_to_end().clone();
    assert_eq!(status, Status::Finished, "{}", sim.trace_text());
    assert_eq!(sim.output_text(), expected, "the engine");
    let source = python::export(&program);
    let run = oracle::run_batch(std::slice::from_ref(&source))
        .expect("CPython (python3) must be installed")
        .remove(0);
    assert_eq!(run.error, None, "CPython raised:\n{source}");
    assert_eq!(run.stdout, expected, "CPython, for:\n{source}");
    sim
}

#[test]
fn a_job_blocks_its_thread_not_the_loop() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::Await {
                        target: Awaitable::Job(0),
                        bind: Step::bind("r"),
                    },
                    print_var("got", "r"),
                ],
            ),
            ticker(3, 0.5),
        ],
        jobs: vec![job("download", 1.2, 42)],
        epilogue: vec![vec![Expr::str("elapsed"), Expr::Time]],
        ..Program::default()
    };
    claim(
        program,
        "download starts 0.0\ntick 0 0.0\ntick 1 0.5\ntick 2 1.0\ndownload ends 1.2\ngot 42 1.2\nelapsed 1.2\n",
    );
}

#[test]
fn the_default_executor_runs_five_jobs_at_once_and_queues_the_rest() {
    let jobs: Vec<Job> = (0..7).map(|i| job(&format!("job{i}"), 1.0, i)).collect();
    let program = Program {
        coroutines: vec![Coroutine::new(
            "main",
            vec![
                Step::Gather {
                    items: (0..7).map(Awaitable::Job).collect(),
                    return_exceptions: false,
                    bind: Step::bind("results"),
                },
                print_var("results", "results"),
            ],
        )],
        jobs,
        ..Program::default()
    };
    let mut expected = String::new();
    for i in 0..5 {
        expected += &format!("job{i} starts 0.0\n");
    }
    // At t=1 each of the first five ends; the first two workers to finish
    // take the two queued jobs at once.
    expected += "job0 ends 1.0\njob5 starts 1.0\njob1 ends 1.0\njob6 starts 1.0\n";
    expected += "job2 ends 1.0\njob3 ends 1.0\njob4 ends 1.0\n";
    expected += "job5 ends 2.0\njob6 ends 2.0\nresults [0, 1, 2, 3, 4, 5, 6] 2.0\n";
    claim(program, &expected);
}

#[test]
fn the_loop_view_shows_five_jobs_sleeping_on_their_threads_two_queued_then_what_each_returned() {
    use asyncio_playground::engine::snapshot::{JobStatus, TaskState};
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::Gather {
                        items: (0..7).map(Awaitable::Job).collect(),
                        return_exceptions: false,
                        bind: None,
                    },
                ],
            ),
            ticker(3, 0.5),
        ],
        jobs: (0..7).map(|i| job(&format!("job{i}"), 1.0, i)).collect(),
        ..Program::default()
    };
    let mut sim = Simulation::new(program).expect("a valid program");
    let statuses = |sim: &Simulation| -> Vec<(String, JobStatus)> {
        let jobs = sim.snapshot().jobs;
        jobs.into_iter().map(|j| (j.name, j.state)).collect()
    };
    assert_eq!(statuses(&sim), []);
    // The ticker wakes the loop at t=0.5: the first five jobs sleep on
    // the workers until t=1, the other two wait for a free worker.
    while sim.snapshot().time < 0.5 {
        assert!(sim.run_once(), "the run ended early");
    }
    let mut expected: Vec<(String, JobStatus)> = (0..5)
        .map(|i| (format!("job{i}"), JobStatus::Sleeping(1.0)))
        .collect();
    expected.push(("job5".into(), JobStatus::Queued));
    expected.push(("job6".into(), JobStatus::Queued));
    assert_eq!(statuses(&sim), expected);
    sim.run_to_end();
    let finished: Vec<(String, JobStatus)> = (0..7)
        .map(|i| {
            (
                format!("job{i}"),
                JobStatus::Ended(TaskState::Returned(i.to_string())),
            )
        })
        .collect();
    assert_eq!(statuses(&sim), finished);
}

#[test]
fn call_soon_threadsafe_from_a_job_runs_the_callback_in_the_loop_at_once() {
    let program = Program {
        coroutines: vec![Coroutine::new(
            "main",
            vec![
                Step::Await {
                    target: Awaitable::Job(0),
                    bind: None,
                },
                Step::print([Expr::str("main resumes"), Expr::Time]),
            ],
        )],
        callbacks: vec![CallbackFn {
            name: "ring".into(),
            print: vec![Expr::str("ring in the loop"), Expr::Time],
        }],
        jobs: vec![Job::new(
            "caller",
            vec![
                Step::Block { seconds: 0.5 },
                Step::CallSoonThreadsafe { callback: 0 },
                Step::print([Expr::str("caller goes on"), Expr::Time]),
                Step::Block { seconds: 1.0 },
            ],
        )],
        ..Program::default()
    };
    claim(
        program,
        "caller goes on 0.5\nring in the loop 0.5\nmain resumes 1.5\n",
    );
}

#[test]
fn time_sleep_in_a_task_holds_the_loop_while_jobs_go_on() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::sleep(0.0),
                    Step::Block { seconds: 2.0 },
                    Step::print([Expr::str("main unblocks"), Expr::Time]),
                    Step::Await {
                        target: Awaitable::Task(1),
                        bind: Step::bind("r"),
                    },
                    print_var("waiter got", "r"),
                ],
            ),
            Coroutine::new(
                "waiter",
                vec![
                    Step::Await {
                        target: Awaitable::Job(0),
                        bind: Step::bind("r"),
                    },
                    Step::ret(Expr::var("r")),
                ],
            ),
        ],
        jobs: vec![job("job", 0.5, 7)],
        ..Program::default()
    };
    // The job ends at 0.5, during main's time.sleep; its result reaches
    // the loop only once main lets go.
    claim(
        program,
        "job starts 0.0\njob ends 0.5\nmain unblocks 2.0\nwaiter got 7 2.0\n",
    );
}

#[test]
fn cancelling_a_queued_job_stops_it_but_a_running_one_runs_on_and_asyncio_run_waits_for_it() {
    let mut coroutines = vec![Coroutine::new("main", Vec::new())];
    let mut jobs = Vec::new();
    for i in 0..6 {
        // waiter_i awaits job i; the sixth job waits in the queue.
        coroutines.push(Coroutine::new(
            &format!("waiter{i}"),
            vec![Step::Await {
                target: Awaitable::Job(i),
                bind: None,
            }],
        ));
        jobs.push(job(&format!("job{i}"), 3.0, i as i64));
    }
    let mut main = Vec::new();
    for i in 1..=6 {
        main.push(Step::CreateTask { coro: i });
    }
    main.push(Step::sleep(1.0));
    main.push(Step::Cancel {
        task: 1,
        bind: None,
    });
    main.push(Step::Cancel {
        task: 6,
        bind: None,
    });
    main.push(Step::sleep(0.0));
    main.push(Step::print([
        Expr::str("cancelled"),
        Expr::Cancelled(1),
        Expr::Cancelled(6),
        Expr::Time,
    ]));
    coroutines[0].body = main;
    let program = Program {
        coroutines,
        jobs,
        epilogue: vec![vec![Expr::str("asyncio.run returns at"), Expr::Time]],
        ..Program::default()
    };
    let mut expected = String::new();
    for i in 0..5 {
        expected += &format!("job{i} starts 0.0\n");
    }
    expected += "cancelled True True 1.0\n";
    for i in 0..5 {
        expected += &format!("job{i} ends 3.0\n");
    }
    expected += "asyncio.run returns at 3.0\n";
    claim(program, &expected);
}

#[test]
fn a_jobs_exception_reaches_the_task_that_awaits_it_and_wait_for_gives_up_on_a_slow_job() {
    let program = Program {
        coroutines: vec![Coroutine::new(
            "main",
            vec![
                Step::try_except(
                    vec![Step::Await {
                        target: Awaitable::Job(0),
                        bind: None,
                    }],
                    ExcKind::ValueError,
                    vec![Step::print([Expr::str("caught ValueError"), Expr::Time])],
                ),
                Step::try_except(
                    vec![Step::WaitFor {
                        target: Awaitable::Job(1),
                        timeout: Some(1.0),
                        bind: None,
                    }],
                    ExcKind::TimeoutError,
                    vec![Step::print([Expr::str("gave up"), Expr::Time])],
                ),
            ],
        )],
        jobs: vec![
            Job::new(
                "fails",
                vec![
                    Step::Block { seconds: 0.5 },
                    Step::Raise {
                        kind: ExcKind::ValueError,
                        message: Some("bad input".into()),
                    },
                ],
            ),
            job("slow", 2.0, 1),
        ],
        epilogue: vec![vec![Expr::str("end"), Expr::Time]],
        ..Program::default()
    };
    claim(
        program,
        "caught ValueError 0.5\nslow starts 0.5\ngave up 1.5\nslow ends 2.5\nend 2.5\n",
    );
}

#[test]
fn awaits_in_a_job_and_what_the_side_loop_cannot_do_are_refused_where_they_are() {
    use asyncio_playground::engine::{validate, Location, Severity};
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    // Allowed: these hand work to the side loop.
                    Step::CallSoonThreadsafe { callback: 0 },
                    Step::Await {
                        target: Awaitable::SideLoop(1),
                        bind: None,
                    },
                    Step::CreateTask { coro: 2 },
                ],
            ),
            Coroutine::new(
                "on_side",
                vec![
                    Step::WithLock {
                        lock: 0,
                        body: vec![],
                    },
                    Step::Await {
                        target: Awaitable::Job(0),
                        bind: None,
                    },
                    Step::CallSoonThreadsafe { callback: 0 },
                    Step::Await {
                        target: Awaitable::Coro(2),
                        bind: None,
                    },
                ],
            ),
            Coroutine::new("shared", vec![]),
        ],
        callbacks: vec![CallbackFn {
            name: "ring".into(),
            print: vec![],
        }],
        jobs: vec![Job::new(
            "j",
            vec![Step::sleep(1.0), Step::Block { seconds: -1.0 }],
        )],
        locks: vec!["lock".into()],
        ..Program::default()
    };
    let errors: Vec<(Location, String)> = validate(&program, &Budget::default())
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.location, p.message))
        .collect();
    let at = |coro: u32, step: u32| Location::Coroutine {
        coro,
        path: vec![step],
    };
    let whole = |coro: u32| Location::Coroutine { coro, path: vec![] };
    let expected = [
        (whole(2), "shared would run on both loops"),
        (
            at(1, 0),
            "locks, semaphores, events, queues and futures belong to the main loop",
        ),
        (
            at(1, 1),
            "run_in_executor from the side loop is not modelled",
        ),
        (
            at(1, 2),
            "call_soon_threadsafe from the side loop back to the main loop",
        ),
        (Location::Job { job: 0, step: 0 }, "but not await"),
        (
            Location::Job { job: 0, step: 1 },
            "-1.0 seconds is negative",
        ),
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (location, message) in expected {
        assert!(
            errors
                .iter()
                .any(|(l, m)| *l == location && m.contains(message)),
            "{message} at {location:?}: {errors:#?}"
        );
    }
}

#[test]
fn a_program_with_too_many_jobs_is_told_so_once() {
    use asyncio_playground::engine::{validate, Location};
    let program = Program {
        coroutines: vec![Coroutine::new("main", Vec::new())],
        jobs: (0..250).map(|i| job(&format!("job{i}"), 1.0, i)).collect(),
        ..Program::default()
    };
    let problems: Vec<(Location, String)> = validate(&program, &Budget::default())
        .into_iter()
        .map(|p| (p.location, p.message))
        .collect();
    assert_eq!(
        problems,
        [(
            Location::Job { job: 100, step: 0 },
            "keep to 100 jobs of at most 1000 steps".to_string()
        )]
    );
}

// ----- a second event loop in a thread of its own -----

fn side_work(name: &str, seconds: f64, value: i64) -> Coroutine {
    Coroutine::new(
        name,
        vec![
            Step::print([Expr::str(&format!("{name} starts")), Expr::Time]),
            Step::sleep(seconds),
            Step::print([Expr::str(&format!("{name} ends")), Expr::Time]),
            Step::ret(Expr::int(value)),
        ],
    )
}

#[test]
fn coroutines_handed_to_the_side_loop_run_there_while_the_main_loop_ticks() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::Gather {
                        items: vec![Awaitable::SideLoop(2), Awaitable::SideLoop(3)],
                        return_exceptions: false,
                        bind: Step::bind("r"),
                    },
                    print_var("got", "r"),
                ],
            ),
            ticker(4, 0.5),
            side_work("fetch", 1.0, 10),
            side_work("parse", 2.0, 20),
        ],
        epilogue: vec![vec![Expr::str("elapsed"), Expr::Time]],
        ..Program::default()
    };
    claim(
        program,
        "fetch starts 0.0\nparse starts 0.0\ntick 0 0.0\ntick 1 0.5\nfetch ends 1.0\ntick 2 1.0\n\
         tick 3 1.5\nparse ends 2.0\ngot [10, 20] 2.0\nelapsed 2.0\n",
    );
}

#[test]
fn wait_for_gives_up_on_the_side_loop_and_the_cancellation_travels_to_its_task() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::try_except(
                        vec![Step::WaitFor {
                            target: Awaitable::SideLoop(1),
                            timeout: Some(1.0),
                            bind: None,
                        }],
                        ExcKind::TimeoutError,
                        vec![Step::print([Expr::str("main gave up at"), Expr::Time])],
                    ),
                    Step::sleep(0.5),
                    Step::print([Expr::str("main ends at"), Expr::Time]),
                ],
            ),
            Coroutine::new(
                "slow",
                vec![
                    Step::print([Expr::str("slow starts at"), Expr::Time]),
                    Step::try_except(
                        vec![Step::sleep(5.0)],
                        ExcKind::CancelledError,
                        vec![
                            Step::print([Expr::str("slow cancelled at"), Expr::Time]),
                            Step::Reraise,
                        ],
                    ),
                ],
            ),
        ],
        ..Program::default()
    };
    claim(
        program,
        "slow starts at 0.0\nslow cancelled at 1.0\nmain gave up at 1.0\nmain ends at 1.5\n",
    );
}

#[test]
fn an_exception_raised_on_the_side_loop_reaches_the_awaiting_task() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![Step::try_except(
                    vec![Step::Await {
                        target: Awaitable::SideLoop(1),
                        bind: None,
                    }],
                    ExcKind::ValueError,
                    vec![Step::print([Expr::str("main caught it at"), Expr::Time])],
                )],
            ),
            Coroutine::new(
                "fails",
                vec![
                    Step::sleep(0.5),
                    Step::Raise {
                        kind: ExcKind::ValueError,
                        message: Some("bad input".into()),
                    },
                ],
            ),
        ],
        ..Program::default()
    };
    claim(program, "main caught it at 0.5\n");
}

#[test]
fn call_soon_threadsafe_into_the_side_loop_and_time_sleep_in_main_let_the_side_loop_go_on() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::CallSoonThreadsafe { callback: 0 },
                    Step::CreateTask { coro: 1 },
                    Step::sleep(0.0),
                    Step::Block { seconds: 1.0 },
                    Step::print([Expr::str("main unblocked at"), Expr::Time]),
                    Step::Await {
                        target: Awaitable::Task(1),
                        bind: Step::bind("r"),
                    },
                    print_var("got", "r"),
                ],
            ),
            Coroutine::new(
                "relay",
                vec![
                    Step::Await {
                        target: Awaitable::SideLoop(2),
                        bind: Step::bind("v"),
                    },
                    Step::ret(Expr::var("v")),
                ],
            ),
            Coroutine::new(
                "side_ticker",
                vec![
                    Step::print([Expr::str("side tick at"), Expr::Time]),
                    Step::sleep(0.4),
                    Step::print([Expr::str("side tick at"), Expr::Time]),
                    Step::sleep(0.4),
                    Step::print([Expr::str("side tick at"), Expr::Time]),
                    Step::ret(Expr::str("ticked")),
                ],
            ),
        ],
        callbacks: vec![CallbackFn {
            name: "hello".into(),
            print: vec![Expr::str("hello from the side loop at"), Expr::Time],
        }],
        epilogue: vec![vec![Expr::str("elapsed"), Expr::Time]],
        ..Program::default()
    };
    let sim = claim(
        program,
        "hello from the side loop at 0.0\nside tick at 0.0\nside tick at 0.4\nside tick at 0.8\nmain unblocked at 1.0\ngot ticked 1.0\nelapsed 1.0\n",
    );
    // The trace tells where main's time.sleep ends, after the side loop's
    // iterations that ran meanwhile and before what main does next.
    let trace = sim.trace_text();
    let lines: Vec<&str> = trace.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.ends_with(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in\n{trace}"))
    };
    let blocked = at("Task-1 blocks the loop");
    let ends = at("Task-1's time.sleep ends");
    assert!(
        lines[blocked..ends]
            .iter()
            .any(|l| l.contains("side loop iteration")),
        "{trace}"
    );
    assert!(lines[ends - 1].ends_with("clock -> 1.0"), "{trace}");
    assert!(
        lines[ends + 1].ends_with(r#"print "main unblocked at 1.0""#),
        "{trace}"
    );
}

#[test]
fn a_task_left_on_the_side_loop_is_abandoned_when_the_program_stops_it() {
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::WaitFor {
                        target: Awaitable::SideLoop(1),
                        timeout: None,
                        bind: None,
                    },
                    Step::print([Expr::str("main ends at"), Expr::Time]),
                ],
            ),
            Coroutine::new(
                "starter",
                vec![
                    Step::CreateTask { coro: 2 },
                    Step::sleep(0.5),
                    Step::print([Expr::str("starter returns at"), Expr::Time]),
                ],
            ),
            Coroutine::new(
                "forgotten",
                vec![
                    Step::print([Expr::str("forgotten starts at"), Expr::Time]),
                    Step::sleep(10.0),
                    Step::print([Expr::str("forgotten ends at"), Expr::Time]),
                ],
            ),
        ],
        epilogue: vec![vec![Expr::str("elapsed"), Expr::Time]],
        ..Program::default()
    };
    claim(
        program,
        "forgotten starts at 0.0\nstarter returns at 0.5\nmain ends at 0.5\nelapsed 0.5\n",
    );
}

#[test]
fn the_loop_view_shows_the_side_loop_and_the_await_tree_crosses_to_its_tasks() {
    use asyncio_playground::engine::snapshot::{await_tree, snapshot_at, SideThread};
    let program = asyncio_playground::gallery::presets()
        .into_iter()
        .find(|p| p.id == "loop_in_thread")
        .expect("the preset")
        .program;
    let s = snapshot_at(&program, 2).expect("a valid program");
    let side = s.side.clone().expect("a side loop");
    assert_eq!(side.thread, SideThread::WaitingUntil(1.0));
    assert_eq!(side.iteration, 2);
    let on_side: Vec<&str> = s
        .tasks
        .iter()
        .filter(|t| t.on_side)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(on_side, ["Task-3", "Task-4"]);
    // main's gather waits on the side loop's tasks through the futures
    // that follow them.
    assert_eq!(
        await_tree(&s),
        [
            "Task-1 (awaits gather)",
            "└── asyncio.gather",
            "    ├── Task-3 (awaits sleep)",
            "    └── Task-4 (awaits sleep)",
            "Task-2 (awaits sleep)",
        ]
    );
}

#[test]
fn time_sleep_on_the_side_loop_holds_that_loop_alone_while_the_main_loop_ticks() {
    use asyncio_playground::engine::snapshot::{snapshot_at, SideThread, TaskState};
    // The tutorials' lesson for a loop in another thread: blocking calls
    // there run one after the other, and the main loop is not held.
    let blocking = |name: &str, seconds: f64| {
        Coroutine::new(
            name,
            vec![
                Step::print([Expr::str(&format!("{name} starts")), Expr::Time]),
                Step::Block { seconds },
                Step::print([Expr::str(&format!("{name} ends")), Expr::Time]),
                Step::sleep(0.25),
                Step::ret(Expr::str(name)),
            ],
        )
    };
    let program = Program {
        coroutines: vec![
            Coroutine::new(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::Gather {
                        items: vec![Awaitable::SideLoop(2), Awaitable::SideLoop(3)],
                        return_exceptions: false,
                        bind: Step::bind("r"),
                    },
                    print_var("got", "r"),
                ],
            ),
            ticker(5, 0.5),
            blocking("more_work_2", 2.0),
            blocking("more_work_1", 1.0),
        ],
        epilogue: vec![vec![Expr::str("elapsed"), Expr::Time]],
        ..Program::default()
    };
    // After two iterations the side loop's thread is held, and the task
    // holding it is still in its step.
    let s = snapshot_at(&program, 2).expect("a valid program");
    assert_eq!(
        s.side.expect("a side loop").thread,
        SideThread::Holding(2.0)
    );
    let held = s.tasks.iter().find(|t| t.name == "Task-3").expect("Task-3");
    assert_eq!((held.on_side, &held.state), (true, &TaskState::Running));
    claim(
        program,
        "more_work_2 starts 0.0\ntick 0 0.0\ntick 1 0.5\ntick 2 1.0\ntick 3 1.5\n\
         more_work_2 ends 2.0\nmore_work_1 starts 2.0\ntick 4 2.0\nmore_work_1 ends 3.0\n\
         got ['more_work_2', 'more_work_1'] 3.25\nelapsed 3.25\n",
    );
}
