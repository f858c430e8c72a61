//! Exports a program as a runnable, idiomatic asyncio program. Run under
//! CPython (on a virtual clock, for timings), it prints exactly what the
//! engine predicts; the conformance tests hold it to that.

use std::fmt::Write;

use crate::engine::program::{Awaitable, Expr, Program, Step};
use crate::engine::value::{py_float_repr, py_str_repr, Value};

pub use crate::engine::pyrules::is_reserved;

/// A Python identifier made from a name: other characters become `_`.
///
/// A name longer than any the validator accepts is cut to that length:
/// the Python of a program with problems is still shown, and a name of
/// 250,000 characters referred to a thousand times made a line of 250 MB.
pub fn identifier(name: &str) -> String {
    let mut id: String = name
        .chars()
        .take(crate::engine::pyrules::MAX_NAME_CHARS)
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    if is_reserved(&id) {
        id.push('_');
    }
    id
}

struct Exporter<'a> {
    program: &'a Program,
    out: String,
    /// For each coroutine, the line (1-based) each step starts on, in
    /// pre-order: the order `validate::visit_steps` walks them.
    lines: Vec<Vec<u32>>,
    /// The coroutine being written.
    writing: Option<usize>,
    /// How many lines `out` had when last counted, and how long it was:
    /// each step counts only what was written since, so export is linear.
    counted: (u32, usize),
}

/// The program as Python source.
pub fn export(program: &Program) -> String {
    export_with_lines(program).0
}

/// The program as Python source, with the line each step starts on:
/// `lines[coroutine][pre-order index]`.
pub fn export_with_lines(program: &Program) -> (String, Vec<Vec<u32>>) {
    let mut e = Exporter {
        program,
        out: String::new(),
        lines: vec![Vec::new(); program.coroutines.len()],
        writing: None,
        counted: (0, 0),
    };
    let side_loop = program.uses_side_loop();
    e.header(side_loop);
    for (i, callback) in program.callbacks.iter().enumerate() {
        let args = e.args(&callback.print);
        let _ = write!(
            e.out,
            "\ndef {}(fut=None):\n    print({args})\n\n",
            e.callback_name(i as u32)
        );
    }
    for (i, job) in program.jobs.iter().enumerate() {
        let name = named(Some(job.name.as_str()), "job", i as u32);
        let param = if uses_loop(&job.body) { "loop" } else { "" };
        let _ = writeln!(e.out, "\ndef {name}({param}):");
        e.block(&job.body, 1);
    }
    for (i, coro) in program.coroutines.iter().enumerate() {
        e.writing = Some(i);
        e.coroutine(i as u32, &coro.body);
    }
    e.writing = None;
    e.out.push_str("\nbegin = time.time()\n");
    if program.coroutines.is_empty() {
        e.out.push_str("\nasync def main():\n    pass\n\n");
    }
    let main = program
        .coroutines
        .first()
        .map_or("main".to_string(), |c| identifier(&c.name));
    let _ = writeln!(e.out, "asyncio.run({main}())");
    if side_loop {
        e.out
            .push_str("side_loop.call_soon_threadsafe(side_loop.stop)\nside_thread.join()\n");
    }
    for args in &program.epilogue {
        let args = e.args(args);
        let _ = writeln!(e.out, "print({args})");
    }
    (e.out, e.lines)
}

