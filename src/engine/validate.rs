//! Checks a program before it runs and returns every problem at once, each
//! tied to where it is, so the editor can show them in place. A program
//! with errors never reaches the loop; warnings describe code that runs
//! but raises (as asyncio does for `wait([])`).

use super::fasthash::{set_with_capacity, FastHashSet as HashSet};
use super::trace::Said;

use super::budget::{thousands, Budget};
use super::program::{Awaitable, CoroId, Expr, Program, Step};
use super::pyrules;
use super::value::Value;

/// Durations and timeouts above this (30 days, in seconds) are rejected:
/// nobody watches them, and they only hide typos. (A run stops when its
/// clock reaches 97 days, see `Budget::max_clock`.)
pub const MAX_SECONDS: f64 = 30.0 * 24.0 * 3600.0;
/// How deeply coroutines may await each other inline (`await coro()`),
/// counting the blocks each await sits in: CPython manages about 980
/// (its recursion limit), and the browser's stack holds the engine's
/// frames for this many with room to spare.
pub const MAX_AWAIT_DEPTH: u32 = 100;
/// The most arguments a `print` may have, lines after `asyncio.run`, and
/// things of each kind (callbacks, futures, locks, semaphores, events,
/// queues).
pub const MAX_ARGS: usize = 100;
pub const MAX_EPILOGUE_LINES: usize = 100;
pub const MAX_OBJECTS: usize = 1_000;
/// How big a literal may be: its strings' characters and its lists'
/// items in all, and how deeply its lists nest.
pub const MAX_LITERAL_SIZE: usize = 10_000;
pub const MAX_LITERAL_DEPTH: usize = 20;
/// The longest name a task may be given (`create_task(..., name=...)`).
pub const MAX_TASK_NAME_CHARS: usize = 100;
/// The most problems listed: a huge program could have one per step.
pub const MAX_PROBLEMS: usize = 500;
/// How deeply blocks may nest (try inside for inside with...).
pub const MAX_NESTING: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The program cannot run.
    Error,
    /// It runs, and Python raises here.
    Warning,
}

/// Where a problem is: a coroutine (or callback) and the path to the step,
/// alternating step and block indexes (`[2, 1, 0]`: the first step of the
/// second block of step 2), as the editor addresses steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Program,
    Coroutine {
        coro: CoroId,
        path: Vec<u32>,
    },
    Callback(u32),
    /// A job's step, by its index in the job's body.
    Job {
        job: u32,
        step: u32,
    },
    /// A line printed after `asyncio.run` returns, by its index.
    Epilogue(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub location: Location,
    /// In English: what the command-line tool and the tests read.
    pub message: String,
    /// The same, as data: the page words it in the learner's language.
    pub said: Said,
}

impl Problem {
    fn new(severity: Severity, location: Location, said: Said) -> Problem {
        Problem {
            severity,
            location,
            message: crate::i18n::say(crate::i18n::Lang::En, &said),
            said,
        }
    }
}

/// Every problem of `program`; `budget` bounds its size.
pub fn validate(program: &Program, budget: &Budget) -> Vec<Problem> {
    check(program, budget).problems
}

/// What validation finds: the problems, and what the program needs.
pub struct Checked {
    pub problems: Vec<Problem>,
    /// The program starts a side loop (see [`Program::uses_side_loop`]).
    pub uses_side_loop: bool,
}

/// [`validate`], with what else the walk learnt.
pub fn check(program: &Program, budget: &Budget) -> Checked {
    let max_coroutines = budget.max_coroutines;
    let mut v = Validator {
        program,
        max_items: max_coroutines,
        steps: 0,
        too_deep: false,
        globals: Default::default(),
        problems: Vec::new(),
        created: vec![0; program.coroutines.len()],
        inline_calls: vec![Vec::new(); program.coroutines.len()],
        referenced: vec![false; program.coroutines.len()],
        side_roots: Vec::new(),
        uses_side_loop: false,
        ordered_from: None,
    };
    if program.coroutines.len() > max_coroutines {
        v.error(
            Location::Program,
            Said::new("problem.too_many_coroutines")
                .with("n", thousands(program.coroutines.len()))
                .with("max", thousands(max_coroutines)),
        );
        return Checked {
            problems: v.problems,
            uses_side_loop: false,
        };
    }
    v.names();
    let walked_from = v.problems.len();
    // One walk checks every coroutine and surveys what the program refers
    // to; one path buffer serves them all: a program may have 100,000.
    let mut path = Vec::new();
    for (i, coro) in program.coroutines.iter().enumerate() {
        let mut ctx = Context::new(i as u32, path, &coro.body);
        v.block(&mut ctx, &coro.body);
        path = ctx.path;
    }
    // Which loop a coroutine runs on is known only once every step has
    // been seen; the side loop's own rules are checked in a second walk,
    // over its coroutines alone (none, in most programs).
    if !v.side_roots.is_empty() {
        v.ordered_from = Some(walked_from);
        let roots = std::mem::take(&mut v.side_roots);
        let on_side = v.loops(&roots);
        for (i, coro) in program.coroutines.iter().enumerate() {
            if on_side[i] {
                let mut ctx = Context::new(i as u32, path, &coro.body);
                v.side_block(&mut ctx, &coro.body);
                path = ctx.path;
            }
        }
        v.ordered_from = None;
    }
    for (i, callback) in program.callbacks.iter().enumerate() {
        if let Some(message) = v.args_problem(&callback.print, Scope::Callback) {
            v.error(Location::Callback(i as u32), message);
        }
    }
    v.epilogue();
    for (i, job) in program.jobs.iter().enumerate() {
        v.job(i as u32, &job.body);
    }
    let referenced = std::mem::take(&mut v.referenced);
    v.tasks_and_cycles(&referenced);
    // Counted as the walks went (a program from a link is at most 2 MB,
    // so the walk itself is short); said first, it is what to fix first.
    if v.steps > budget.max_program_steps {
        v.problems.insert(
            0,
            Problem::new(
                Severity::Error,
                Location::Program,
                Said::new("problem.too_many_steps")
                    .with("n", thousands(v.steps))
                    .with("max", thousands(budget.max_program_steps)),
            ),
        );
    }
    // Writing the text walks every level: a program nested too deeply
    // (refused already) could be deeper than the stack.
    if let (Some(max), false) = (budget.max_text_bytes, v.too_deep) {
        let bytes = program.to_json().len();
        if bytes > max {
            v.problems.insert(
                0,
                Problem::new(
                    Severity::Error,
                    Location::Program,
                    Said::new("problem.too_big_as_text")
                        .with("kb", thousands(bytes / 1024))
                        .with("max", thousands(max / 1024)),
                ),
            );
        }
    }
    if v.problems.len() > MAX_PROBLEMS {
        let more = v.problems.len() - MAX_PROBLEMS;
        v.problems.truncate(MAX_PROBLEMS);
        v.problems.push(Problem::new(
            Severity::Error,
            Location::Program,
            Said::new("problem.more").with("n", thousands(more)),
        ));
    }
    Checked {
        problems: v.problems,
        uses_side_loop: v.uses_side_loop,
    }
}

