//! The examples gallery: the tutorial programs and the scenarios tutorials
//! explain without showing, each with a title and a two-sentence
//! explanation of what it teaches, in English and 简体中文. Every preset is
//! checked against CPython (tests/cpython.rs).

use crate::engine::program::Program;
#[cfg(not(target_arch = "wasm32"))]
use crate::engine::program::{Awaitable, CallbackFn, Coroutine, Expr as E, Job, ReturnWhen, Step};
#[cfg(not(target_arch = "wasm32"))]
use crate::engine::ExcKind;
use crate::i18n::Lang;

/// Each preset's scenario as JSON: the page decodes these instead of
/// carrying the code that builds them, and JSON text compresses well in
/// the gzipped page (a test checks they are exactly the programs built in
/// code below; `asyncio-playground gallery-links` regenerates the file).
mod stored {
    include!("gallery_links.rs");
}

pub struct Preset {
    pub id: &'static str,
    pub title: [&'static str; 2],
    pub explanation: [&'static str; 2],
    pub program: Program,
}

impl Preset {
    pub fn title(&self, lang: Lang) -> &'static str {
        self.title[lang as usize]
    }

    pub fn explanation(&self, lang: Lang) -> &'static str {
        self.explanation[lang as usize]
    }
}

/// `(id, [English title, Chinese title], [English, Chinese] explanations)`
/// for the tutorial programs, in their order.
const TUTORIALS: [(&str, [&str; 2], [&str; 2]); 14] = [
    ("01_gather", ["gather: results in argument order", "gather：结果按参数顺序返回"],
     ["Three tasks sleep 5, 3 and 4 seconds; gather waits for all of them and returns their results in the order you passed them, not the order they finished. The whole run takes 5 seconds, the longest sleep, because the tasks wait at the same time.",
      "三个任务分别休眠 5、3、4 秒；gather 等待全部完成，并按传入参数的顺序返回结果，而不是完成顺序。整个运行只用 5 秒（最长的那次休眠），因为任务是同时等待的。"]),
    ("02_wait", ["wait: the done and pending sets", "wait：已完成与未完成集合"],
     ["asyncio.wait returns two sets, done and pending, instead of results; each done task holds its own result. Sets have no order, so the program sorts the results before printing them.",
      "asyncio.wait 返回 done 和 pending 两个集合，而不是结果列表；每个已完成的任务各自保存结果。集合没有顺序，所以程序打印前先对结果排序。"]),
    ("03_as_completed", ["as_completed: results as they finish", "as_completed：按完成顺序拿结果"],
     ["as_completed hands you awaitables in the order the tasks finish, so the 3-second task comes first. Each result is printed the moment it is ready.",
      "as_completed 按任务完成的先后给出可等待对象，所以 3 秒的任务最先出现。每个结果一准备好就被打印。"]),
    ("04_done_callback", ["A done-callback", "完成回调"],
     ["A callback added with add_done_callback runs when the task finishes, through call_soon, before the task's awaiter resumes. It receives the finished task and reads its result.",
      "用 add_done_callback 添加的回调在任务完成时经由 call_soon 运行，早于等待该任务的协程恢复。回调收到已完成的任务并读取它的结果。"]),
    ("05_sequential_vs_concurrent", ["Sequential versus concurrent", "顺序执行与并发执行"],
     ["Awaiting coroutines one after another runs them in sequence: 3 + 3 seconds. Wrapping them in tasks first lets them wait together, so a pair takes 3 seconds.",
      "逐个 await 协程会顺序执行：3 + 3 秒。先把它们包装成任务再等待，它们就能同时等待，一对只需 3 秒。"]),
    ("06_nested_await", ["Nested awaits run one by one", "嵌套 await 逐个执行"],
     ["A coroutine that awaits two others directly runs them inside its own task, one after the other. Nothing runs concurrently here, so it takes 2 + 3 = 5 seconds.",
      "一个协程直接 await 另外两个协程时，它们在同一个任务里先后执行。这里没有并发，所以用时 2 + 3 = 5 秒。"]),
    ("07_blocking_sleep", ["time.sleep blocks the whole loop", "time.sleep 会阻塞整个事件循环"],
     ["time.sleep is not an await: while it runs, the event loop cannot run anything else. The ticker's next tick waits until the blocker is done, at t=2.0.",
      "time.sleep 不是 await：它运行期间事件循环无法运行其他任何东西。计时器的下一次 tick 只能等到阻塞结束，即 t=2.0。"]),
    ("08_cancel_all", ["Cancelling tasks", "取消任务"],
     ["cancel() asks a task to stop: the task gets CancelledError at the await it is waiting on, and may clean up. A task that already finished cannot be cancelled, so cancel() returns False for it.",
      "cancel() 请求任务停止：任务在正在等待的 await 处收到 CancelledError，可以做清理。已经完成的任务无法取消，所以 cancel() 对它返回 False。"]),
    ("09_future_set_result", ["A future set by hand", "手动设置结果的 Future"],
     ["A bare Future finishes only when someone calls set_result on it. Whoever awaits it resumes one loop iteration later with that value.",
      "一个裸的 Future 只有在有人调用 set_result 时才会完成。等待它的协程在下一次循环迭代时带着这个值恢复。"]),
    ("10_lock", ["A Lock lets one task in at a time", "锁一次只放行一个任务"],
     ["Both tasks try to enter the async with lock block; the second waits until the first leaves it. Waiters get the lock in the order they asked for it.",
      "两个任务都尝试进入 async with lock 代码块；第二个要等第一个离开。等待者按请求的先后获得锁。"]),
    ("11_wait_timeout", ["wait with a timeout", "带超时的 wait"],
     ["With a timeout, wait returns what finished in time and leaves the rest pending; it never raises and never cancels. The pending task keeps running and finishes later.",
      "设置超时后，wait 返回按时完成的任务，其余留在 pending 中；它既不抛异常也不取消任务。未完成的任务继续运行，稍后完成。"]),
    ("12_call_later", ["call_soon, call_later, call_at", "call_soon、call_later 与 call_at"],
     ["Plain callbacks run on the loop too: call_soon at the next iteration, call_later and call_at at their deadlines. They run while main sleeps, in time order.",
      "普通回调同样在事件循环上运行：call_soon 在下一次迭代运行，call_later 和 call_at 在各自的时间点运行。它们在 main 休眠时按时间顺序运行。"]),
    ("13_sleep_internals", ["gather of sleeps that return values", "返回值的 sleep 与 gather"],
     ["asyncio.sleep is a future plus a call_later that sets its result; these sleeps return the values gather collects. The run takes 3 seconds, the longest sleep.",
      "asyncio.sleep 就是一个 Future 加一个设置其结果的 call_later；这些休眠返回的值由 gather 收集。运行用时 3 秒，即最长的休眠。"]),
    ("14_task_states", ["A task's states", "任务的状态"],
     ["A task is pending until its coroutine returns; done() turns True only then. Its result() holds what the coroutine returned.",
      "任务在协程返回之前一直处于 pending 状态；只有那时 done() 才变为 True。result() 保存协程的返回值。"]),
];

