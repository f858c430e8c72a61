//! One test per rule of asyncio's semantics, each named as the claim it
//! checks. Every expected output below is what CPython 3.11 printed for the
//! exported program on a virtual clock; `claims_hold_under_cpython` re-runs
//! them all live, so an expectation cannot drift from CPython.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::engine::{
    Awaitable, CallbackFn, Coroutine, ExcKind, Expr as E, Program, ReturnWhen, Simulation, Status,
    Step,
};
use asyncio_playground::python::{self, cpython as oracle};

fn co(name: &str, body: Vec<Step>) -> Coroutine {
    Coroutine::new(name, body)
}

fn program(coroutines: Vec<Coroutine>) -> Program {
    Program {
        coroutines,
        ..Program::default()
    }
}

/// `print(text, "at", time.time())`.
fn say(text: &str) -> Step {
    Step::print([E::str(text), E::str("at"), E::Time])
}

fn create(coro: u32) -> Step {
    Step::CreateTask { coro }
}

fn await_task(coro: u32, bind: Option<String>) -> Step {
    Step::Await {
        target: Awaitable::Task(coro),
        bind,
    }
}

fn sleep(seconds: f64) -> Step {
    Step::sleep(seconds)
}

fn raise(kind: ExcKind, message: &str) -> Step {
    Step::Raise {
        kind,
        message: Some(message.into()),
    }
}

fn bind(name: &str) -> Option<String> {
    Some(name.into())
}

fn wait(items: Vec<u32>, timeout: Option<f64>, return_when: ReturnWhen) -> Step {
    Step::Wait {
        items,
        timeout,
        return_when,
        done: bind("done"),
        pending: bind("pending"),
    }
}

fn engine_output(program: Program) -> String {
    let mut sim = Simulation::new(program).expect("a valid program");
    let status = sim.run_to_end().clone();
    assert!(
        matches!(status, Status::Finished),
        "the run did not finish: {status:?}"
    );
    sim.output_text()
}

macro_rules! claims {
    ($($name:ident: $program:expr => $expected:expr;)*) => {
        $(
            #[test]
            fn $name() {
                assert_eq!(engine_output($program), $expected);
            }
        )*

        fn all_claims() -> Vec<(&'static str, Program, &'static str)> {
            vec![$((stringify!($name), $program, $expected)),*]
        }
    };
}

fn cancel(coro: u32) -> Step {
    Step::Cancel {
        task: coro,
        bind: bind("cancelled"),
    }
}

fn catch_cancelled(body: Vec<Step>, handler: Vec<Step>) -> Step {
    Step::try_except(body, ExcKind::CancelledError, handler)
}

fn ret(value: i64) -> Step {
    Step::ret(E::int(value))
}

fn print_var(label: &str, var: &str) -> Step {
    Step::print([E::str(label), E::var(var), E::str("at"), E::Time])
}

/// `main` plus tasks that each sleep, print and return.
fn sleepers(delays: &[(&str, f64)]) -> Vec<Coroutine> {
    delays
        .iter()
        .enumerate()
        .map(|(i, (name, delay))| {
            co(
                name,
                vec![
                    sleep(*delay),
                    say(&format!("{name} finished")),
                    ret(i as i64 + 1),
                ],
            )
        })
        .collect()
}

fn with_main(main: Vec<Step>, rest: Vec<Coroutine>) -> Program {
    let mut coroutines = vec![co("main", main)];
    coroutines.extend(rest);
    program(coroutines)
}

