//! Conformance with CPython at scale: a generator of random programs that
//! cover every step kind, a comparison of the engine's output with what
//! CPython prints for the exported program, and a shrinker that reduces a
//! failing program to a small regression case.
//!
//! Generated programs are valid, end on their own, and are deterministic
//! under CPython: `main` creates every task first, releases in a `finally`
//! everything a task may wait on (event, future, queue items), and ends by
//! gathering every task, so `asyncio.run` never has to cancel leftovers in
//! its unordered set; only set sizes are printed, never set contents.

use crate::engine::program::{
    Awaitable, CallbackFn, CoroId, Coroutine, Expr, Program, ReturnWhen, Step,
};
use crate::engine::{ExcKind, Simulation, Status, Value};

/// A small deterministic generator (xorshift64*), so a seed reproduces a program.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Coroutines made for the side loop, the one in a thread of its own.
const SIDE_COROUTINES: u32 = 2;

/// Durations drawn from a few values, so equal deadlines are common.
const DURATIONS: [f64; 7] = [0.0, 0.5, 1.0, 1.0, 1.5, 2.0, 3.0];

fn say(text: &str) -> Step {
    Step::print([Expr::str(text), Expr::str("at"), Expr::Time])
}

struct Gen<'a> {
    rng: &'a mut Rng,
    tasks: u32,
    /// The index of the first helper coroutine (plain coroutines used as
    /// fresh awaitables); helpers follow the tasks.
    helpers: u32,
    /// The index of the first of the coroutines handed to the side loop;
    /// they follow the helpers.
    side: u32,
    /// The task that consumes the queue (never cancelled, never blocked
    /// before it has taken its items), if the queue is used.
    consumer: Option<u32>,
    queue_items: u32,
    uses_event: bool,
    uses_future: bool,
}

/// A random valid program for `seed`.
pub fn generate(seed: u64) -> Program {
    let mut rng = Rng::new(seed);
    let tasks = 1 + rng.below(4) as u32;
    let helper_count = 2;
    let mut g = Gen {
        tasks,
        helpers: tasks + 1,
        side: tasks + 1 + helper_count,
        consumer: (tasks >= 2 && rng.chance(30)).then_some(tasks),
        queue_items: 1 + rng.below(3) as u32,
        uses_event: false,
        uses_future: false,
        rng: &mut rng,
    };
    let mut coroutines = vec![Coroutine::new("main", vec![])];
    for t in 1..=tasks {
        let body = if Some(t) == g.consumer {
            g.consumer_body()
        } else {
            g.task_body(t)
        };
        let mut c = Coroutine::new(&format!("t{t}"), body);
        if g.rng.chance(20) {
            c.task_name = Some(format!("worker-{t}"));
        }
        coroutines.push(c);
    }
    for h in 0..helper_count {
        let body = g.helper_body(h);
        coroutines.push(Coroutine::new(&format!("h{h}"), body));
    }
    for s in 0..SIDE_COROUTINES {
        let body = g.side_body(s);
        coroutines.push(Coroutine::new(&format!("s{s}"), body));
    }
    coroutines[0].body = g.main_body();
    Program {
        coroutines,
        jobs: Vec::new(),
        callbacks: vec![
            CallbackFn {
                name: "ring".into(),
                print: vec![Expr::str("ring at"), Expr::Time],
            },
            CallbackFn {
                name: "on_done".into(),
                print: vec![
                    Expr::str("done callback got"),
                    Expr::ArgResult,
                    Expr::str("at"),
                    Expr::Time,
                ],
            },
        ],
        futures: vec!["fut".into()],
        locks: vec!["lock".into()],
        semaphores: vec![("sem".into(), 1 + g.rng.below(2) as u32)],
        events: vec!["event".into()],
        queues: vec![("queue".into(), g.rng.below(3) as u32)],
        epilogue: vec![vec![Expr::str("finished at"), Expr::Time]],
    }
}