/// The presets after the tutorials: ids, titles and explanations (their
/// programs are in the stored links, and built in `extras`).
const EXTRAS: [(&str, [&str; 2], [&str; 2]); 11] = [
    ("gather_return_exceptions", ["gather with return_exceptions=True", "gather 与 return_exceptions=True"], ["With return_exceptions=True, gather does not raise: a task's exception takes its place in the result list. The other tasks are not affected and finish normally.", "设置 return_exceptions=True 后，gather 不会抛出异常：任务的异常直接放进结果列表的对应位置。其他任务不受影响，照常完成。"]),
    ("wait_first_completed", ["wait(..., FIRST_COMPLETED)", "wait(..., FIRST_COMPLETED)"], ["wait returns as soon as one task finishes; the others stay pending and keep running. Nothing is cancelled: main leaves them alone, and asyncio.run cancels them when main returns.", "只要有一个任务完成，wait 就返回；其余任务留在 pending 中继续运行。没有任何任务被取消：main 不管它们，asyncio.run 在 main 返回时才取消它们。"]),
    ("wait_first_exception", ["wait(..., FIRST_EXCEPTION)", "wait(..., FIRST_EXCEPTION)"], ["wait returns when the first task raises, with that task in done and the rest pending. If no task raises, FIRST_EXCEPTION waits for them all, like ALL_COMPLETED.", "第一个任务抛出异常时 wait 就返回，该任务在 done 中，其余在 pending 中。如果没有任务抛异常，FIRST_EXCEPTION 会像 ALL_COMPLETED 一样等全部完成。"]),
    ("wait_for_timeout_cleanup", ["wait_for: timeout with cleanup", "wait_for：超时与清理"], ["When wait_for times out it cancels the task and waits for it to finish cancelling, cleanup included, before raising TimeoutError. That is why main hears of the timeout at t=1.5, not t=1.0.", "wait_for 超时后会取消任务，并等待它完成取消（包括清理）之后才抛出 TimeoutError。所以 main 在 t=1.5 而不是 t=1.0 才得知超时。"]),
    ("shield", ["shield protects the inner task", "shield 保护内部任务"], ["Cancelling the task that awaits shield(inner) cancels only the outer wait: the inner task keeps running. Here the caller is cancelled at t=1, and the shielded save still completes at t=2.", "取消正在 await shield(inner) 的任务，只会取消外层的等待：内部任务继续运行。这里调用者在 t=1 被取消，被保护的保存操作仍在 t=2 完成。"]),
    ("semaphore", ["A semaphore limits concurrency", "信号量限制并发"], ["Semaphore(2) lets at most two tasks into the block at once; the others wait their turn. Four one-second jobs therefore take two seconds.", "Semaphore(2) 最多同时放行两个任务进入代码块，其余任务排队等待。因此四个各需一秒的工作共用时两秒。"]),
    ("event", ["An Event wakes every waiter", "Event 唤醒所有等待者"], ["Tasks waiting on an Event all wake when it is set, each in the next loop iteration. A task that waits after the event is set does not wait at all.", "等待同一个 Event 的任务在它被设置时全部醒来，各自在下一次循环迭代恢复。事件设置之后才开始等待的任务根本不用等。"]),
    ("producer_consumer", ["Producer and consumer with a Queue", "使用 Queue 的生产者与消费者"], ["The producer puts items into a bounded Queue and waits when it is full; the consumer takes them and calls task_done. queue.join() returns once every item put has been marked done.", "生产者把数据放入有上限的 Queue，队列满时等待；消费者取出数据并调用 task_done。当每个放入的数据都被标记完成时，queue.join() 才返回。"]),
    ("deadlock", ["A deadlock", "死锁"], ["main awaits a future that nothing will ever set, and no timer is left, so the loop would wait forever. The playground stops and shows who waits for what.", "main 等待一个永远不会被设置的 Future，而且没有剩余的定时器，事件循环会永远等下去。演练场会停下来并显示谁在等待什么。"]),
    ("run_in_executor", ["Blocking work in a thread: run_in_executor", "把阻塞操作交给线程：run_in_executor"], ["run_in_executor hands a blocking function to a worker thread and gives the loop a future to await, so the ticker keeps ticking while the jobs call time.sleep. Compare with time.sleep in a coroutine, which stops the whole loop.", "run_in_executor 把阻塞函数交给工作线程，并给事件循环一个可等待的 future，所以任务调用 time.sleep 时计时器照样跳动。对比在协程里直接调用 time.sleep，它会让整个事件循环停下来。"]),
    ("loop_in_thread", ["A loop in another thread: run_coroutine_threadsafe", "在另一个线程里运行事件循环：run_coroutine_threadsafe"], ["A second event loop runs forever in a thread of its own. main hands it coroutines with run_coroutine_threadsafe and awaits them through wrap_future, so both loops work at once: the ticker keeps ticking on the main loop while the downloads sleep on the side loop.", "第二个事件循环在自己的线程里一直运行 (run_forever)。main 用 run_coroutine_threadsafe 把协程交给它，并通过 wrap_future 等待结果，所以两个循环同时工作：主循环上的计时器照常跳动，子线程循环上的下载在 sleep。"]),
];