claims! {
    sleep_zero_yields_exactly_one_iteration: program(vec![
        co("main", vec![create(1), create(2), await_task(1, None), await_task(2, None)]),
        co("a", vec![say("a1"), sleep(0.0), say("a2"), sleep(0.0), say("a3")]),
        co("b", vec![say("b1"), sleep(0.0), say("b2"), sleep(0.0), say("b3")]),
    ]) => concat!(
        "a1 at 0.0\n",
        "b1 at 0.0\n",
        "a2 at 0.0\n",
        "b2 at 0.0\n",
        "a3 at 0.0\n",
        "b3 at 0.0\n",
    );

    new_tasks_start_in_creation_order_once_the_creator_yields: program(vec![
        co("main", vec![
            create(1), create(2), create(3),
            say("main still running"),
            sleep(0.0),
            say("main resumes"),
            await_task(1, None), await_task(2, None), await_task(3, None),
        ]),
        co("t1", vec![say("t1 starts")]),
        co("t2", vec![say("t2 starts")]),
        co("t3", vec![say("t3 starts")]),
    ]) => concat!(
        "main still running at 0.0\n",
        "t1 starts at 0.0\n",
        "t2 starts at 0.0\n",
        "t3 starts at 0.0\n",
        "main resumes at 0.0\n",
    );

    equal_deadlines_fire_in_heapq_order_not_creation_order: with_main(
        (1..=7).map(create).chain((1..=7).map(|c| await_task(c, None))).collect(),
        (1..=7).map(|i| co(&format!("t{i}"), vec![sleep(1.0), say(&format!("t{i} wakes"))])).collect(),
    ) => concat!(
        "t1 wakes at 1.0\n",
        "t3 wakes at 1.0\n",
        "t6 wakes at 1.0\n",
        "t7 wakes at 1.0\n",
        "t5 wakes at 1.0\n",
        "t2 wakes at 1.0\n",
        "t4 wakes at 1.0\n",
    );

    a_task_resumes_one_iteration_after_its_future_completes: Program {
        futures: vec!["fut".into()],
        ..with_main(
            vec![create(1), create(2), await_task(1, None), await_task(2, None)],
            vec![
                co("waiter", vec![Step::Await { target: Awaitable::Future(0), bind: bind("v") }, print_var("waiter got", "v")]),
                co("setter", vec![
                    Step::SetResult { future: 0, value: E::str("ready") },
                    say("setter set the result"),
                    sleep(0.0),
                    say("setter one iteration later"),
                ]),
            ],
        )
    } => concat!(
        "setter set the result at 0.0\n",
        "waiter got ready at 0.0\n",
        "setter one iteration later at 0.0\n",
    );

    done_callbacks_run_through_call_soon_in_registration_order: Program {
        callbacks: ["cb1", "cb2", "cb3"]
            .iter()
            .map(|name| CallbackFn { name: name.to_string(), print: vec![E::str(name), E::ArgResult, E::str("at"), E::Time] })
            .collect(),
        ..with_main(
            vec![
                create(1),
                Step::AddDoneCallback { task: 1, callback: 0 },
                Step::AddDoneCallback { task: 1, callback: 1 },
                await_task(1, None),
                say("main resumed"),
                Step::AddDoneCallback { task: 1, callback: 2 },
                say("main added cb3 to a done task"),
                sleep(0.0),
                say("main after one iteration"),
            ],
            vec![co("work", vec![sleep(1.0), Step::ret(E::str("result"))])],
        )
    } => concat!(
        "cb1 result at 1.0\n",
        "cb2 result at 1.0\n",
        "main resumed at 1.0\n",
        "main added cb3 to a done task at 1.0\n",
        "cb3 result at 1.0\n",
        "main after one iteration at 1.0\n",
    );

    cancel_returns_false_on_a_done_task: with_main(
        vec![create(1), await_task(1, None), cancel(1), print_var("cancel() ->", "cancelled")],
        vec![co("quick", vec![ret(1)])],
    ) => "cancel() -> False at 0.0\n";

    a_cancelled_task_can_clean_up_by_awaiting_and_reraise: with_main(
        vec![
            create(1),
            sleep(1.0),
            cancel(1),
            print_var("cancel() ->", "cancelled"),
            catch_cancelled(vec![await_task(1, None)], vec![say("main saw the worker cancelled")]),
            Step::print([E::str("worker cancelled()"), E::Cancelled(1)]),
        ],
        vec![co("worker", vec![
            catch_cancelled(vec![sleep(10.0)], vec![
                say("cleanup starts"),
                sleep(1.0),
                say("cleanup done"),
                Step::Reraise,
            ]),
        ])],
    ) => concat!(
        "cancel() -> True at 1.0\n",
        "cleanup starts at 1.0\n",
        "cleanup done at 2.0\n",
        "main saw the worker cancelled at 2.0\n",
        "worker cancelled() True\n",
    );

    a_task_that_swallows_cancellation_finishes_normally: with_main(
        vec![
            create(1),
            sleep(1.0),
            cancel(1),
            await_task(1, bind("r")),
            print_var("worker returned", "r"),
            Step::print([E::str("worker cancelled()"), E::Cancelled(1)]),
        ],
        vec![co("worker", vec![
            catch_cancelled(vec![sleep(10.0)], vec![say("worker swallows it")]),
            Step::ret(E::str("finished anyway")),
        ])],
    ) => concat!(
        "worker swallows it at 1.0\n",
        "worker returned finished anyway at 1.0\n",
        "worker cancelled() False\n",
    );

    a_task_cancelled_before_its_first_step_runs_none_of_its_body: with_main(
        vec![
            create(1),
            cancel(1),
            catch_cancelled(vec![await_task(1, None)], vec![say("main saw it cancelled")]),
            Step::print([E::str("cancelled()"), E::Cancelled(1)]),
        ],
        vec![co("never", vec![say("this never prints")])],
    ) => concat!(
        "main saw it cancelled at 0.0\n",
        "cancelled() True\n",
    );

    except_exception_does_not_catch_cancelled_error: with_main(
        vec![
            create(1),
            sleep(1.0),
            cancel(1),
            catch_cancelled(vec![await_task(1, None)], vec![say("CancelledError reached main")]),
        ],
        vec![co("worker", vec![Step::try_except(vec![sleep(10.0)], ExcKind::Exception, vec![say("except Exception caught it")])])],
    ) => "CancelledError reached main at 1.0\n";

    cancelling_a_task_cancels_the_task_it_awaits: with_main(
        vec![
            create(1),
            sleep(1.0),
            cancel(1),
            catch_cancelled(vec![await_task(1, None)], vec![say("outer cancelled")]),
            Step::print([E::str("inner cancelled()"), E::Cancelled(2)]),
        ],
        vec![
            co("outer", vec![create(2), await_task(2, None)]),
            co("inner", vec![catch_cancelled(vec![sleep(10.0)], vec![say("inner cancelled too"), Step::Reraise])]),
        ],
    ) => concat!(
        "inner cancelled too at 1.0\n",
        "outer cancelled at 1.0\n",
        "inner cancelled() True\n",
    );

    result_raises_invalid_state_while_pending_and_cancelled_error_once_cancelled: with_main(
        vec![
            create(1),
            Step::try_except(vec![Step::print([E::Result(1)])], ExcKind::InvalidStateError, vec![say("pending: InvalidStateError")]),
            cancel(1),
            sleep(0.0),
            sleep(0.0),
            catch_cancelled(vec![Step::print([E::Result(1)])], vec![say("cancelled: CancelledError")]),
        ],
        vec![co("slow", vec![sleep(5.0)])],
    ) => concat!(
        "pending: InvalidStateError at 0.0\n",
        "cancelled: CancelledError at 0.0\n",
    );

    gather_returns_results_in_argument_order: with_main(
        vec![
            Step::Gather { items: vec![Awaitable::Coro(1), Awaitable::Coro(2), Awaitable::Coro(3)], return_exceptions: false, bind: bind("r") },
            print_var("gather ->", "r"),
        ],
        sleepers(&[("slow", 3.0), ("fast", 1.0), ("mid", 2.0)]),
    ) => concat!(
        "fast finished at 1.0\n",
        "mid finished at 2.0\n",
        "slow finished at 3.0\n",
        "gather -> [1, 2, 3] at 3.0\n",
    );

    gather_does_not_cancel_siblings_when_one_raises: with_main(
        vec![
            Step::try_except(
                vec![Step::Gather { items: vec![Awaitable::Coro(1), Awaitable::Coro(2), Awaitable::Coro(3)], return_exceptions: false, bind: None }],
                ExcKind::ValueError,
                vec![say("main caught ValueError")],
            ),
            sleep(3.0),
            say("main done"),
        ],
        vec![
            co("a", vec![sleep(1.0), say("a finished")]),
            co("b", vec![sleep(0.5), raise(ExcKind::ValueError, "bad")]),
            co("c", vec![sleep(2.0), say("c finished")]),
        ],
    ) => concat!(
        "main caught ValueError at 0.5\n",
        "a finished at 1.0\n",
        "c finished at 2.0\n",
        "main done at 3.5\n",
    );

    gather_with_return_exceptions_returns_them_in_place: with_main(
        vec![
            Step::Gather { items: vec![Awaitable::Coro(1), Awaitable::Coro(2), Awaitable::Coro(3)], return_exceptions: true, bind: bind("r") },
            print_var("gather ->", "r"),
        ],
        vec![
            co("a", vec![sleep(1.0), ret(1)]),
            co("b", vec![sleep(0.5), raise(ExcKind::ValueError, "bad")]),
            co("c", vec![ret(3)]),
        ],
    ) => "gather -> [1, ValueError('bad'), 3] at 1.0\n";

    gather_counts_a_cancelled_child_as_cancelled_error: with_main(
        vec![
            create(1), create(2), create(3),
            Step::Gather { items: vec![Awaitable::Task(1), Awaitable::Task(2)], return_exceptions: true, bind: bind("r") },
            print_var("gather ->", "r"),
        ],
        vec![
            co("a", vec![sleep(1.0), ret(1)]),
            co("b", vec![sleep(5.0), ret(2)]),
            co("killer", vec![sleep(0.5), cancel(2)]),
        ],
    ) => "gather -> [1, CancelledError('')] at 1.0\n";

    gather_raises_cancelled_error_for_a_cancelled_child: with_main(
        vec![
            create(1), create(2),
            catch_cancelled(
                vec![Step::Gather { items: vec![Awaitable::Task(1)], return_exceptions: false, bind: None }],
                vec![say("main got CancelledError from gather")],
            ),
            Step::print([E::str("main keeps running")]),
        ],
        vec![co("b", vec![sleep(5.0)]), co("killer", vec![sleep(0.5), cancel(1)])],
    ) => concat!(
        "main got CancelledError from gather at 0.5\n",
        "main keeps running\n",
    );

    cancelling_a_gather_cancels_every_unfinished_child: with_main(
        vec![
            create(1),
            sleep(2.0),
            cancel(1),
            catch_cancelled(vec![await_task(1, None)], vec![say("main saw the gatherer cancelled")]),
        ],
        vec![
            co("gatherer", vec![catch_cancelled(
                vec![Step::Gather { items: vec![Awaitable::Coro(2), Awaitable::Coro(3)], return_exceptions: false, bind: None }],
                vec![say("gather cancelled"), Step::Reraise],
            )]),
            co("a", vec![sleep(1.0), say("a finished")]),
            co("b", vec![catch_cancelled(vec![sleep(5.0)], vec![say("b cancelled"), Step::Reraise])]),
        ],
    ) => concat!(
        "a finished at 1.0\n",
        "b cancelled at 2.0\n",
        "gather cancelled at 2.0\n",
        "main saw the gatherer cancelled at 2.0\n",
    );

    gather_of_nothing_is_an_empty_list: with_main(
        vec![Step::Gather { items: vec![], return_exceptions: false, bind: bind("r") }, print_var("gather() ->", "r")],
        vec![],
    ) => "gather() -> [] at 0.0\n";

    wait_never_raises_or_cancels_on_timeout: with_main(
        vec![
            create(1), create(2),
            wait(vec![1, 2], Some(2.0), ReturnWhen::AllCompleted),
            Step::print([E::Len("done".into()), E::str("done,"), E::Len("pending".into()), E::str("pending at"), E::Time]),
            await_task(2, None),
            say("main done"),
        ],
        sleepers(&[("fast", 1.0), ("slow", 3.0)]),
    ) => concat!(
        "fast finished at 1.0\n",
        "1 done, 1 pending at 2.0\n",
        "slow finished at 3.0\n",
        "main done at 3.0\n",
    );

    wait_first_completed_returns_after_the_first_task: with_main(
        vec![
            create(1), create(2),
            wait(vec![1, 2], None, ReturnWhen::FirstCompleted),
            Step::print([E::SortedResults("done".into()), E::Len("pending".into()), E::str("pending at"), E::Time]),
        ],
        sleepers(&[("fast", 1.0), ("slow", 2.0)]),
    ) => concat!(
        "fast finished at 1.0\n",
        "[1] 1 pending at 1.0\n",
    );

    wait_first_exception_acts_as_all_completed_when_nothing_raises: with_main(
        vec![
            create(1), create(2),
            wait(vec![1, 2], None, ReturnWhen::FirstException),
            Step::print([E::SortedResults("done".into()), E::Len("pending".into()), E::str("pending at"), E::Time]),
        ],
        sleepers(&[("fast", 1.0), ("slow", 2.0)]),
    ) => concat!(
        "fast finished at 1.0\n",
        "slow finished at 2.0\n",
        "[1, 2] 0 pending at 2.0\n",
    );

    wait_first_exception_returns_at_the_first_exception: with_main(
        vec![
            create(1), create(2),
            wait(vec![1, 2], None, ReturnWhen::FirstException),
            Step::print([E::Len("done".into()), E::str("done,"), E::Len("pending".into()), E::str("pending at"), E::Time]),
        ],
        vec![co("bad", vec![sleep(1.0), raise(ExcKind::ValueError, "bad")]), co("slow", vec![sleep(3.0)])],
    ) => "1 done, 1 pending at 1.0\n";

    wait_first_exception_does_not_count_cancellation: with_main(
        vec![
            create(1), create(2), create(3),
            wait(vec![1, 2], None, ReturnWhen::FirstException),
            Step::print([E::Len("done".into()), E::str("done,"), E::Len("pending".into()), E::str("pending at"), E::Time]),
        ],
        vec![co("victim", vec![sleep(5.0)]), co("slow", vec![sleep(2.0)]), co("killer", vec![sleep(1.0), cancel(1)])],
    ) => "2 done, 0 pending at 2.0\n";

    wait_on_nothing_raises_value_error: with_main(
        vec![Step::try_except(vec![wait(vec![], None, ReturnWhen::AllCompleted)], ExcKind::ValueError, vec![say("wait([]) raised ValueError")])],
        vec![],
    ) => "wait([]) raised ValueError at 0.0\n";

    as_completed_yields_in_completion_order: with_main(
        vec![
            create(1), create(2), create(3),
            Step::AsCompleted { items: vec![1, 2, 3], timeout: None, bind: bind("r"), body: vec![print_var("got", "r")] },
        ],
        sleepers(&[("slow", 3.0), ("fast", 1.0), ("mid", 2.0)]),
    ) => concat!(
        "fast finished at 1.0\n",
        "got 2 at 1.0\n",
        "mid finished at 2.0\n",
        "got 3 at 2.0\n",
        "slow finished at 3.0\n",
        "got 1 at 3.0\n",
    );

    as_completed_timeout_raises_timeout_error_and_the_rest_keep_running: with_main(
        vec![
            create(1), create(2),
            Step::try_except(
                vec![Step::AsCompleted { items: vec![1, 2], timeout: Some(2.0), bind: bind("r"), body: vec![print_var("got", "r")] }],
                ExcKind::TimeoutError,
                vec![say("as_completed timed out")],
            ),
            sleep(4.0),
            say("main done"),
        ],
        sleepers(&[("fast", 1.0), ("slow", 5.0)]),
    ) => concat!(
        "fast finished at 1.0\n",
        "got 1 at 1.0\n",
        "as_completed timed out at 2.0\n",
        "slow finished at 5.0\n",
        "main done at 6.0\n",
    );

    wait_for_timeout_cancels_the_task_and_waits_for_its_cleanup: with_main(
        vec![
            create(1),
            Step::try_except(
                vec![Step::WaitFor { target: Awaitable::Task(1), timeout: Some(1.0), bind: None }],
                ExcKind::TimeoutError,
                vec![say("main got TimeoutError")],
            ),
            Step::print([E::str("worker cancelled()"), E::Cancelled(1)]),
        ],
        vec![co("worker", vec![catch_cancelled(vec![sleep(10.0)], vec![
            say("cleanup starts"), sleep(0.5), say("cleanup done"), Step::Reraise,
        ])])],
    ) => concat!(
        "cleanup starts at 1.0\n",
        "cleanup done at 1.5\n",
        "main got TimeoutError at 1.5\n",
        "worker cancelled() True\n",
    );

    wait_for_returns_the_result_when_in_time: with_main(
        vec![
            Step::WaitFor { target: Awaitable::Coro(1), timeout: Some(2.0), bind: bind("r") },
            print_var("wait_for ->", "r"),
        ],
        vec![co("quick", vec![sleep(1.0), Step::ret(E::str("ok"))])],
    ) => "wait_for -> ok at 1.0\n";

    cancelling_wait_for_cancels_the_inner_task: with_main(
        vec![
            create(1),
            sleep(1.0),
            cancel(1),
            catch_cancelled(vec![await_task(1, None)], vec![say("main saw the waiter cancelled")]),
        ],
        vec![
            co("waiter", vec![Step::WaitFor { target: Awaitable::Coro(2), timeout: Some(10.0), bind: None }]),
            co("inner", vec![catch_cancelled(vec![sleep(5.0)], vec![say("inner cancelled"), Step::Reraise])]),
        ],
    ) => concat!(
        "inner cancelled at 1.0\n",
        "main saw the waiter cancelled at 1.0\n",
    );

    shield_protects_the_inner_task_from_the_callers_cancellation: with_main(
        vec![
            create(1), create(2),
            sleep(1.0),
            cancel(2),
            catch_cancelled(vec![await_task(2, None)], vec![say("main saw the caller cancelled")]),
            await_task(1, bind("r")),
            print_var("inner still returned", "r"),
        ],
        vec![
            co("inner", vec![sleep(2.0), say("inner finished"), Step::ret(E::str("done"))]),
            co("caller", vec![Step::Shield { target: Awaitable::Task(1), bind: None }, say("caller never gets here")]),
        ],
    ) => concat!(
        "main saw the caller cancelled at 1.0\n",
        "inner finished at 2.0\n",
        "inner still returned done at 2.0\n",
    );

    cancelling_the_shielded_task_cancels_the_shield_too: with_main(
        vec![
            create(1), create(2),
            sleep(1.0),
            cancel(1),
            await_task(2, None),
        ],
        vec![
            co("inner", vec![sleep(5.0)]),
            co("caller", vec![catch_cancelled(
                vec![Step::Shield { target: Awaitable::Task(1), bind: None }],
                vec![say("caller got CancelledError through the shield")],
            )]),
        ],
    ) => "caller got CancelledError through the shield at 1.0\n";

    lock_waiters_acquire_in_fifo_order: Program {
        locks: vec!["lock".into()],
        ..with_main(
            vec![create(1), create(2), create(3), await_task(1, None), await_task(2, None), await_task(3, None)],
            ["a", "b", "c"].iter().map(|n| co(n, vec![Step::WithLock { lock: 0, body: vec![say(&format!("{n} holds the lock")), sleep(1.0)] }])).collect(),
        )
    } => concat!(
        "a holds the lock at 0.0\n",
        "b holds the lock at 1.0\n",
        "c holds the lock at 2.0\n",
    );

    semaphore_limits_concurrency: Program {
        semaphores: vec![("sem".into(), 2)],
        ..with_main(
            vec![create(1), create(2), create(3), create(4), await_task(1, None), await_task(2, None), await_task(3, None), await_task(4, None)],
            ["a", "b", "c", "d"].iter().map(|n| co(n, vec![Step::WithSemaphore { semaphore: 0, body: vec![say(&format!("{n} enters")), sleep(1.0)] }])).collect(),
        )
    } => concat!(
        "a enters at 0.0\n",
        "b enters at 0.0\n",
        "c enters at 1.0\n",
        "d enters at 1.0\n",
    );

    event_set_wakes_every_waiter: Program {
        events: vec!["ready".into()],
        ..with_main(
            vec![create(1), create(2), create(3), sleep(1.0), say("main sets the event"), Step::EventSet { event: 0 }, await_task(1, None), await_task(2, None), await_task(3, None)],
            ["a", "b", "c"].iter().map(|n| co(n, vec![Step::EventWait { event: 0 }, say(&format!("{n} woke"))])).collect(),
        )
    } => concat!(
        "main sets the event at 1.0\n",
        "a woke at 1.0\n",
        "b woke at 1.0\n",
        "c woke at 1.0\n",
    );

    queue_get_waits_for_put_and_join_waits_for_task_done: Program {
        queues: vec![("queue".into(), 1)],
        ..with_main(
            vec![create(1), create(2), await_task(2, None), Step::QueueJoin { queue: 0 }, say("join returned")],
            vec![
                co("consumer", (0..3).flat_map(|_| vec![
                    Step::QueueGet { queue: 0, bind: bind("item") },
                    print_var("consumed", "item"),
                    sleep(1.0),
                    Step::QueueTaskDone { queue: 0 },
                ]).collect()),
                co("producer", (1..=3).flat_map(|i| vec![
                    Step::QueuePut { queue: 0, value: E::int(i) },
                    say(&format!("produced {i}")),
                ]).collect()),
            ],
        )
    } => concat!(
        "produced 1 at 0.0\n",
        "consumed 1 at 0.0\n",
        "produced 2 at 0.0\n",
        "consumed 2 at 1.0\n",
        "produced 3 at 1.0\n",
        "consumed 3 at 2.0\n",
        "join returned at 3.0\n",
    );

    blocking_sleep_stalls_the_whole_loop: with_main(
        vec![Step::Gather { items: vec![Awaitable::Coro(1), Awaitable::Coro(2)], return_exceptions: false, bind: None }],
        vec![
            co("ticker", vec![say("tick"), sleep(0.5), say("tick"), sleep(0.5), say("tick")]),
            co("blocker", vec![say("blocker starts"), Step::Block { seconds: 2.0 }, say("blocker ends")]),
        ],
    ) => concat!(
        "tick at 0.0\n",
        "blocker starts at 0.0\n",
        "blocker ends at 2.0\n",
        "tick at 2.0\n",
        "tick at 2.5\n",
    );

    leftover_tasks_are_cancelled_when_main_returns: Program {
        epilogue: vec![vec![E::str("asyncio.run returned at"), E::Time]],
        ..with_main(
            vec![create(1), sleep(1.0), say("main returns")],
            vec![co("forever", vec![catch_cancelled(vec![sleep(100.0)], vec![say("cancelled at shutdown")])])],
        )
    } => concat!(
        "main returns at 1.0\n",
        "cancelled at shutdown at 1.0\n",
        "asyncio.run returned at 1.0\n",
    );
}

#[test]
fn claims_hold_under_cpython() {
    let claims = all_claims();
    let sources: Vec<String> = claims.iter().map(|(_, p, _)| python::export(p)).collect();
    let runs = oracle::run_batch(&sources).expect("CPython (python3) must be installed");
    let mut failures = String::new();
    for ((name, _, expected), run) in claims.into_iter().zip(runs) {
        if run.stdout != expected || run.error.is_some() {
            failures.push_str(&format!(
                "=== {name}\n--- expected\n{expected}--- cpython (error: {:?})\n{}",
                run.error, run.stdout
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "claims CPython disagrees with:\n{failures}"
    );
}