impl Gen<'_> {
    fn duration(&mut self) -> f64 {
        self.rng.pick(&DURATIONS)
    }

    /// A task after `t` (tasks only wait for later ones, so no cycle
    /// forms), never the queue's consumer: waiting on a task passes
    /// cancellation on to it, and a cancelled consumer would leave main's
    /// puts waiting forever.
    fn later_task(&mut self, t: u32) -> Option<u32> {
        let candidates: Vec<u32> = (t + 1..=self.tasks)
            .filter(|c| Some(*c) != self.consumer)
            .collect();
        (!candidates.is_empty()).then(|| self.rng.pick(&candidates))
    }

    fn cancellable_task(&mut self, after: u32) -> Option<u32> {
        let candidates: Vec<u32> = (after + 1..=self.tasks)
            .filter(|c| Some(*c) != self.consumer)
            .collect();
        (!candidates.is_empty()).then(|| self.rng.pick(&candidates))
    }

    fn helper(&mut self) -> Awaitable {
        Awaitable::Coro(self.helpers + self.rng.below(2) as u32)
    }

    /// A helper prints only when it completes normally: a helper still
    /// pending at shutdown is cancelled in an order CPython does not fix,
    /// so its cancellation must not print.
    fn helper_body(&mut self, h: u32) -> Vec<Step> {
        let mut body = vec![Step::sleep(self.duration())];
        self.end_body(&mut body, &format!("h{h} done"), "helper failed");
        body
    }

    /// A body's end: three times in ten it raises ValueError(`failure`),
    /// else it says `done` and returns a number.
    fn end_body(&mut self, body: &mut Vec<Step>, done: &str, failure: &str) {
        if self.rng.chance(30) {
            body.push(Step::Raise {
                kind: ExcKind::ValueError,
                message: Some(failure.into()),
            });
        } else {
            body.push(say(done));
            body.push(Step::ret(Expr::int(self.rng.below(100) as i64)));
        }
    }

    /// A coroutine for the side loop: it may hold its thread in
    /// time.sleep, sleeps, may be cancelled from the main loop (and say
    /// so), and returns or raises.
    fn side_body(&mut self, s: u32) -> Vec<Step> {
        let mut body = vec![say(&format!("s{s} starts"))];
        if self.rng.chance(40) {
            body.push(Step::Block {
                seconds: self.duration() / 2.0,
            });
            body.push(say(&format!("s{s} held its thread")));
        }
        body.extend([Step::try_except(
            vec![Step::sleep(self.duration())],
            ExcKind::CancelledError,
            vec![say(&format!("s{s} cancelled")), Step::Reraise],
        )]);
        self.end_body(&mut body, &format!("s{s} done"), "side failed");
        body
    }

    /// A fresh coroutine handed to the side loop.
    fn on_side_loop(&mut self) -> Awaitable {
        Awaitable::SideLoop(self.side + self.rng.below(SIDE_COROUTINES as u64) as u32)
    }

    fn consumer_body(&mut self) -> Vec<Step> {
        let mut body = Vec::new();
        for _ in 0..self.queue_items {
            body.push(Step::QueueGet {
                queue: 0,
                bind: Some("item".into()),
            });
            body.push(Step::print([
                Expr::str("consumed"),
                Expr::var("item"),
                Expr::str("at"),
                Expr::Time,
            ]));
            if self.rng.chance(50) {
                body.push(Step::sleep(self.duration()));
            }
            body.push(Step::QueueTaskDone { queue: 0 });
        }
        body.push(Step::ret(Expr::int(-1)));
        body
    }

    fn task_body(&mut self, t: u32) -> Vec<Step> {
        let mut body = vec![say(&format!("t{t} starts"))];
        for _ in 0..1 + self.rng.below(4) {
            let step = self.task_step(t, 0);
            body.push(step);
        }
        if self.rng.chance(15) {
            body.push(Step::Raise {
                kind: ExcKind::ValueError,
                message: Some(format!("t{t} failed")),
            });
        } else {
            body.push(say(&format!("t{t} ends")));
            body.push(Step::ret(Expr::int(t as i64 * 10)));
        }
        body
    }

    fn task_step(&mut self, t: u32, depth: u32) -> Step {
        let d = self.duration();
        match self.rng.below(if depth == 0 { 18 } else { 6 }) {
            0 | 1 => Step::sleep(d),
            2 => Step::Block { seconds: d / 2.0 },
            3 => say(&format!("t{t} is here")),
            4 => Step::try_except(
                vec![
                    Step::Gather {
                        items: vec![self.helper(), self.helper()],
                        return_exceptions: self.rng.chance(50),
                        bind: Some("r".into()),
                    },
                    Step::print([Expr::str(&format!("t{t} gathered")), Expr::var("r")]),
                ],
                ExcKind::Exception,
                vec![say(&format!("t{t}'s gather raised"))],
            ),
            5 => Step::WithLock {
                lock: 0,
                body: vec![say(&format!("t{t} holds the lock")), Step::sleep(d)],
            },
            6 => Step::WithSemaphore {
                semaphore: 0,
                body: vec![say(&format!("t{t} holds the semaphore")), Step::sleep(d)],
            },
            7 => Step::try_except(
                vec![Step::sleep(d + 1.0)],
                ExcKind::CancelledError,
                if self.rng.chance(50) {
                    vec![
                        say(&format!("t{t} cleans up")),
                        Step::sleep(0.5),
                        Step::Reraise,
                    ]
                } else {
                    vec![say(&format!("t{t} swallows the cancellation"))]
                },
            ),
            8 => match self.later_task(t) {
                Some(other) => Step::try_except(
                    vec![
                        Step::Await {
                            target: Awaitable::Task(other),
                            bind: Some("r".into()),
                        },
                        Step::print([Expr::str(&format!("t{t} got")), Expr::var("r")]),
                    ],
                    ExcKind::Exception,
                    vec![say(&format!("t{t} saw an exception"))],
                ),
                None => Step::sleep(d),
            },
            9 => match self.later_task(t) {
                Some(other) => {
                    let mut items = vec![other];
                    if let Some(more) = self.later_task(t) {
                        items.push(more);
                    }
                    let return_when = self.rng.pick(&[
                        ReturnWhen::AllCompleted,
                        ReturnWhen::FirstCompleted,
                        ReturnWhen::FirstException,
                    ]);
                    let timeout = self.rng.chance(50).then_some(d + 0.5);
                    Step::If {
                        cond: Expr::Lit(Value::Bool(true)),
                        then: vec![
                            Step::Wait {
                                items,
                                timeout,
                                return_when,
                                done: Some("done".into()),
                                pending: Some("pending".into()),
                            },
                            Step::print([
                                Expr::str(&format!("t{t} wait:")),
                                Expr::Len("done".into()),
                                Expr::Len("pending".into()),
                                Expr::str("at"),
                                Expr::Time,
                            ]),
                        ],
                        otherwise: vec![],
                    }
                }
                None => Step::sleep(d),
            },
            10 => {
                let target = match self.later_task(t) {
                    Some(other) if self.rng.chance(50) => Awaitable::Task(other),
                    _ => self.helper(),
                };
                Step::try_except(
                    vec![
                        Step::WaitFor {
                            target,
                            timeout: Some(d + 0.5),
                            bind: Some("r".into()),
                        },
                        Step::print([Expr::str(&format!("t{t} wait_for got")), Expr::var("r")]),
                    ],
                    ExcKind::Exception,
                    vec![say(&format!("t{t} wait_for failed"))],
                )
            }
            11 => match self.later_task(t) {
                Some(other) => Step::try_except(
                    vec![Step::AsCompleted {
                        items: vec![other],
                        timeout: self.rng.chance(50).then_some(d + 0.5),
                        bind: Some("r".into()),
                        body: vec![Step::print([
                            Expr::str(&format!("t{t} as_completed got")),
                            Expr::var("r"),
                        ])],
                    }],
                    ExcKind::Exception,
                    vec![say(&format!("t{t} as_completed failed"))],
                ),
                None => Step::sleep(d),
            },
            12 => match self.later_task(t) {
                Some(other) => Step::try_except(
                    vec![Step::Shield {
                        target: Awaitable::Task(other),
                        bind: None,
                    }],
                    ExcKind::Exception,
                    vec![say(&format!("t{t} shield raised"))],
                ),
                None => Step::sleep(d),
            },
            13 => {
                self.uses_event = true;
                Step::EventWait { event: 0 }
            }
            15 => Step::ForEach {
                var: "item".into(),
                list: Expr::Lit(Value::List(vec![Value::Int(1), Value::str("two")].into())),
                body: vec![
                    Step::print([Expr::str(&format!("t{t} item")), Expr::var("item")]),
                    Step::sleep(d / 2.0),
                ],
            },
            16 => {
                let step = match self.rng.below(3) {
                    0 => Step::Await {
                        target: self.on_side_loop(),
                        bind: Some("r".into()),
                    },
                    1 => Step::Gather {
                        items: vec![self.on_side_loop(), self.helper()],
                        return_exceptions: self.rng.chance(50),
                        bind: Some("r".into()),
                    },
                    _ => Step::WaitFor {
                        target: self.on_side_loop(),
                        timeout: Some(d + 0.5),
                        bind: Some("r".into()),
                    },
                };
                Step::try_except(
                    vec![
                        step,
                        Step::print([Expr::str(&format!("t{t} side loop gave")), Expr::var("r")]),
                    ],
                    ExcKind::Exception,
                    vec![say(&format!("t{t}'s side loop work failed"))],
                )
            }
            14 => {
                self.uses_future = true;
                Step::Await {
                    target: Awaitable::Future(0),
                    bind: Some("r".into()),
                }
            }
            _ => match self.cancellable_task(t) {
                Some(other) => Step::Cancel {
                    task: other,
                    bind: None,
                },
                None => Step::sleep(d),
            },
        }
    }

    fn main_body(&mut self) -> Vec<Step> {
        let mut body: Vec<Step> = (1..=self.tasks)
            .map(|coro| Step::CreateTask { coro })
            .collect();
        let mut risky = Vec::new();
        for _ in 0..self.rng.below(5) {
            let d = self.duration();
            let step = match self.rng.below(8) {
                0 | 1 => Step::sleep(d),
                2 => match self.cancellable_task(0) {
                    Some(t) => Step::Cancel {
                        task: t,
                        bind: None,
                    },
                    None => Step::sleep(d),
                },
                3 => Step::CallSoon { callback: 0 },
                4 => Step::CallLater {
                    delay: d,
                    callback: 0,
                },
                5 => Step::AddDoneCallback {
                    task: 1 + self.rng.below(self.tasks as u64) as u32,
                    callback: 1,
                },
                6 => Step::CallSoonThreadsafe { callback: 0 },
                _ => say("main is here"),
            };
            risky.push(step);
        }
        let mut release = Vec::new();
        if self.uses_future {
            release.push(if self.rng.chance(30) {
                Step::SetException {
                    future: 0,
                    kind: ExcKind::RuntimeError,
                    message: Some("main gave up".into()),
                }
            } else {
                Step::SetResult {
                    future: 0,
                    value: Expr::str("set by main"),
                }
            });
        }
        if self.uses_event {
            release.push(Step::EventSet { event: 0 });
        }
        if self.consumer.is_some() {
            for i in 0..self.queue_items {
                release.push(Step::QueuePut {
                    queue: 0,
                    value: Expr::int(i as i64),
                });
            }
            if self.rng.chance(50) {
                // The consumer marks every item done, so join returns.
                release.push(Step::QueueJoin { queue: 0 });
                release.push(say("main: queue joined"));
            }
        }
        body.push(Step::Try {
            body: if risky.is_empty() {
                vec![say("main waits")]
            } else {
                risky
            },
            handlers: vec![],
            finally: if release.is_empty() {
                vec![say("main releases nothing")]
            } else {
                release
            },
        });
        body.push(Step::Gather {
            items: (1..=self.tasks).map(Awaitable::Task).collect(),
            return_exceptions: true,
            bind: Some("results".into()),
        });
        body.push(Step::print([
            Expr::str("results"),
            Expr::var("results"),
            Expr::str("at"),
            Expr::Time,
        ]));
        body
    }
}