impl Exporter<'_> {
    fn header(&mut self, side_loop: bool) {
        self.out.push_str("import asyncio\n");
        if side_loop {
            self.out.push_str("import threading\n");
        }
        self.out.push_str("import time\n");
        let p = self.program;
        let mut globals = String::new();
        for name in &p.locks {
            let _ = writeln!(globals, "{} = asyncio.Lock()", identifier(name));
        }
        for (name, value) in &p.semaphores {
            let _ = writeln!(globals, "{} = asyncio.Semaphore({value})", identifier(name));
        }
        for name in &p.events {
            let _ = writeln!(globals, "{} = asyncio.Event()", identifier(name));
        }
        for (name, maxsize) in &p.queues {
            let _ = writeln!(globals, "{} = asyncio.Queue({maxsize})", identifier(name));
        }
        if side_loop {
            // A second event loop, run by a thread of its own; a daemon, so
            // an exception from `asyncio.run` still ends the program.
            globals.push_str(
                "side_loop = asyncio.new_event_loop()\n\
                 side_thread = threading.Thread(target=side_loop.run_forever, daemon=True)\n\
                 side_thread.start()\n",
            );
        }
        if !globals.is_empty() {
            self.out.push('\n');
            self.out.push_str(&globals);
        }
    }

    fn coro_name(&self, coro: u32) -> String {
        let name = self.program.coroutines.get(coro as usize);
        named(name.map(|c| c.name.as_str()), "coroutine", coro)
    }

    fn task_var(&self, coro: u32) -> String {
        format!("{}_task", self.coro_name(coro))
    }

    fn coro_call(&self, coro: u32) -> String {
        format!("{}()", self.coro_name(coro))
    }

    fn callback_name(&self, callback: u32) -> String {
        let name = self.program.callbacks.get(callback as usize);
        named(name.map(|c| c.name.as_str()), "callback", callback)
    }

    fn future_name(&self, future: u32) -> String {
        let name = self.program.futures.get(future as usize);
        named(name.map(String::as_str), "future", future)
    }

    fn lock_name(&self, i: u32) -> String {
        named(
            self.program.locks.get(i as usize).map(String::as_str),
            "lock",
            i,
        )
    }

    fn semaphore_name(&self, i: u32) -> String {
        let name = self.program.semaphores.get(i as usize);
        named(name.map(|s| s.0.as_str()), "semaphore", i)
    }

    fn event_name(&self, i: u32) -> String {
        named(
            self.program.events.get(i as usize).map(String::as_str),
            "event",
            i,
        )
    }

    fn queue_name(&self, i: u32) -> String {
        named(
            self.program.queues.get(i as usize).map(|q| q.0.as_str()),
            "queue",
            i,
        )
    }

    fn awaitable(&self, aw: Awaitable) -> String {
        match aw {
            Awaitable::Task(c) => self.task_var(c),
            Awaitable::Coro(c) => self.coro_call(c),
            Awaitable::Future(f) => self.future_name(f),
            Awaitable::Job(j) => {
                let job = self.program.jobs.get(j as usize);
                let name = named(job.map(|j| j.name.as_str()), "job", j);
                // A job that calls back into the loop is handed the loop.
                if job.is_some_and(|j| uses_loop(&j.body)) {
                    format!("asyncio.get_running_loop().run_in_executor(None, {name}, asyncio.get_running_loop())")
                } else {
                    format!("asyncio.get_running_loop().run_in_executor(None, {name})")
                }
            }
            Awaitable::SideLoop(c) => format!(
                "asyncio.wrap_future(asyncio.run_coroutine_threadsafe({}, side_loop))",
                self.coro_call(c)
            ),
        }
    }

    fn tasks_list(&self, items: &[u32]) -> String {
        let items: Vec<String> = items.iter().map(|c| self.task_var(*c)).collect();
        format!("[{}]", items.join(", "))
    }

    fn coroutine(&mut self, index: u32, body: &[Step]) {
        let name = self.coro_name(index);
        let _ = writeln!(self.out, "\nasync def {name}():");
        let mut globals = Vec::new();
        collect_created(body, &mut |c| {
            let var = self.task_var(c);
            if !globals.contains(&var) {
                globals.push(var);
            }
        });
        if index == 0 {
            globals.extend(self.program.futures.iter().map(|f| identifier(f)));
        }
        if !globals.is_empty() {
            let _ = writeln!(self.out, "    global {}", globals.join(", "));
        }
        if index == 0 {
            for f in &self.program.futures {
                let _ = writeln!(
                    self.out,
                    "    {} = asyncio.get_running_loop().create_future()",
                    identifier(f)
                );
            }
        }
        let empty = globals.is_empty() && body.is_empty();
        self.block(body, 1);
        if empty {
            self.out.push_str("    pass\n");
        }
    }

    fn block(&mut self, steps: &[Step], depth: usize) {
        if depth > crate::engine::validate::MAX_NESTING + 1 {
            self.line(depth, "...  # nested too deeply to show");
            return;
        }
        if steps.is_empty() {
            self.line(depth, "pass");
        }
        for step in steps {
            self.step(step, depth);
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn bind(name: &Option<String>) -> String {
        match name {
            Some(n) => format!("{} = ", identifier(n)),
            None => String::new(),
        }
    }

    fn step(&mut self, step: &Step, d: usize) {
        if let Some(c) = self.writing {
            let (lines, upto) = self.counted;
            let lines = lines + self.out[upto..].matches('\n').count() as u32;
            self.counted = (lines, self.out.len());
            self.lines[c].push(lines + 1);
        }
        match step {
            Step::Sleep { seconds } => self.line(
                d,
                &format!("await asyncio.sleep({})", py_float_repr(*seconds)),
            ),
            Step::Block { seconds } => {
                self.line(d, &format!("time.sleep({})", py_float_repr(*seconds)))
            }
            Step::Print { args } => {
                let args = self.args(args);
                self.line(d, &format!("print({args})"));
            }
            Step::Return { value } => {
                let v = self.expr(value);
                self.line(d, &format!("return {v}"));
            }
            Step::Raise { kind, message } => {
                let arg = message.as_deref().map(py_str_repr).unwrap_or_default();
                self.line(d, &format!("raise {}({arg})", kind.python_name()));
            }
            Step::CreateTask { coro } => {
                let task_name = self
                    .program
                    .coroutines
                    .get(*coro as usize)
                    .and_then(|c| c.task_name.as_ref());
                let name = match task_name {
                    Some(n) => format!(", name={}", py_str_repr(n)),
                    None => String::new(),
                };
                let line = format!(
                    "{} = asyncio.create_task({}{name})",
                    self.task_var(*coro),
                    self.coro_call(*coro)
                );
                self.line(d, &line);
            }
            Step::Await { target, bind } => {
                let line = format!("{}await {}", Self::bind(bind), self.awaitable(*target));
                self.line(d, &line);
            }
            Step::Gather {
                items,
                return_exceptions,
                bind,
            } => {
                let mut args: Vec<String> = items.iter().map(|a| self.awaitable(*a)).collect();
                if *return_exceptions {
                    args.push("return_exceptions=True".into());
                }
                let line = format!(
                    "{}await asyncio.gather({})",
                    Self::bind(bind),
                    args.join(", ")
                );
                self.line(d, &line);
            }
            Step::Wait {
                items,
                timeout,
                return_when,
                done,
                pending,
            } => {
                let mut args = vec![self.tasks_list(items)];
                if let Some(t) = timeout {
                    args.push(format!("timeout={}", py_float_repr(*t)));
                }
                if *return_when != crate::engine::ReturnWhen::AllCompleted {
                    args.push(format!("return_when={}", return_when.python_name()));
                }
                let done = done.as_deref().map_or("_done".into(), identifier);
                let pending = pending.as_deref().map_or("_pending".into(), identifier);
                let line = format!(
                    "{done}, {pending} = await asyncio.wait({})",
                    args.join(", ")
                );
                self.line(d, &line);
            }
            Step::AsCompleted {
                items,
                timeout,
                bind,
                body,
            } => {
                let mut args = vec![self.tasks_list(items)];
                if let Some(t) = timeout {
                    args.push(format!("timeout={}", py_float_repr(*t)));
                }
                let line = format!(
                    "for next_done in asyncio.as_completed({}):",
                    args.join(", ")
                );
                self.line(d, &line);
                // A task in this step waits at `await next_done`: that is
                // its line (CPython's frame is there).
                if let Some(lines) = self.writing.and_then(|c| self.lines.get_mut(c)) {
                    if let Some(last) = lines.last_mut() {
                        *last += 1;
                    }
                }
                self.line(d + 1, &format!("{}await next_done", Self::bind(bind)));
                for s in body {
                    self.step(s, d + 1);
                }
            }
            Step::WaitFor {
                target,
                timeout,
                bind,
            } => {
                let timeout = timeout.map_or("None".into(), py_float_repr);
                let line = format!(
                    "{}await asyncio.wait_for({}, timeout={timeout})",
                    Self::bind(bind),
                    self.awaitable(*target)
                );
                self.line(d, &line);
            }
            Step::Shield { target, bind } => {
                let line = format!(
                    "{}await asyncio.shield({})",
                    Self::bind(bind),
                    self.awaitable(*target)
                );
                self.line(d, &line);
            }
            Step::Cancel { task, bind } => {
                let line = format!("{}{}.cancel()", Self::bind(bind), self.task_var(*task));
                self.line(d, &line);
            }
            Step::Try {
                body,
                handlers,
                finally,
            } => {
                self.line(d, "try:");
                self.block(body, d + 1);
                for h in handlers {
                    self.line(d, &format!("except {}:", h.kind.python_name()));
                    self.block(&h.body, d + 1);
                }
                if !finally.is_empty() || handlers.is_empty() {
                    self.line(d, "finally:");
                    self.block(finally, d + 1);
                }
            }
            Step::Reraise => self.line(d, "raise"),
            Step::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.expr(cond);
                self.line(d, &format!("if {cond}:"));
                self.block(then, d + 1);
                if !otherwise.is_empty() {
                    self.line(d, "else:");
                    self.block(otherwise, d + 1);
                }
            }
            Step::ForEach { var, list, body } => {
                let list = self.expr(list);
                self.line(d, &format!("for {} in {list}:", identifier(var)));
                self.block(body, d + 1);
            }
            Step::WithLock { lock, body } => {
                let name = self.lock_name(*lock);
                self.line(d, &format!("async with {name}:"));
                self.block(body, d + 1);
            }
            Step::WithSemaphore { semaphore, body } => {
                let name = self.semaphore_name(*semaphore);
                self.line(d, &format!("async with {name}:"));
                self.block(body, d + 1);
            }
            Step::EventSet { event } => {
                let name = self.event_name(*event);
                self.line(d, &format!("{name}.set()"));
            }
            Step::EventClear { event } => {
                let name = self.event_name(*event);
                self.line(d, &format!("{name}.clear()"));
            }
            Step::EventWait { event } => {
                let name = self.event_name(*event);
                self.line(d, &format!("await {name}.wait()"));
            }
            Step::QueuePut { queue, value } => {
                let name = self.queue_name(*queue);
                let v = self.expr(value);
                self.line(d, &format!("await {name}.put({v})"));
            }
            Step::QueueGet { queue, bind } => {
                let name = self.queue_name(*queue);
                self.line(d, &format!("{}await {name}.get()", Self::bind(bind)));
            }
            Step::QueueTaskDone { queue } => {
                let name = self.queue_name(*queue);
                self.line(d, &format!("{name}.task_done()"));
            }
            Step::QueueJoin { queue } => {
                let name = self.queue_name(*queue);
                self.line(d, &format!("await {name}.join()"));
            }
            Step::SetResult { future, value } => {
                let v = self.expr(value);
                let line = format!("{}.set_result({v})", self.future_name(*future));
                self.line(d, &line);
            }
            Step::SetException {
                future,
                kind,
                message,
            } => {
                let arg = message.as_deref().map(py_str_repr).unwrap_or_default();
                let line = format!(
                    "{}.set_exception({}({arg}))",
                    self.future_name(*future),
                    kind.python_name()
                );
                self.line(d, &line);
            }
            Step::AddDoneCallback { task, callback } => {
                let line = format!(
                    "{}.add_done_callback({})",
                    self.task_var(*task),
                    self.callback_name(*callback)
                );
                self.line(d, &line);
            }
            Step::CallSoon { callback } => {
                let line = format!(
                    "asyncio.get_running_loop().call_soon({})",
                    self.callback_name(*callback)
                );
                self.line(d, &line);
            }
            Step::CallSoonThreadsafe { callback } => {
                // A job is handed the main loop; a coroutine of the main
                // loop calls into the side loop.
                let target = if self.writing.is_some() {
                    "side_loop"
                } else {
                    "loop"
                };
                let line = format!(
                    "{target}.call_soon_threadsafe({})",
                    self.callback_name(*callback)
                );
                self.line(d, &line);
            }
            Step::CallLater { delay, callback } => {
                let line = format!(
                    "asyncio.get_running_loop().call_later({}, {})",
                    py_float_repr(*delay),
                    self.callback_name(*callback)
                );
                self.line(d, &line);
            }
        }
    }

    fn args(&self, args: &[Expr]) -> String {
        args.iter()
            .map(|e| self.expr(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&self, expr: &Expr) -> String {
        match expr {
            Expr::Lit(v) => literal(v),
            Expr::Var(name) => identifier(name),
            Expr::Time => "time.time() - begin".into(),
            Expr::LoopTime1 => "f\"{asyncio.get_running_loop().time():.1f}\"".into(),
            Expr::Result(c) => format!("{}.result()", self.task_var(*c)),
            Expr::Done(c) => format!("{}.done()", self.task_var(*c)),
            Expr::Cancelled(c) => format!("{}.cancelled()", self.task_var(*c)),
            Expr::Name(c) => format!("{}.get_name()", self.task_var(*c)),
            Expr::Len(name) => format!("len({})", identifier(name)),
            Expr::SortedResults(name) => {
                format!("sorted(t.result() for t in {})", identifier(name))
            }
            Expr::ArgResult => "fut.result()".into(),
        }
    }
}

/// The identifier for a named thing, or a placeholder for a dangling
/// reference (validation reports those; export still must not fail).
/// Whether a job calls back into the loop (and so takes it as argument).
fn uses_loop(body: &[Step]) -> bool {
    body.iter()
        .any(|s| matches!(s, Step::CallSoonThreadsafe { .. }))
}

fn named(name: Option<&str>, kind: &str, index: u32) -> String {
    match name {
        Some(n) => identifier(n),
        None => format!("missing_{kind}_{index}"),
    }
}

/// A Python literal for a value.
fn literal(v: &Value) -> String {
    match v {
        Value::Float(f) if !f.is_finite() => format!("float({})", py_str_repr(&py_float_repr(*f))),
        Value::Exc(e) => format!(
            "{}({})",
            e.kind.python_name(),
            e.arg.as_deref().map(py_str_repr).unwrap_or_default()
        ),
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(literal).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.py_repr(),
    }
}

/// Calls `f` for every coroutine a block makes into a task.
fn collect_created(steps: &[Step], f: &mut impl FnMut(u32)) {
    crate::engine::validate::visit_steps(steps, &mut |step| {
        if let Step::CreateTask { coro } = step {
            f(*coro);
        }
    });
}

/// An expression as the Python the exporter prints for it.
pub fn expr_text(program: &Program, expr: &Expr) -> String {
    Exporter {
        program,
        out: String::new(),
        lines: Vec::new(),
        writing: None,
        counted: (0, 0),
    }
    .expr(expr)
}

/// Arguments as the Python text the exporter prints for them.
pub fn args_text(program: &Program, args: &[Expr]) -> String {
    Exporter {
        program,
        out: String::new(),
        lines: Vec::new(),
        writing: None,
        counted: (0, 0),
    }
    .args(args)
}

/// Parses comma-separated arguments written as the exporter writes them
/// (string and number literals, `True`/`False`/`None`, lists of literals,
/// `time.time() - begin`, `NAME_task.result()`/`.done()`/`.cancelled()`/
/// `.get_name()`, `len(v)`, `sorted(t.result() for t in v)`,
/// `fut.result()`, and variable names). The message says what it could
/// not read.
pub fn parse_args(program: &Program, text: &str) -> Result<Vec<Expr>, String> {
    split_top_level(text)?
        .into_iter()
        .filter(|piece| !piece.trim().is_empty() || text.trim().is_empty())
        .map(|piece| parse_expr(program, piece.trim()))
        .collect()
}

pub fn parse_expr(program: &Program, text: &str) -> Result<Expr, String> {
    let text = text.trim();
    if let Some(value) = parse_literal(text) {
        return Ok(Expr::Lit(value));
    }
    match text {
        "time.time() - begin" | "time.time()" => return Ok(Expr::Time),
        "f\"{asyncio.get_running_loop().time():.1f}\"" => return Ok(Expr::LoopTime1),
        "fut.result()" => return Ok(Expr::ArgResult),
        _ => {}
    }
    let task = |name: &str| -> Result<u32, String> {
        program
            .coroutines
            .iter()
            .position(|c| identifier(&c.name) == name)
            .map(|i| i as u32)
            .ok_or_else(|| format!("there is no task `{name}_task`"))
    };
    for (suffix, make) in [
        ("_task.result()", Expr::Result as fn(u32) -> Expr),
        ("_task.done()", Expr::Done),
        ("_task.cancelled()", Expr::Cancelled),
        ("_task.get_name()", Expr::Name),
    ] {
        if let Some(name) = text.strip_suffix(suffix) {
            return task(name).map(make);
        }
    }
    if let Some(var) = text.strip_prefix("len(").and_then(|t| t.strip_suffix(')')) {
        return Ok(Expr::Len(checked_name(var)?));
    }
    if let Some(var) = text
        .strip_prefix("sorted(t.result() for t in ")
        .and_then(|t| t.strip_suffix(')'))
    {
        return Ok(Expr::SortedResults(checked_name(var)?));
    }
    Ok(Expr::Var(checked_name(text).map_err(|_| {
        format!(
            "cannot read `{text}`: write a 'string', a number, a variable or time.time() - begin"
        )
    })?))
}

fn checked_name(text: &str) -> Result<String, String> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_alphabetic() || (i > 0 && c.is_alphanumeric()))
        && !is_reserved(text);
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not a variable name"))
    }
}