#[cfg(not(target_arch = "wasm32"))]
fn co(name: &str, body: Vec<Step>) -> Coroutine {
    Coroutine::new(name, body)
}

#[cfg(not(target_arch = "wasm32"))]
fn say(text: &str) -> Step {
    Step::print([E::str(text), E::str("at"), E::Time])
}

#[cfg(not(target_arch = "wasm32"))]
fn program(coroutines: Vec<Coroutine>) -> Program {
    Program {
        coroutines,
        ..Program::default()
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn wait(items: Vec<u32>, return_when: ReturnWhen) -> Vec<Step> {
    vec![
        Step::Wait {
            items,
            timeout: None,
            return_when,
            done: Step::bind("done"),
            pending: Step::bind("pending"),
        },
        Step::print([
            E::Len("done".into()),
            E::str("done,"),
            E::Len("pending".into()),
            E::str("pending at"),
            E::Time,
        ]),
    ]
}

/// A coroutine that prints "tick" every half second, `times` times.
#[cfg(not(target_arch = "wasm32"))]
fn ticker(times: usize) -> Coroutine {
    let mut ticks = Vec::new();
    for _ in 0..times {
        ticks.push(say("tick"));
        ticks.push(Step::sleep(0.5));
    }
    co("ticker", ticks)
}

/// `main`'s body in the thread presets: start the ticker (coroutine 1),
/// gather `items` and print what they gave, so the ticks show the loop
/// going on meanwhile.
#[cfg(not(target_arch = "wasm32"))]
fn gather_while_ticking(items: Vec<Awaitable>) -> Vec<Step> {
    vec![
        Step::CreateTask { coro: 1 },
        Step::Gather {
            items,
            return_exceptions: false,
            bind: Step::bind("results"),
        },
        Step::print([E::str("results"), E::var("results"), E::str("at"), E::Time]),
    ]
}

#[cfg(not(target_arch = "wasm32"))]
/// The extra presets' programs, in `EXTRAS` order.
fn extras() -> Vec<Program> {
    let worker = |name: &str, seconds: f64| {
        co(
            name,
            vec![
                Step::sleep(seconds),
                say(&format!("{name} done")),
                Step::ret(E::str(name)),
            ],
        )
    };
    let failing = |name: &str, seconds: f64| {
        co(
            name,
            vec![
                Step::sleep(seconds),
                Step::Raise {
                    kind: ExcKind::ValueError,
                    message: Some(format!("{name} failed")),
                },
            ],
        )
    };
    let mut main_wait_fc = vec![Step::CreateTask { coro: 1 }, Step::CreateTask { coro: 2 }];
    main_wait_fc.extend(wait(vec![1, 2], ReturnWhen::FirstCompleted));
    let mut main_wait_fe = vec![
        Step::CreateTask { coro: 1 },
        Step::CreateTask { coro: 2 },
        Step::CreateTask { coro: 3 },
    ];
    main_wait_fe.extend(wait(vec![1, 2, 3], ReturnWhen::FirstException));
    let sem_worker = |n: &str| {
        co(
            n,
            vec![Step::WithSemaphore {
                semaphore: 0,
                body: vec![
                    say(&format!("{n} enters")),
                    Step::sleep(1.0),
                    say(&format!("{n} leaves")),
                ],
            }],
        )
    };
    let waiter = |n: &str| {
        co(
            n,
            vec![
                say(&format!("{n} waits")),
                Step::EventWait { event: 0 },
                say(&format!("{n} wakes")),
            ],
        )
    };
    vec![
        program(vec![
            co(
                "main",
                vec![
                    Step::Gather {
                        items: vec![Awaitable::Coro(1), Awaitable::Coro(2), Awaitable::Coro(3)],
                        return_exceptions: true,
                        bind: Step::bind("results"),
                    },
                    Step::print([E::str("results:"), E::var("results")]),
                ],
            ),
            worker("fetch_a", 1.0),
            failing("fetch_b", 0.5),
            worker("fetch_c", 2.0),
        ]),
        program(vec![
            co("main", main_wait_fc),
            worker("fast", 1.0),
            worker("slow", 3.0),
        ]),
        program(vec![
            co("main", main_wait_fe),
            worker("ok_quick", 0.5),
            failing("broken", 1.0),
            worker("ok_slow", 3.0),
        ]),
        program(vec![
            co(
                "main",
                vec![Step::try_except(
                    vec![Step::WaitFor {
                        target: Awaitable::Coro(1),
                        timeout: Some(1.0),
                        bind: None,
                    }],
                    ExcKind::TimeoutError,
                    vec![say("main got TimeoutError")],
                )],
            ),
            co(
                "download",
                vec![
                    say("download starts"),
                    Step::try_except(
                        vec![Step::sleep(10.0)],
                        ExcKind::CancelledError,
                        vec![
                            say("download cleans up"),
                            Step::sleep(0.5),
                            say("download cleaned up"),
                            Step::Reraise,
                        ],
                    ),
                ],
            ),
        ]),
        program(vec![
            co(
                "main",
                vec![
                    Step::CreateTask { coro: 1 },
                    Step::CreateTask { coro: 2 },
                    Step::sleep(1.0),
                    Step::Cancel {
                        task: 2,
                        bind: None,
                    },
                    Step::Await {
                        target: Awaitable::Task(1),
                        bind: None,
                    },
                    say("main sees the save finished"),
                ],
            ),
            co("save", vec![Step::sleep(2.0), say("save done")]),
            co(
                "caller",
                vec![Step::try_except(
                    vec![Step::Shield {
                        target: Awaitable::Task(1),
                        bind: None,
                    }],
                    ExcKind::CancelledError,
                    vec![say("caller cancelled"), Step::Reraise],
                )],
            ),
        ]),
        Program {
            semaphores: vec![("sem".into(), 2)],
            ..program(vec![
                co(
                    "main",
                    vec![
                        Step::Gather {
                            items: (1..=4).map(Awaitable::Coro).collect(),
                            return_exceptions: false,
                            bind: None,
                        },
                        say("all done"),
                    ],
                ),
                sem_worker("job1"),
                sem_worker("job2"),
                sem_worker("job3"),
                sem_worker("job4"),
            ])
        },
        Program {
            events: vec!["ready".into()],
            ..program(vec![
                co(
                    "main",
                    vec![
                        Step::CreateTask { coro: 1 },
                        Step::CreateTask { coro: 2 },
                        Step::sleep(1.0),
                        say("main sets the event"),
                        Step::EventSet { event: 0 },
                        Step::Await {
                            target: Awaitable::Task(1),
                            bind: None,
                        },
                        Step::Await {
                            target: Awaitable::Task(2),
                            bind: None,
                        },
                    ],
                ),
                waiter("reader"),
                waiter("writer"),
            ])
        },
        Program {
            queues: vec![("queue".into(), 1)],
            ..program(vec![
                co(
                    "main",
                    vec![
                        Step::CreateTask { coro: 2 },
                        Step::Await {
                            target: Awaitable::Coro(1),
                            bind: None,
                        },
                        Step::QueueJoin { queue: 0 },
                        say("every item processed"),
                    ],
                ),
                co(
                    "producer",
                    (1..=3)
                        .flat_map(|i| {
                            vec![
                                Step::QueuePut {
                                    queue: 0,
                                    value: E::int(i),
                                },
                                say(&format!("produced {i}")),
                            ]
                        })
                        .collect(),
                ),
                co(
                    "consumer",
                    (0..3)
                        .flat_map(|_| {
                            vec![
                                Step::QueueGet {
                                    queue: 0,
                                    bind: Step::bind("item"),
                                },
                                Step::print([
                                    E::str("consumed"),
                                    E::var("item"),
                                    E::str("at"),
                                    E::Time,
                                ]),
                                Step::sleep(1.0),
                                Step::QueueTaskDone { queue: 0 },
                            ]
                        })
                        .collect(),
                ),
            ])
        },
        Program {
            futures: vec!["answer".into()],
            ..program(vec![co(
                "main",
                vec![
                    say("main waits for the answer"),
                    Step::Await {
                        target: Awaitable::Future(0),
                        bind: Step::bind("value"),
                    },
                    say("never printed"),
                ],
            )])
        },
        {
            let job = |name: &str, seconds: f64, result: &str| {
                Job::new(
                    name,
                    vec![
                        say(&format!("{name} starts")),
                        Step::Block { seconds },
                        say(&format!("{name} ends")),
                        Step::ret(E::str(result)),
                    ],
                )
            };
            Program {
                jobs: vec![job("read_file", 2.0, "data"), job("compress", 1.0, "zip")],
                ..program(vec![
                    co(
                        "main",
                        gather_while_ticking(vec![Awaitable::Job(0), Awaitable::Job(1)]),
                    ),
                    ticker(5),
                ])
            }
        },
        {
            let download = |name: &str, seconds: f64| {
                co(
                    name,
                    vec![
                        say(&format!("{name} starts on the side loop")),
                        Step::sleep(seconds),
                        say(&format!("{name} ends")),
                        Step::ret(E::str(&format!("{name} data"))),
                    ],
                )
            };
            let mut main = vec![Step::CallSoonThreadsafe { callback: 0 }];
            main.extend(gather_while_ticking(vec![
                Awaitable::SideLoop(2),
                Awaitable::SideLoop(3),
            ]));
            Program {
                callbacks: vec![CallbackFn {
                    name: "greet".into(),
                    print: vec![E::str("hello from the side loop's thread at"), E::Time],
                }],
                ..program(vec![
                    co("main", main),
                    ticker(4),
                    download("fetch_page", 1.0),
                    download("fetch_image", 2.0),
                ])
            }
        },
    ]
}

/// Every preset, built in code (native only; the page decodes the stored
/// links instead).
#[cfg(not(target_arch = "wasm32"))]
pub fn built_presets() -> Vec<Preset> {
    let tutorials = crate::examples::tutorial_examples();
    let mut all: Vec<Preset> = TUTORIALS
        .iter()
        .zip(tutorials)
        .map(|((id, title, explanation), (_, program))| Preset {
            id,
            title: *title,
            explanation: *explanation,
            program,
        })
        .collect();
    all.extend(
        EXTRAS
            .iter()
            .zip(extras())
            .map(|((id, title, explanation), program)| Preset {
                id,
                title: *title,
                explanation: *explanation,
                program,
            }),
    );
    all
}

/// Every preset, tutorials first, with programs decoded from the stored
/// links. Titles and explanations are text, which costs the page little.
pub fn presets() -> Vec<Preset> {
    entries()
        .into_iter()
        .filter_map(|entry| {
            Some(Preset {
                program: entry.program()?,
                id: entry.id,
                title: entry.title,
                explanation: entry.explanation,
            })
        })
        .collect()
}

/// A preset as the example picker lists it: its program stays JSON until
/// it is chosen (decoding all of them was a tenth of the page's first
/// render).
pub struct Entry {
    pub id: &'static str,
    pub title: [&'static str; 2],
    pub explanation: [&'static str; 2],
    /// Its program, as `Program::to_json` writes it.
    pub json: &'static str,
}

impl Entry {
    pub fn title(&self, lang: Lang) -> &'static str {
        self.title[lang as usize]
    }

    pub fn explanation(&self, lang: Lang) -> &'static str {
        self.explanation[lang as usize]
    }

    pub fn program(&self) -> Option<Program> {
        Program::from_json(self.json).ok()
    }
}

/// Every preset, tutorials first, its program undecoded.
pub fn entries() -> Vec<Entry> {
    TUTORIALS
        .iter()
        .chain(EXTRAS.iter())
        .zip(stored::PROGRAMS)
        .map(|((id, title, explanation), json)| Entry {
            id,
            title: *title,
            explanation: *explanation,
            json,
        })
        .collect()
}

/// The first preset's program, what a first visit opens.
pub fn first_program() -> Program {
    entries()
        .first()
        .and_then(Entry::program)
        .unwrap_or_default()
}

/// The stored links file, for `asyncio-playground gallery-links`.
#[cfg(not(target_arch = "wasm32"))]
pub fn links_file() -> String {
    let mut out = String::from(
        "// Generated by `asyncio-playground gallery-links`; gallery's tests check it.\n\
         pub const PROGRAMS: [&str; 25] = [\n",
    );
    for preset in built_presets() {
        let json = preset.program.to_json();
        out.push_str(&format!("    {json:?},\n"));
    }
    out.push_str("];\n");
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_stored_links_are_exactly_the_presets_built_in_code() {
        let built = built_presets();
        let stored = presets();
        assert_eq!(
            stored.len(),
            built.len(),
            "regenerate with `asyncio-playground gallery-links`"
        );
        for (s, b) in stored.iter().zip(&built) {
            assert_eq!(
                (s.id, &s.program),
                (b.id, &b.program),
                "regenerate with `asyncio-playground gallery-links`"
            );
            assert_eq!((s.title, s.explanation), (b.title, b.explanation));
        }
        // The picker knows an unedited preset by its text: the text a
        // loaded preset writes is the one stored.
        for entry in entries() {
            assert_eq!(
                entry.program().unwrap().to_json(),
                entry.json,
                "{}",
                entry.id
            );
        }
        assert_eq!(first_program(), built[0].program);
    }

    #[test]
    fn tutorial_presets_follow_the_examples_in_order() {
        let ids: Vec<&str> = crate::examples::tutorial_examples()
            .iter()
            .map(|(n, _)| *n)
            .collect();
        let presets = presets();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(presets[i].id, *id);
        }
        for p in presets {
            for lang in Lang::ALL {
                assert!(
                    !p.title(lang).is_empty()
                        && p.explanation(lang).matches(['.', '。']).count() >= 2,
                    "{}",
                    p.id
                );
            }
        }
    }
}