/// The most jobs a program may define, and steps a job may have.
pub const MAX_JOBS: usize = 100;
pub const MAX_JOB_STEPS: usize = 1000;

struct Validator<'a> {
    program: &'a Program,
    /// The most awaitables a combinator may take (the budget's coroutines).
    max_items: usize,
    /// Steps seen, `except` handlers included (see `program_steps`).
    steps: usize,
    /// Blocks nest deeper than the walk goes.
    too_deep: bool,
    /// The exported program's global names, once a variable needs them.
    globals: std::cell::OnceCell<HashSet<String>>,
    problems: Vec<Problem>,
    /// How many `CreateTask` steps make a task of each coroutine.
    created: Vec<u32>,
    /// The coroutines each coroutine awaits inline (`await coro()`), with
    /// how many blocks deep each await is.
    inline_calls: Vec<Vec<(CoroId, u32)>>,
    /// Whose task some step refers to.
    referenced: Vec<bool>,
    /// The coroutines handed to the side loop.
    side_roots: Vec<CoroId>,
    /// Some step hands work to the side loop.
    uses_side_loop: bool,
    /// From this index on, problems are kept in the order of the steps
    /// they are at, so those the side loop's walk finds afterwards go
    /// where one walk would have put them.
    ordered_from: Option<usize>,
}

struct Context<'a> {
    coro: CoroId,
    path: Vec<u32>,
    body: &'a [Step],
    /// The names the coroutine assigns, found the first time an
    /// expression reads one (most coroutines never do).
    bound: std::cell::OnceCell<HashSet<String>>,
    in_handler: u32,
    /// The blocks of CPython's compiler the exported step sits inside.
    python_blocks: u32,
}

impl<'a> Context<'a> {
    fn new(coro: CoroId, mut path: Vec<u32>, body: &'a [Step]) -> Context<'a> {
        path.clear();
        Context {
            coro,
            path,
            body,
            bound: Default::default(),
            in_handler: 0,
            python_blocks: 0,
        }
    }

    fn location(&self) -> Location {
        Location::Coroutine {
            coro: self.coro,
            path: self.path.clone(),
        }
    }
}

impl Validator<'_> {
    fn error(&mut self, location: Location, said: Said) {
        self.add(Problem::new(Severity::Error, location, said));
    }

    fn warning(&mut self, location: Location, said: Said) {
        self.add(Problem::new(Severity::Warning, location, said));
    }

    fn add(&mut self, problem: Problem) {
        let Some(from) = self.ordered_from else {
            self.problems.push(problem);
            return;
        };
        let after = self.problems[from..]
            .partition_point(|p| step_order(&p.location, &problem.location).is_le());
        self.problems.insert(from + after, problem);
    }