/// How the engine and CPython compare on one program.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Identical,
    Different(Failure, String),
}

/// The kind of a divergence; shrinking keeps it, so a shrunk case shows
/// the same problem as the original.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Both finished, printing different things.
    OutputDiffers,
    /// Both printed the same, but one ended with an exception the other
    /// did not raise.
    ErrorDiffers,
    /// Both printed the same, but the loop's picture differs at some
    /// iteration (see `python::picture`).
    PictureDiffers,
    /// The engine reported a deadlock or stopped where CPython finished.
    EngineStuck,
    /// CPython's loop would wait forever where the engine finished.
    CPythonStuck,
    /// The engine refused the program.
    Invalid,
}

/// Compares the engine's output with CPython's for the same program. A
/// deadlock in both counts as agreement when the engine printed what
/// CPython printed before its loop would have waited forever.
pub fn compare(program: &Program, cpython: &crate::python::cpython::PythonRun) -> Verdict {
    let cpython_stuck = cpython
        .error
        .as_deref()
        .is_some_and(|e| e.contains("deadlock"));
    let mut sim = match Simulation::new(program.clone()) {
        Ok(sim) => sim,
        Err(problems) => {
            let messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            return Verdict::Different(Failure::Invalid, messages.join("; "));
        }
    };
    let status = sim.run_to_end().clone();
    let engine = sim.output_text();
    let engine_error = sim.uncaught().map(|e| e.traceback_line());
    match (&status, cpython_stuck) {
        (Status::Finished, false) if engine == cpython.stdout => {
            // How a RecursionError's message ends depends on how deep
            // CPython's stack was when the program started (see
            // `Loop::take_cancel_recursion`).
            let recursion = |e: &Option<String>| {
                e.as_deref()
                    .and_then(|e| {
                        e.strip_prefix("RecursionError: maximum recursion depth exceeded")
                    })
                    .map(|_| "RecursionError")
            };
            if engine_error == cpython.error
                || recursion(&engine_error).is_some()
                    && recursion(&engine_error) == recursion(&cpython.error)
            {
                compare_pictures(program, cpython)
            } else {
                Verdict::Different(
                    Failure::ErrorDiffers,
                    format!(
                        "CPython ended with {:?}, the engine with {engine_error:?}",
                        cpython.error
                    ),
                )
            }
        }
        (Status::Finished, false) => {
            Verdict::Different(Failure::OutputDiffers, diff(&cpython.stdout, &engine))
        }
        (Status::Deadlock(_), true) if cpython.stdout.starts_with(&engine) => Verdict::Identical,
        (Status::Deadlock(_), true) => {
            Verdict::Different(Failure::OutputDiffers, diff(&cpython.stdout, &engine))
        }
        (Status::Finished, true) => Verdict::Different(
            Failure::CPythonStuck,
            format!(
                "CPython's loop would wait forever; the engine finished\n{}",
                diff(&cpython.stdout, &engine)
            ),
        ),
        (other, _) => Verdict::Different(
            Failure::EngineStuck,
            format!(
                "the engine ended with {other:?}; CPython finished\n{}",
                diff(&cpython.stdout, &engine)
            ),
        ),
    }
}