/// Splits at commas outside quotes, brackets and parentheses.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut pieces = Vec::new();
    let (mut depth, mut quote, mut escaped, mut start) = (0i32, None, false, 0);
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    pieces.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    if quote.is_some() {
        return Err("a string is not closed: add the missing quote".into());
    }
    if depth != 0 {
        return Err("brackets or parentheses do not match".into());
    }
    pieces.push(&text[start..]);
    Ok(pieces)
}

fn parse_literal(text: &str) -> Option<Value> {
    match text {
        "None" => return Some(Value::None),
        "True" => return Some(Value::Bool(true)),
        "False" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        let items = split_top_level(inner).ok()?;
        if inner.trim().is_empty() {
            return Some(Value::List(Vec::new().into()));
        }
        let values: Option<Vec<Value>> = items.iter().map(|i| parse_literal(i.trim())).collect();
        return values.map(|v| Value::List(v.into()));
    }
    if let Some(s) = parse_string(text) {
        return Some(Value::Str(s.into()));
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::Int(i));
    }
    let looks_numeric = text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
    match text.parse::<f64>() {
        Ok(f) if looks_numeric && f.is_finite() => Some(Value::Float(f)),
        _ => None,
    }
}

fn parse_string(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                other => out.push(other),
            },
            c if c == quote => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::validate::visit_steps;

    #[test]
    fn print_arguments_round_trip_through_their_python_text() {
        for (name, program) in crate::examples::tutorial_examples() {
            let mut all = Vec::new();
            for coro in &program.coroutines {
                visit_steps(&coro.body, &mut |step| {
                    if let Step::Print { args } = step {
                        all.push(args.clone());
                    }
                });
            }
            all.extend(program.callbacks.iter().map(|c| c.print.clone()));
            for args in all {
                let text = args_text(&program, &args);
                assert_eq!(
                    parse_args(&program, &text).as_ref(),
                    Ok(&args),
                    "{name}: {text}"
                );
            }
        }
    }

    #[test]
    fn each_steps_line_is_where_its_python_is() {
        for (name, program) in crate::examples::tutorial_examples() {
            let (source, lines) = export_with_lines(&program);
            let text: Vec<&str> = source.lines().collect();
            for (c, coro) in program.coroutines.iter().enumerate() {
                let mut i = 0;
                visit_steps(&coro.body, &mut |step| {
                    let line = text[lines[c][i] as usize - 1].trim();
                    let expected = match step {
                        Step::Sleep { .. } => "await asyncio.sleep(",
                        Step::Print { .. } => "print(",
                        Step::Return { .. } => "return",
                        Step::CreateTask { .. } => "_task = asyncio.create_task(",
                        Step::Try { .. } => "try:",
                        Step::ForEach { .. } => "for ",
                        _ => "",
                    };
                    assert!(
                        line.contains(expected),
                        "{name}: step {i} of {} is on `{line}`",
                        coro.name
                    );
                    i += 1;
                });
                assert_eq!(i, lines[c].len(), "{name}: {}", coro.name);
            }
        }
    }

    #[test]
    fn unreadable_arguments_say_why() {
        let p = Program::default();
        assert!(parse_args(&p, "'open").unwrap_err().contains("not closed"));
        assert!(parse_args(&p, "ghost_task.result()")
            .unwrap_err()
            .contains("no task"));
        assert!(parse_args(&p, "a +").unwrap_err().contains("cannot read"));
        assert_eq!(
            parse_args(&p, "'it''s', 3, -1.5, [1, 'x'], x"),
            Err("cannot read `'it''s'`: write a 'string', a number, a variable or time.time() - begin".into())
        );
        assert_eq!(
            parse_args(&p, "\"it's\", 3, -1.5, [1, 'x'], x").unwrap(),
            vec![
                Expr::str("it's"),
                Expr::int(3),
                Expr::Lit(Value::Float(-1.5)),
                Expr::Lit(Value::List(vec![Value::Int(1), Value::str("x")].into())),
                Expr::var("x"),
            ]
        );
    }
}