    fn names(&mut self) {
        let p = self.program;
        let counts = [
            (p.callbacks.len(), "object.callbacks"),
            (p.futures.len(), "object.futures"),
            (p.locks.len(), "object.locks"),
            (p.semaphores.len(), "object.semaphores"),
            (p.events.len(), "object.events"),
            (p.queues.len(), "object.queues"),
        ];
        for (count, kind) in counts {
            if count > MAX_OBJECTS {
                self.error(
                    Location::Program,
                    Said::new("problem.too_many_objects")
                        .with("n", thousands(count))
                        .with_word("kind", kind)
                        .with("max", thousands(MAX_OBJECTS)),
                );
                return;
            }
        }
        for (i, coro) in p.coroutines.iter().enumerate() {
            let problem = coro
                .task_name
                .as_deref()
                .filter(|name| name.chars().count() > MAX_TASK_NAME_CHARS)
                .map(|_| Said::new("problem.task_name_too_long").with("max", MAX_TASK_NAME_CHARS));
            if let Some(message) = problem {
                self.error(
                    Location::Coroutine {
                        coro: i as u32,
                        path: Vec::new(),
                    },
                    message,
                );
            }
        }
        let mut seen = set_with_capacity(self.program.coroutines.len());
        for (i, coro) in p.coroutines.iter().enumerate() {
            let location = Location::Coroutine {
                coro: i as u32,
                path: Vec::new(),
            };
            if let Some(message) = pyrules::name_said(&coro.name) {
                self.error(location.clone(), message);
            } else if !seen.insert(coro.name.as_str()) {
                self.error(
                    location,
                    Said::new("problem.two_coroutines_named").with("name", shown(&coro.name)),
                );
            }
        }
        let objects = p
            .callbacks
            .iter()
            .map(|c| c.name.as_str())
            .chain(p.jobs.iter().map(|j| j.name.as_str()))
            .chain(p.futures.iter().map(String::as_str))
            .chain(p.locks.iter().map(String::as_str))
            .chain(p.semaphores.iter().map(|s| s.0.as_str()))
            .chain(p.events.iter().map(String::as_str))
            .chain(p.queues.iter().map(|q| q.0.as_str()));
        for name in objects {
            if let Some(message) = pyrules::name_said(name) {
                self.error(Location::Program, message);
            } else if !seen.insert(name) {
                self.error(
                    Location::Program,
                    Said::new("problem.two_things_named").with("name", shown(name)),
                );
            }
        }
        // The exported Python keeps coroutine c's task in `c_task`.
        let clashes: Vec<(String, String)> = seen
            .iter()
            .filter_map(|name| {
                let base = name.strip_suffix("_task")?;
                p.coroutines
                    .iter()
                    .any(|c| c.name == base)
                    .then(|| (name.to_string(), base.to_string()))
            })
            .collect();
        for (name, base) in clashes {
            self.error(
                Location::Program,
                Said::new("problem.name_of_a_task")
                    .with("name", shown(&name))
                    .with("base", shown(&base)),
            );
        }
        for (name, value) in &p.semaphores {
            if *value > 1_000_000 {
                self.error(
                    Location::Program,
                    Said::new("problem.semaphore_too_big")
                        .with("name", shown(name))
                        .with("value", value),
                );
            }
        }
    }

    /// Which coroutines run on the side loop: those handed to it, and
    /// those they make tasks of, await or refer to, and so on. The others
    /// run on the main loop; a coroutine on both is an error, because
    /// tasks and their names belong to one loop.
    fn loops(&mut self, roots: &[CoroId]) -> Vec<bool> {
        let p = self.program;
        let n = p.coroutines.len();
        let reach = |roots: Vec<CoroId>| {
            let mut seen = vec![false; n];
            let mut stack = roots;
            while let Some(c) = stack.pop() {
                let Some(flag) = seen.get_mut(c as usize) else {
                    continue;
                };
                if std::mem::replace(flag, true) {
                    continue;
                }
                visit_steps(&p.coroutines[c as usize].body, &mut |step| {
                    same_loop_refs(step, &mut |r| stack.push(r))
                });
            }
            seen
        };
        if roots.is_empty() {
            // No side loop: every coroutine runs on the main loop.
            return vec![false; n];
        }
        let side = reach(roots.to_vec());
        let main = reach(vec![0]);
        for c in 0..n {
            if side[c] && main[c] {
                self.error(
                    Location::Coroutine {
                        coro: c as u32,
                        path: Vec::new(),
                    },
                    Said::new("problem.on_both_loops").with("name", shown(&p.coroutines[c].name)),
                );
            }
        }
        side
    }

    /// The side loop's rules, for each step of a coroutine on it.
    fn side_block(&mut self, ctx: &mut Context, steps: &[Step]) {
        if ctx.path.len() / 2 >= MAX_NESTING {
            return;
        }
        for (i, step) in steps.iter().enumerate() {
            ctx.path.push(i as u32);
            self.side_loop_step(ctx, step);
            if step.has_blocks() {
                for (b, block) in step.blocks().into_iter().enumerate() {
                    ctx.path.push(b as u32);
                    self.side_block(ctx, block);
                    ctx.path.pop();
                }
            }
            ctx.path.pop();
        }
    }

    /// What a coroutine on the side loop cannot do: the objects, the
    /// executor and `time.sleep` belong to the main loop's thread in the
    /// playground's model.
    fn side_loop_step(&mut self, ctx: &Context, step: &Step) {
        let problem = match step {
            Step::CallSoonThreadsafe { .. } => "problem.side_call_soon_threadsafe",
            Step::WithLock { .. }
            | Step::WithSemaphore { .. }
            | Step::EventSet { .. }
            | Step::EventClear { .. }
            | Step::EventWait { .. }
            | Step::QueuePut { .. }
            | Step::QueueGet { .. }
            | Step::QueueTaskDone { .. }
            | Step::QueueJoin { .. }
            | Step::SetResult { .. }
            | Step::SetException { .. } => "problem.side_objects",
            _ => match step.awaitables().iter().find_map(|aw| match aw {
                Awaitable::Future(_) => Some("problem.side_future"),
                Awaitable::Job(_) => Some("problem.side_executor"),
                Awaitable::SideLoop(_) => Some("problem.side_to_side"),
                Awaitable::Task(_) | Awaitable::Coro(_) => None,
            }) {
                Some(problem) => problem,
                None => return,
            },
        };
        self.error(ctx.location(), Said::new(problem));
    }