/// The loop's pictures at every iteration, when CPython's were traced.
fn compare_pictures(program: &Program, cpython: &crate::python::cpython::PythonRun) -> Verdict {
    use crate::python::picture::{engine_pictures, first_difference};
    let Some(theirs) = &cpython.pictures else {
        return Verdict::Identical;
    };
    match engine_pictures(program) {
        Ok((ours, _)) => match first_difference(&ours, theirs) {
            None => Verdict::Identical,
            Some(report) => Verdict::Different(Failure::PictureDiffers, report),
        },
        Err(e) => Verdict::Different(Failure::Invalid, e),
    }
}

/// A readable diff: the first line that differs, with both outputs around it.
pub fn diff(cpython: &str, engine: &str) -> String {
    let a: Vec<&str> = cpython.lines().collect();
    let b: Vec<&str> = engine.lines().collect();
    let first = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .unwrap_or(0);
    let from = first.saturating_sub(3);
    let show = |lines: &[&str]| -> String {
        (from..(first + 4).min(lines.len().max(first + 1)))
            .map(|i| {
                let marker = if i == first { ">" } else { " " };
                format!(
                    "{marker} {:>3} {}\n",
                    i + 1,
                    lines.get(i).copied().unwrap_or("<end of output>")
                )
            })
            .collect()
    };
    format!(
        "first difference at line {}\n--- CPython\n{}--- engine\n{}",
        first + 1,
        show(&a),
        show(&b)
    )
}