    /// A job runs on a thread: it may sleep (blocking its thread), print,
    /// return, raise and call back into the loop, and nothing else.
    fn job(&mut self, job: u32, body: &[Step]) {
        // Too many jobs is one problem, said once, at the first job too many.
        if job as usize > MAX_JOBS {
            return;
        }
        self.steps += body.len();
        if job as usize == MAX_JOBS || body.len() > MAX_JOB_STEPS {
            self.error(
                Location::Job { job, step: 0 },
                Said::new("problem.too_many_jobs")
                    .with("jobs", MAX_JOBS)
                    .with("steps", MAX_JOB_STEPS),
            );
            return;
        }
        for (i, step) in body.iter().enumerate() {
            let here = Location::Job {
                job,
                step: i as u32,
            };
            let problem = match step {
                Step::Block { seconds } => seconds_problem(*seconds),
                Step::Print { args } => self.args_problem(args, Scope::Thread),
                Step::Return { value } => self.expr_problem(value, Scope::Thread),
                Step::Raise { .. } => None,
                Step::CallSoonThreadsafe { callback } => (*callback as usize
                    >= self.program.callbacks.len())
                .then(|| no_such("object.callback", *callback)),
                _ => Some(Said::new("problem.job_cannot_await")),
            };
            if let Some(message) = problem {
                self.error(here, message);
            }
        }
    }

    /// Checks sub-block `index` of the current step (paths alternate step
    /// and block indexes, as the editor addresses steps).
    fn sub(&mut self, ctx: &mut Context, step: &Step, index: u32, steps: &[Step]) {
        let (depths, _) = pyrules::python_blocks(step);
        let inside = depths.get(index as usize).copied().unwrap_or(0);
        ctx.path.push(index);
        ctx.python_blocks += inside;
        self.block(ctx, steps);
        ctx.python_blocks -= inside;
        ctx.path.pop();
    }

    fn block(&mut self, ctx: &mut Context, steps: &[Step]) {
        if ctx.path.len() / 2 >= MAX_NESTING {
            self.too_deep = true;
            self.error(
                ctx.location(),
                Said::new("problem.nested_too_deep").with("max", MAX_NESTING),
            );
            return;
        }
        self.steps += steps.len();
        for (i, step) in steps.iter().enumerate() {
            // The commonest step, and nothing to tell about it.
            if let Step::Sleep { seconds } = step {
                if seconds_in_range(*seconds) {
                    continue;
                }
            }
            ctx.path.push(i as u32);
            self.step(ctx, step);
            ctx.path.pop();
        }
    }