/// Every program one deletion smaller than `program`: a step removed
/// anywhere (nested blocks included), or a non-main coroutine's body emptied.
pub fn one_smaller(program: &Program) -> Vec<Program> {
    let mut out = Vec::new();
    for (c, coro) in program.coroutines.iter().enumerate() {
        let mut paths = Vec::new();
        collect_paths(&coro.body, &mut Vec::new(), &mut paths);
        for path in paths {
            let mut editor = crate::editor::Editor::new(program.clone());
            let at = crate::editor::StepAt {
                coro: c as CoroId,
                path,
            };
            if editor.apply(crate::editor::Edit::RemoveStep { at }).is_ok() {
                out.push(editor.program);
            }
        }
    }
    out
}

fn collect_paths(steps: &[Step], prefix: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
    for (i, step) in steps.iter().enumerate() {
        prefix.push(i as u32);
        out.push(prefix.clone());
        for (b, block) in step.blocks().into_iter().enumerate() {
            prefix.push(b as u32);
            collect_paths(block, prefix, out);
            prefix.pop();
        }
        prefix.pop();
    }
}

/// Shrinks a program while `still_fails` holds for some one-smaller
/// version, testing a whole round of candidates at once.
pub fn shrink(
    program: Program,
    mut still_fails: impl FnMut(&[Program]) -> Option<usize>,
) -> Program {
    let mut current = program;
    for _ in 0..200 {
        let candidates: Vec<Program> = one_smaller(&current)
            .into_iter()
            .filter(|p| Simulation::new(p.clone()).is_ok())
            .collect();
        match still_fails(&candidates) {
            Some(i) => current = candidates[i].clone(),
            None => break,
        }
    }
    current
}