    fn step(&mut self, ctx: &mut Context, step: &Step) {
        let p = self.program;
        task_refs(step, &mut |c| {
            if let Some(r) = self.referenced.get_mut(c as usize) {
                *r = true;
            }
        });
        self.uses_side_loop |= step.uses_side_loop();
        if step.has_blocks() {
            let (_, most) = pyrules::python_blocks(step);
            if ctx.python_blocks + most > pyrules::MAX_PYTHON_BLOCKS {
                self.too_deep = true;
                self.error(
                    ctx.location(),
                    Said::new("problem.too_deep_for_python")
                        .with("max", pyrules::MAX_PYTHON_BLOCKS),
                );
                return;
            }
        }
        let here = &*ctx;
        each_bind(step, &mut |name| {
            let problem = pyrules::name_said(name).or_else(|| {
                self.globals
                    .get_or_init(|| global_names(p))
                    .contains(name)
                    .then(|| Said::new("problem.name_taken").with("name", shown(name)))
            });
            if let Some(message) = problem {
                self.error(here.location(), message);
            }
        });
        match step {
            Step::Sleep { seconds } | Step::Block { seconds } => self.seconds(here, *seconds),
            Step::CallLater { delay, callback } => {
                self.seconds(here, *delay);
                self.callback(here, *callback, false);
            }
            Step::Print { args } => {
                if let Some(message) = too_many_args(args) {
                    self.error(here.location(), message);
                }
                for e in args.iter().take(MAX_ARGS) {
                    self.expr(here, e);
                }
            }
            Step::Return { value } => self.expr(here, value),
            Step::QueuePut { queue, value } => {
                self.object(here, *queue, p.queues.len(), "object.queue");
                self.expr(here, value);
            }
            Step::SetResult { future, value } => {
                self.object(here, *future, p.futures.len(), "object.future");
                self.expr(here, value);
            }
            Step::Raise { message, .. } => self.message(here, message),
            Step::CreateTask { coro } => {
                if self.coro_ref(here, *coro) {
                    if *coro == 0 {
                        self.error(here.location(), Said::new("problem.main_as_a_task"));
                    } else {
                        self.created[*coro as usize] += 1;
                    }
                }
            }
            Step::Await { target, .. }
            | Step::WaitFor { target, .. }
            | Step::Shield { target, .. } => {
                self.awaitable(ctx, *target);
                if let Step::WaitFor {
                    timeout: Some(t), ..
                } = step
                {
                    self.seconds(here, *t);
                }
                if let (
                    Step::Await {
                        target: Awaitable::Coro(c),
                        ..
                    }
                    | Step::WaitFor {
                        target: Awaitable::Coro(c),
                        timeout: None,
                        ..
                    },
                    true,
                ) = (step, self.in_range(*target))
                {
                    let depth = (ctx.path.len() / 2) as u32;
                    self.inline_calls[ctx.coro as usize].push((*c, depth));
                }
            }
            Step::Gather { items, .. } => {
                self.items(here, items.len());
                for item in items.iter().take(self.max_items) {
                    self.awaitable(ctx, *item);
                }
            }
            Step::Wait { items, timeout, .. } => {
                self.items(here, items.len());
                self.tasks(ctx, items);
                if let Some(t) = timeout {
                    self.seconds(here, *t);
                }
                if items.is_empty() {
                    self.warning(here.location(), Said::new("problem.wait_for_nothing"));
                }
            }
            Step::AsCompleted {
                items,
                timeout,
                body,
                ..
            } => {
                self.items(here, items.len());
                self.tasks(ctx, items);
                if let Some(t) = timeout {
                    self.seconds(here, *t);
                }
                self.sub(ctx, step, 0, body);
            }
            Step::Cancel { task, .. } => self.tasks(ctx, &[*task]),
            Step::AddDoneCallback { task, callback } => {
                self.tasks(ctx, &[*task]);
                self.callback(here, *callback, true);
            }
            Step::CallSoon { callback } => self.callback(here, *callback, false),
            // The side loop's `call_soon_threadsafe` (see `side_loop_step`).
            Step::CallSoonThreadsafe { callback } => self.callback(here, *callback, false),
            Step::Try {
                body,
                handlers,
                finally,
            } => {
                self.steps += handlers.len();
                self.sub(ctx, step, 0, body);
                for (i, h) in handlers.iter().enumerate() {
                    ctx.in_handler += 1;
                    self.sub(ctx, step, i as u32 + 1, &h.body);
                    ctx.in_handler -= 1;
                }
                self.sub(ctx, step, handlers.len() as u32 + 1, finally);
            }
            Step::Reraise => {
                if ctx.in_handler == 0 {
                    self.error(here.location(), Said::new("problem.bare_raise"));
                }
            }
            Step::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(here, cond);
                self.sub(ctx, step, 0, then);
                self.sub(ctx, step, 1, otherwise);
            }
            Step::ForEach { list, body, .. } => {
                self.expr(here, list);
                self.sub(ctx, step, 0, body);
            }
            Step::WithLock { lock, body } => {
                self.object(here, *lock, p.locks.len(), "object.lock");
                self.sub(ctx, step, 0, body);
            }
            Step::WithSemaphore { semaphore, body } => {
                self.object(here, *semaphore, p.semaphores.len(), "object.semaphore");
                self.sub(ctx, step, 0, body);
            }
            Step::EventSet { event } | Step::EventClear { event } | Step::EventWait { event } => {
                self.object(here, *event, p.events.len(), "object.event")
            }
            Step::QueueGet { queue, .. }
            | Step::QueueTaskDone { queue }
            | Step::QueueJoin { queue } => {
                self.object(here, *queue, p.queues.len(), "object.queue")
            }
            Step::SetException {
                future, message, ..
            } => {
                self.object(here, *future, p.futures.len(), "object.future");
                self.message(here, message);
            }
        }
    }

    #[inline]
    fn seconds(&mut self, here: &Context, seconds: f64) {
        if !seconds_in_range(seconds) {
            self.seconds_error(here, seconds);
        }
    }

    #[cold]
    fn seconds_error(&mut self, here: &Context, seconds: f64) {
        if let Some(message) = seconds_problem(seconds) {
            self.error(here.location(), message);
        }
    }

    fn items(&mut self, here: &Context, count: usize) {
        if count > self.max_items {
            self.error(
                here.location(),
                Said::new("problem.too_many_items")
                    .with("n", thousands(count))
                    .with("max", thousands(self.max_items)),
            );
        }
    }

    /// An exception's message: a string like any other literal.
    fn message(&mut self, here: &Context, message: &Option<String>) {
        let problem = message
            .as_deref()
            .and_then(|m| literal_problem(&Value::str(m)));
        if let Some(problem) = problem {
            self.error(here.location(), problem);
        }
    }

    fn job_ref(&mut self, here: &Context, job: u32) {
        if job as usize >= self.program.jobs.len() {
            self.error(here.location(), no_such("object.job", job));
        }
    }

    fn coro_ref(&mut self, here: &Context, coro: CoroId) -> bool {
        let ok = (coro as usize) < self.program.coroutines.len();
        if !ok {
            self.error(here.location(), no_such("object.coroutine", coro));
        }
        ok
    }

    fn in_range(&self, aw: Awaitable) -> bool {
        match aw {
            Awaitable::Task(c) | Awaitable::Coro(c) => (c as usize) < self.program.coroutines.len(),
            Awaitable::Future(f) => (f as usize) < self.program.futures.len(),
            Awaitable::Job(j) => (j as usize) < self.program.jobs.len(),
            Awaitable::SideLoop(c) => (c as usize) < self.program.coroutines.len(),
        }
    }

    fn awaitable(&mut self, ctx: &Context, aw: Awaitable) {
        let here = ctx;
        match aw {
            Awaitable::Task(c) => self.tasks(ctx, &[c]),
            Awaitable::Coro(c) => {
                if self.coro_ref(here, c) && c == 0 {
                    self.error(here.location(), Said::new("problem.main_awaits_itself"));
                }
            }
            Awaitable::Future(f) => {
                self.object(here, f, self.program.futures.len(), "object.future")
            }
            Awaitable::Job(j) => self.job_ref(here, j),
            Awaitable::SideLoop(c) => {
                self.side_roots.push(c);
                if self.coro_ref(here, c) && c == 0 {
                    self.error(here.location(), Said::new("problem.main_to_the_side_loop"));
                }
            }
        }
    }

    fn tasks(&mut self, ctx: &Context, items: &[CoroId]) {
        let here = ctx;
        for &c in items {
            if !self.coro_ref(here, c) {
                continue;
            }
            if c == ctx.coro {
                let name = &self.program.coroutines[c as usize].name;
                self.error(
                    here.location(),
                    Said::new("problem.task_waits_for_itself").with("name", shown(name)),
                );
            }
        }
    }

    /// `kind`: the key of the object's word (`object.queue`).
    fn object(&mut self, here: &Context, index: u32, count: usize, kind: &'static str) {
        if index as usize >= count {
            self.error(here.location(), no_such(kind, index));
        }
    }

    fn callback(&mut self, here: &Context, callback: u32, gets_future: bool) {
        let Some(cb) = self.program.callbacks.get(callback as usize) else {
            self.error(here.location(), no_such("object.callback", callback));
            return;
        };
        if !gets_future && cb.print.contains(&Expr::ArgResult) {
            self.error(
                here.location(),
                Said::new("problem.callback_reads_result").with("name", shown(&cb.name)),
            );
        }
    }

    fn expr(&mut self, here: &Context, expr: &Expr) {
        if let Expr::Lit(Value::None | Value::Bool(_) | Value::Int(_)) = expr {
            return;
        }
        let unread = HashSet::default();
        let bound = match expr {
            Expr::Var(_) | Expr::Len(_) | Expr::SortedResults(_) => {
                here.bound.get_or_init(|| bound_names(here.body))
            }
            _ => &unread,
        };
        if let Some(message) = self.expr_problem(expr, Scope::Coroutine(bound)) {
            self.error(here.location(), message);
        }
    }

    /// What is wrong with `print`'s arguments, if anything.
    fn args_problem(&self, args: &[Expr], scope: Scope) -> Option<Said> {
        too_many_args(args).or_else(|| args.iter().find_map(|e| self.expr_problem(e, scope)))
    }

    /// What is wrong with an expression where `scope` evaluates it.
    fn expr_problem(&self, expr: &Expr, scope: Scope) -> Option<Said> {
        let p = self.program;
        match expr {
            Expr::Var(name) | Expr::Len(name) | Expr::SortedResults(name) => match scope {
                Scope::Coroutine(bound) if bound.contains(name) => None,
                _ => Some(Said::new("problem.never_assigned").with("name", shown(name))),
            },
            Expr::Result(c) | Expr::Done(c) | Expr::Cancelled(c) | Expr::Name(c) => {
                ((*c as usize) >= p.coroutines.len()).then(|| no_such("object.coroutine", *c))
            }
            Expr::ArgResult => (!matches!(scope, Scope::Callback))
                .then(|| Said::new("problem.result_outside_a_callback")),
            Expr::LoopTime1 => match scope {
                Scope::Thread => Some(Said::new("problem.loop_time_on_a_thread")),
                Scope::Outside => Some(Said::new("problem.loop_time_after_run")),
                Scope::Coroutine(_) | Scope::Callback => None,
            },
            Expr::Lit(
                value @ (Value::Str(_) | Value::List(_) | Value::Exc(_) | Value::Float(_)),
            ) => literal_problem(value),
            Expr::Lit(_) => None,
            Expr::Time => None,
        }
    }

    /// The lines printed after `asyncio.run` returns: no loop runs then.
    fn epilogue(&mut self) {
        let lines = &self.program.epilogue;
        if lines.len() > MAX_EPILOGUE_LINES {
            self.error(
                Location::Epilogue(MAX_EPILOGUE_LINES as u32),
                Said::new("problem.epilogue_too_long").with("max", MAX_EPILOGUE_LINES),
            );
            return;
        }
        for (i, args) in lines.iter().enumerate() {
            for expr in args {
                if let Expr::Result(c) | Expr::Done(c) | Expr::Cancelled(c) | Expr::Name(c) = expr {
                    if let Some(r) = self.referenced.get_mut(*c as usize) {
                        *r = true;
                    }
                }
            }
            if let Some(message) = self.args_problem(args, Scope::Outside) {
                self.error(Location::Epilogue(i as u32), message);
            }
        }
    }

    /// Each task is created once, references point at created tasks, and
    /// no coroutine awaits itself inline (directly or through others).
    fn tasks_and_cycles(&mut self, referenced: &[bool]) {
        let p = self.program;
        for c in 0..self.created.len() {
            let count = self.created[c];
            if count > 1 {
                self.error(
                    Location::Coroutine {
                        coro: c as u32,
                        path: Vec::new(),
                    },
                    Said::new("problem.task_made_twice")
                        .with("name", shown(&p.coroutines[c].name))
                        .with("count", count),
                );
            }
        }
        for (c, &is_referenced) in referenced.iter().enumerate() {
            if is_referenced && self.created[c] == 0 && c != 0 {
                self.error(
                    Location::Coroutine {
                        coro: c as u32,
                        path: Vec::new(),
                    },
                    Said::new("problem.task_never_created")
                        .with("name", shown(&p.coroutines[c].name)),
                );
            }
        }
        let mut cycle = false;
        // Depth-first search for an inline call cycle.
        let n = p.coroutines.len();
        let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
        let mut stack = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            stack.push((start, 0usize));
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&(callee, _)) = self.inline_calls[node].get(*next) {
                    *next += 1;
                    let callee = callee as usize;
                    if state[callee] == 1 {
                        cycle = true;
                        self.error(
                            Location::Coroutine {
                                coro: node as u32,
                                path: Vec::new(),
                            },
                            Said::new("problem.inline_cycle")
                                .with("name", shown(&p.coroutines[node].name))
                                .with("callee", shown(&p.coroutines[callee].name)),
                        );
                    } else if state[callee] == 0 {
                        state[callee] = 1;
                        stack.push((callee, 0));
                    }
                } else {
                    state[node] = 2;
                    stack.pop();
                }
            }
        }
        if !cycle {
            self.await_depths();
        }
    }

    /// How deeply coroutines await each other inline, each await counted
    /// with the blocks it sits in: a coroutine's depth is its deepest
    /// await's blocks, plus one, plus its callee's depth. Runs only when
    /// the inline calls form no cycle.
    fn await_depths(&mut self) {
        if self.inline_calls.iter().all(Vec::is_empty) {
            return;
        }
        let n = self.inline_calls.len();
        let mut depth: Vec<Option<u32>> = vec![None; n];
        let mut stack = Vec::new();
        for start in 0..n {
            // Post-order over the calls, iteratively: chains may be long.
            stack.push((start, 0usize));
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if depth[node].is_some() {
                    stack.pop();
                    continue;
                }
                if let Some(&(callee, _)) = self.inline_calls[node].get(*next) {
                    *next += 1;
                    if depth[callee as usize].is_none() {
                        stack.push((callee as usize, 0));
                    }
                    continue;
                }
                let deepest = self.inline_calls[node]
                    .iter()
                    .map(|&(callee, blocks)| {
                        blocks
                            .saturating_add(1)
                            .saturating_add(depth[callee as usize].unwrap_or(0))
                    })
                    .max()
                    .unwrap_or(0);
                depth[node] = Some(deepest);
                stack.pop();
            }
        }
        for (c, d) in depth.iter().enumerate() {
            if d.unwrap_or(0) > MAX_AWAIT_DEPTH {
                let name = shown(&self.program.coroutines[c].name);
                self.error(
                    Location::Coroutine {
                        coro: c as u32,
                        path: Vec::new(),
                    },
                    Said::new("problem.awaits_too_deep")
                        .with("name", name)
                        .with("depth", d.unwrap_or(0))
                        .with("max", MAX_AWAIT_DEPTH),
                );
                // One report is enough: the callers of a coroutine too
                // deep are too deep as well.
                return;
            }
        }
    }
}

fn too_many_args(args: &[Expr]) -> Option<Said> {
    (args.len() > MAX_ARGS).then(|| {
        Said::new("problem.too_many_arguments")
            .with("n", args.len())
            .with("max", MAX_ARGS)
    })
}

/// "there is no queue #3": `kind` is the key of the object's word.
fn no_such(kind: &'static str, index: u32) -> Said {
    Said::new("problem.no_such")
        .with_word("kind", kind)
        .with("index", index)
}

/// A name as a message shows it: a name too long to accept (one of
/// 250,000 characters was in a link) is shown cut, with `…`.
fn shown(name: &str) -> String {
    match name.char_indices().nth(pyrules::MAX_NAME_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// Where an expression is evaluated, which decides what it may read.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// In a coroutine, which has these local variables.
    Coroutine(&'a HashSet<String>),
    /// In a callback the loop runs.
    Callback,
    /// In a job, on an executor's thread.
    Thread,
    /// After `asyncio.run` returns.
    Outside,
}

/// What is wrong with a literal, if it is too big to show.
fn literal_problem(value: &Value) -> Option<Said> {
    fn finite(value: &Value) -> bool {
        match value {
            Value::Float(f) => f.is_finite(),
            Value::List(items) => items.iter().all(finite),
            _ => true,
        }
    }
    fn measure(value: &Value, depth: usize, size: &mut usize) -> bool {
        if depth > MAX_LITERAL_DEPTH {
            return false;
        }
        match value {
            Value::Str(s) => *size += s.chars().count(),
            Value::List(items) => {
                *size += items.len();
                for item in items.iter() {
                    if *size > MAX_LITERAL_SIZE || !measure(item, depth + 1, size) {
                        return false;
                    }
                }
            }
            Value::Exc(e) => *size += e.arg.as_deref().map_or(0, |a| a.chars().count()),
            _ => *size += 1,
        }
        *size <= MAX_LITERAL_SIZE
    }
    let mut size = 0;
    if !measure(value, 1, &mut size) {
        return Some(
            Said::new("problem.value_too_big")
                .with("size", thousands(MAX_LITERAL_SIZE))
                .with("depth", MAX_LITERAL_DEPTH),
        );
    }
    (!finite(value)).then(|| Said::new("problem.not_finite"))
}

/// Every step of a program, nested ones, `except` handlers and jobs'
/// steps included: what the editor draws a row for.
pub fn program_steps(program: &Program) -> usize {
    fn count(steps: &[Step], depth: usize) -> usize {
        // As the validator's walk counts: not past the nesting it refuses.
        if depth >= MAX_NESTING {
            return 0;
        }
        // Most bodies hold no blocks: their length is their count.
        let mut n = steps.len();
        for step in steps {
            if step.has_blocks() {
                n += nested(step, depth);
            }
        }
        n
    }
    #[cold]
    fn nested(step: &Step, depth: usize) -> usize {
        let handlers = match step {
            Step::Try { handlers, .. } => handlers.len(),
            _ => 0,
        };
        handlers
            + step
                .blocks()
                .into_iter()
                .map(|b| count(b, depth + 1))
                .sum::<usize>()
    }
    let mut n = 0;
    for c in &program.coroutines {
        n += count(&c.body, 0);
    }
    for j in &program.jobs {
        n += count(&j.body, 0);
    }
    n
}

/// The order a walk over the coroutines meets their steps in.
fn step_order(a: &Location, b: &Location) -> std::cmp::Ordering {
    match (a, b) {
        (Location::Coroutine { coro: c, path: p }, Location::Coroutine { coro: d, path: q }) => {
            (c, p).cmp(&(d, q))
        }
        _ => std::cmp::Ordering::Equal,
    }
}

/// Names a coroutine assigns anywhere (binds, loop variables): Python
/// locals are function-wide, so a name is usable once assigned anywhere.
fn bound_names(steps: &[Step]) -> HashSet<String> {
    let mut names = HashSet::default();
    visit_steps(steps, &mut |step| {
        each_bind(step, &mut |name| {
            names.insert(name.to_string());
        })
    });
    names
}

/// Calls `f` with each variable a step assigns.
fn each_bind<'a>(step: &'a Step, f: &mut impl FnMut(&'a str)) {
    match step {
        Step::Await { bind, .. }
        | Step::Gather { bind, .. }
        | Step::WaitFor { bind, .. }
        | Step::Shield { bind, .. }
        | Step::Cancel { bind, .. }
        | Step::QueueGet { bind, .. }
        | Step::AsCompleted { bind, .. } => {
            if let Some(name) = bind {
                f(name)
            }
        }
        Step::Wait { done, pending, .. } => {
            for name in [done, pending].into_iter().flatten() {
                f(name)
            }
        }
        Step::ForEach { var, .. } => f(var),
        _ => {}
    }
}

/// The names the exported program gives its globals: coroutines,
/// callbacks, jobs, objects, and the variables that hold tasks.
fn global_names(p: &Program) -> HashSet<String> {
    let mut names = HashSet::default();
    for c in &p.coroutines {
        names.insert(c.name.clone());
        names.insert(format!("{}_task", c.name));
    }
    let objects = p
        .callbacks
        .iter()
        .map(|c| &c.name)
        .chain(p.jobs.iter().map(|j| &j.name))
        .chain(&p.futures)
        .chain(&p.locks)
        .chain(p.semaphores.iter().map(|s| &s.0))
        .chain(&p.events)
        .chain(p.queues.iter().map(|q| &q.0));
    names.extend(objects.cloned());
    names
}

/// Calls `f` with each coroutine whose task a step refers to.
fn task_refs(step: &Step, f: &mut impl FnMut(CoroId)) {
    match step {
        Step::Await {
            target: Awaitable::Task(c),
            ..
        }
        | Step::WaitFor {
            target: Awaitable::Task(c),
            ..
        }
        | Step::Shield {
            target: Awaitable::Task(c),
            ..
        }
        | Step::Cancel { task: c, .. }
        | Step::AddDoneCallback { task: c, .. } => f(*c),
        Step::Gather { items, .. } => {
            for item in items {
                if let Awaitable::Task(c) = item {
                    f(*c);
                }
            }
        }
        Step::Wait { items, .. } | Step::AsCompleted { items, .. } => {
            items.iter().for_each(|c| f(*c))
        }
        _ => {}
    }
    let mut expr = |e: &Expr| {
        if let Expr::Result(c) | Expr::Done(c) | Expr::Cancelled(c) | Expr::Name(c) = e {
            f(*c);
        }
    };
    match step {
        Step::Print { args } => args.iter().for_each(&mut expr),
        Step::Return { value } | Step::QueuePut { value, .. } | Step::SetResult { value, .. } => {
            expr(value)
        }
        Step::If { cond, .. } => expr(cond),
        Step::ForEach { list, .. } => expr(list),
        _ => {}
    }
}

/// Calls `f` with each coroutine a step needs on its own loop: those it
/// makes tasks of, awaits or refers to (not those it hands to the side
/// loop).
fn same_loop_refs(step: &Step, f: &mut impl FnMut(CoroId)) {
    task_refs(step, f);
    if let Step::CreateTask { coro } = step {
        f(*coro);
    }
    for aw in step.awaitables() {
        if let Awaitable::Coro(c) = aw {
            f(*c);
        }
    }
}

/// Calls `f` on every step, nested blocks included (up to a depth past
/// which `validate` already refuses the program).
pub fn visit_steps<'a>(steps: &'a [Step], f: &mut impl FnMut(&'a Step)) {
    visit_steps_to(steps, f, MAX_NESTING + 1);
}

fn visit_steps_to<'a>(steps: &'a [Step], f: &mut impl FnMut(&'a Step), depth: usize) {
    if depth == 0 {
        return;
    }
    for step in steps {
        f(step);
        debug_assert!(step.has_blocks() || step.blocks().is_empty());
        if step.has_blocks() {
            for block in step.blocks() {
                visit_steps_to(block, f, depth - 1);
            }
        }
    }
}

/// A duration `seconds_problem` has nothing to say about (NaN is in no
/// range).
fn seconds_in_range(seconds: f64) -> bool {
    (0.0..=MAX_SECONDS).contains(&seconds)
}

fn seconds_problem(seconds: f64) -> Option<Said> {
    let why = if !seconds.is_finite() {
        "problem.not_seconds"
    } else if seconds < 0.0 {
        "problem.negative_seconds"
    } else if seconds > MAX_SECONDS {
        "problem.too_many_seconds"
    } else {
        return None;
    };
    // As Python writes the number: `1e+300`, not three hundred digits.
    Some(Said::new(why).with("s", super::value::py_float_repr(seconds)))
}