/// What a conformance run found.
pub struct Summary {
    pub passed: u64,
    pub failed: u64,
}

/// Checks `count` programs generated from seeds `seed..seed+count` against
/// CPython in one batch; shrinks each failure and saves it under `out`.
pub fn run(count: u64, seed: u64, out: &std::path::Path) -> Result<Summary, String> {
    let start = std::time::Instant::now();
    let programs: Vec<(u64, Program)> = (seed..seed + count).map(|s| (s, generate(s))).collect();
    let sources: Vec<String> = programs
        .iter()
        .map(|(_, p)| crate::python::export(p))
        .collect();
    let runs = crate::python::cpython::trace_batch(&sources)?;
    let mut summary = Summary {
        passed: 0,
        failed: 0,
    };
    for ((s, program), run) in programs.into_iter().zip(runs) {
        match compare(&program, &run) {
            Verdict::Identical => summary.passed += 1,
            Verdict::Different(kind, report) => {
                summary.failed += 1;
                let small = shrink(program, |candidates| {
                    let sources: Vec<String> =
                        candidates.iter().map(crate::python::export).collect();
                    let runs = crate::python::cpython::trace_batch(&sources).ok()?;
                    candidates.iter().zip(&runs).position(
                        |(p, r)| matches!(compare(p, r), Verdict::Different(k, _) if k == kind),
                    )
                });
                let path = out.join(format!("seed-{s}.json"));
                let saved = std::fs::create_dir_all(out)
                    .and_then(|_| std::fs::write(&path, small.to_json_value().pretty()));
                match saved {
                    Ok(()) => eprintln!("seed {s} differs; shrunk to {}\n{report}", path.display()),
                    Err(e) => eprintln!("seed {s} differs (not saved: {e})\n{report}"),
                }
            }
        }
    }
    eprintln!(
        "checked {count} scenarios in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(summary)
}
