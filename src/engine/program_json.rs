//! Programs as JSON: the one text form of a scenario (links, autosave, the
//! gallery, files on the command line).
//!
//! The shape is frozen, because version-1 links carry it: structs are
//! objects with their fields in declaration order, optional fields and
//! empty lists are left out, enum variants are `"Name"` when they carry
//! nothing and `{"Name": payload}` otherwise.

use std::rc::Rc;

use super::program::*;
use super::value::{ExcKind, PyExc, Value};
use crate::json::Json;

impl Program {
    pub fn to_json(&self) -> String {
        self.to_json_value().text()
    }

    pub fn from_json(text: &str) -> Result<Program, String> {
        Program::from_json_value(&Json::parse(text)?)
    }

    pub fn to_json_value(&self) -> Json {
        let mut m = Members::default();
        m.put("coroutines", list(&self.coroutines, coroutine));
        m.list("callbacks", &self.callbacks, |c| {
            Members::default()
                .with("name", Json::str(&c.name))
                .with("print", list(&c.print, expr))
                .obj()
        });
        m.list("jobs", &self.jobs, |j| {
            Members::default()
                .with("name", Json::str(&j.name))
                .with("body", body(&j.body))
                .obj()
        });
        m.list("futures", &self.futures, |s| Json::str(s));
        m.list("locks", &self.locks, |s| Json::str(s));
        m.list("semaphores", &self.semaphores, named_count);
        m.list("events", &self.events, |s| Json::str(s));
        m.list("queues", &self.queues, named_count);
        m.list("epilogue", &self.epilogue, |args| list(args, expr));
        m.obj()
    }

    pub fn from_json_value(json: &Json) -> Result<Program, String> {
        let f = Fields::of(json, "the scenario")?;
        Ok(Program {
            coroutines: read_list(f.req("coroutines")?, read_coroutine)?,
            callbacks: f.list("callbacks", |j| {
                let f = Fields::of(j, "a callback")?;
                Ok(CallbackFn {
                    name: f.string("name")?,
                    print: read_list(f.req("print")?, read_expr)?,
                })
            })?,
            jobs: f.list("jobs", |j| {
                let f = Fields::of(j, "a job")?;
                Ok(Job {
                    name: f.string("name")?,
                    body: f.body("body")?,
                })
            })?,
            futures: f.list("futures", read_string)?,
            locks: f.list("locks", read_string)?,
            semaphores: f.list("semaphores", read_named_count)?,
            events: f.list("events", read_string)?,
            queues: f.list("queues", read_named_count)?,
            epilogue: f.list("epilogue", |j| read_list(j, read_expr))?,
        })
    }
}

/// An object's members, in the order they are put.
#[derive(Default)]
struct Members(Vec<(String, Json)>);

impl Members {
    fn put(&mut self, key: &str, value: Json) {
        self.0.push((key.to_string(), value));
    }

    fn with(mut self, key: &str, value: Json) -> Members {
        self.put(key, value);
        self
    }

    fn opt<T>(&mut self, key: &str, value: &Option<T>, json: impl Fn(&T) -> Json) {
        if let Some(v) = value {
            self.put(key, json(v));
        }
    }

    fn list<T>(&mut self, key: &str, items: &[T], json: impl Fn(&T) -> Json) {
        if !items.is_empty() {
            self.put(key, list(items, json));
        }
    }

    fn obj(self) -> Json {
        Json::Obj(self.0)
    }
}

fn list<T>(items: &[T], json: impl Fn(&T) -> Json) -> Json {
    Json::Arr(items.iter().map(json).collect())
}

fn tagged(name: &str, payload: Json) -> Json {
    Json::Obj(vec![(name.to_string(), payload)])
}

fn id(i: &u32) -> Json {
    Json::int(i64::from(*i))
}

fn named_count((name, n): &(String, u32)) -> Json {
    Json::Arr(vec![Json::str(name), id(n)])
}

fn coroutine(c: &Coroutine) -> Json {
    let mut m = Members::default();
    m.put("name", Json::str(&c.name));
    m.opt("task_name", &c.task_name, |s| Json::str(s));
    m.put("body", list(&c.body, step));
    m.obj()
}

fn awaitable(a: &Awaitable) -> Json {
    match a {
        Awaitable::Task(i) => tagged("Task", id(i)),
        Awaitable::Coro(i) => tagged("Coro", id(i)),
        Awaitable::Future(i) => tagged("Future", id(i)),
        Awaitable::Job(i) => tagged("Job", id(i)),
        Awaitable::SideLoop(i) => tagged("SideLoop", id(i)),
    }
}

fn return_when(r: ReturnWhen) -> Json {
    Json::str(match r {
        ReturnWhen::FirstCompleted => "FirstCompleted",
        ReturnWhen::FirstException => "FirstException",
        ReturnWhen::AllCompleted => "AllCompleted",
    })
}

fn exc_kind(k: &ExcKind) -> Json {
    Json::str(k.name())
}

fn body(steps: &[Step]) -> Json {
    list(steps, step)
}

fn step(s: &Step) -> Json {
    let mut m = Members::default();
    let bind = |m: &mut Members, b: &Option<String>| m.opt("bind", b, |s| Json::str(s));
    let name = match s {
        Step::Sleep { seconds } | Step::Block { seconds } => {
            m.put("seconds", Json::float(*seconds));
            if matches!(s, Step::Sleep { .. }) {
                "Sleep"
            } else {
                "Block"
            }
        }
        Step::Print { args } => {
            m.put("args", list(args, expr));
            "Print"
        }
        Step::Return { value } => {
            m.put("value", expr(value));
            "Return"
        }
        Step::Raise { kind, message } => {
            m.put("kind", exc_kind(kind));
            m.opt("message", message, |s| Json::str(s));
            "Raise"
        }
        Step::CreateTask { coro } => {
            m.put("coro", id(coro));
            "CreateTask"
        }
        Step::Await { target, bind: b } => {
            m.put("target", awaitable(target));
            bind(&mut m, b);
            "Await"
        }
        Step::Gather {
            items,
            return_exceptions,
            bind: b,
        } => {
            m.put("items", list(items, awaitable));
            m.put("return_exceptions", Json::Bool(*return_exceptions));
            bind(&mut m, b);
            "Gather"
        }
        Step::Wait {
            items,
            timeout,
            return_when: r,
            done,
            pending,
        } => {
            m.put("items", list(items, id));
            m.opt("timeout", timeout, |t| Json::float(*t));
            m.put("return_when", return_when(*r));
            m.opt("done", done, |s| Json::str(s));
            m.opt("pending", pending, |s| Json::str(s));
            "Wait"
        }
        Step::AsCompleted {
            items,
            timeout,
            bind: b,
            body: steps,
        } => {
            m.put("items", list(items, id));
            m.opt("timeout", timeout, |t| Json::float(*t));
            bind(&mut m, b);
            m.put("body", body(steps));
            "AsCompleted"
        }
        Step::WaitFor {
            target,
            timeout,
            bind: b,
        } => {
            m.put("target", awaitable(target));
            m.opt("timeout", timeout, |t| Json::float(*t));
            bind(&mut m, b);
            "WaitFor"
        }
        Step::Shield { target, bind: b } => {
            m.put("target", awaitable(target));
            bind(&mut m, b);
            "Shield"
        }
        Step::Cancel { task, bind: b } => {
            m.put("task", id(task));
            bind(&mut m, b);
            "Cancel"
        }
        Step::Try {
            body: steps,
            handlers,
            finally,
        } => {
            m.put("body", body(steps));
            m.put(
                "handlers",
                list(handlers, |h| {
                    Members::default()
                        .with("kind", exc_kind(&h.kind))
                        .with("body", body(&h.body))
                        .obj()
                }),
            );
            m.put("finally", body(finally));
            "Try"
        }
        Step::Reraise => return Json::str("Reraise"),
        Step::If {
            cond,
            then,
            otherwise,
        } => {
            m.put("cond", expr(cond));
            m.put("then", body(then));
            m.put("otherwise", body(otherwise));
            "If"
        }
        Step::ForEach {
            var,
            list: l,
            body: steps,
        } => {
            m.put("var", Json::str(var));
            m.put("list", expr(l));
            m.put("body", body(steps));
            "ForEach"
        }
        Step::WithLock { lock, body: steps } => {
            m.put("lock", id(lock));
            m.put("body", body(steps));
            "WithLock"
        }
        Step::WithSemaphore {
            semaphore,
            body: steps,
        } => {
            m.put("semaphore", id(semaphore));
            m.put("body", body(steps));
            "WithSemaphore"
        }
        Step::EventSet { event } | Step::EventClear { event } | Step::EventWait { event } => {
            m.put("event", id(event));
            match s {
                Step::EventSet { .. } => "EventSet",
                Step::EventClear { .. } => "EventClear",
                _ => "EventWait",
            }
        }
        Step::QueuePut { queue, value } => {
            m.put("queue", id(queue));
            m.put("value", expr(value));
            "QueuePut"
        }
        Step::QueueGet { queue, bind: b } => {
            m.put("queue", id(queue));
            bind(&mut m, b);
            "QueueGet"
        }
        Step::QueueTaskDone { queue } | Step::QueueJoin { queue } => {
            m.put("queue", id(queue));
            if matches!(s, Step::QueueJoin { .. }) {
                "QueueJoin"
            } else {
                "QueueTaskDone"
            }
        }
        Step::SetResult { future, value } => {
            m.put("future", id(future));
            m.put("value", expr(value));
            "SetResult"
        }
        Step::SetException {
            future,
            kind,
            message,
        } => {
            m.put("future", id(future));
            m.put("kind", exc_kind(kind));
            m.opt("message", message, |s| Json::str(s));
            "SetException"
        }
        Step::AddDoneCallback { task, callback } => {
            m.put("task", id(task));
            m.put("callback", id(callback));
            "AddDoneCallback"
        }
        Step::CallSoon { callback } => {
            m.put("callback", id(callback));
            "CallSoon"
        }
        Step::CallLater { delay, callback } => {
            m.put("delay", Json::float(*delay));
            m.put("callback", id(callback));
            "CallLater"
        }
        Step::CallSoonThreadsafe { callback } => {
            m.put("callback", id(callback));
            "CallSoonThreadsafe"
        }
    };
    tagged(name, m.obj())
}

fn expr(e: &Expr) -> Json {
    match e {
        Expr::Lit(v) => tagged("Lit", value(v)),
        Expr::Var(s) => tagged("Var", Json::str(s)),
        Expr::Time => Json::str("Time"),
        Expr::LoopTime1 => Json::str("LoopTime1"),
        Expr::Result(i) => tagged("Result", id(i)),
        Expr::Done(i) => tagged("Done", id(i)),
        Expr::Cancelled(i) => tagged("Cancelled", id(i)),
        Expr::Name(i) => tagged("Name", id(i)),
        Expr::Len(s) => tagged("Len", Json::str(s)),
        Expr::SortedResults(s) => tagged("SortedResults", Json::str(s)),
        Expr::ArgResult => Json::str("ArgResult"),
    }
}

fn value(v: &Value) -> Json {
    match v {
        Value::None => Json::str("None"),
        Value::Bool(b) => tagged("Bool", Json::Bool(*b)),
        Value::Int(i) => tagged("Int", Json::int(*i)),
        Value::Float(x) => tagged("Float", Json::float(*x)),
        Value::Str(s) => tagged("Str", Json::str(s)),
        Value::List(items) => tagged("List", list(items, value)),
        Value::Exc(e) => tagged(
            "Exc",
            Members::default()
                .with("kind", exc_kind(&e.kind))
                .with("arg", e.arg.as_deref().map_or(Json::Null, Json::str))
                .obj(),
        ),
    }
}

type Read<T> = Result<T, String>;

/// An object being read, named for messages.
struct Fields<'a> {
    json: &'a Json,
    what: &'a str,
}

impl<'a> Fields<'a> {
    fn of(json: &'a Json, what: &'a str) -> Read<Fields<'a>> {
        match json {
            Json::Obj(_) => Ok(Fields { json, what }),
            _ => Err(format!("{what} should be an object")),
        }
    }

    fn req(&self, key: &str) -> Read<&'a Json> {
        self.json
            .get(key)
            .ok_or_else(|| format!("{} lacks `{key}`", self.what))
    }

    /// A member that may be missing; `null` counts as missing.
    fn opt(&self, key: &str) -> Option<&'a Json> {
        self.json.get(key).filter(|j| **j != Json::Null)
    }

    fn string(&self, key: &str) -> Read<String> {
        read_string(self.req(key)?).map_err(|e| format!("{}: `{key}` {e}", self.what))
    }

    fn opt_string(&self, key: &str) -> Read<Option<String>> {
        self.opt(key).map(read_string).transpose()
    }

    fn f64(&self, key: &str) -> Read<f64> {
        read_f64(self.req(key)?).map_err(|e| format!("{}: `{key}` {e}", self.what))
    }

    fn opt_f64(&self, key: &str) -> Read<Option<f64>> {
        self.opt(key).map(read_f64).transpose()
    }

    fn id(&self, key: &str) -> Read<u32> {
        read_id(self.req(key)?).map_err(|e| format!("{}: `{key}` {e}", self.what))
    }

    fn list<T>(&self, key: &str, read: impl Fn(&Json) -> Read<T>) -> Read<Vec<T>> {
        self.opt(key).map_or(Ok(Vec::new()), |j| read_list(j, read))
    }

    fn body(&self, key: &str) -> Read<Vec<Step>> {
        read_list(self.req(key)?, read_step)
    }
}

fn read_list<T>(json: &Json, read: impl Fn(&Json) -> Read<T>) -> Read<Vec<T>> {
    json.as_array()
        .ok_or("should be a list")?
        .iter()
        .map(read)
        .collect()
}

fn read_string(json: &Json) -> Read<String> {
    json.as_str()
        .map(str::to_string)
        .ok_or_else(|| "should be a string".into())
}

fn read_f64(json: &Json) -> Read<f64> {
    json.as_f64()
        .ok_or_else(|| "should be a finite number".into())
}

fn read_id(json: &Json) -> Read<u32> {
    json.as_i64()
        .and_then(|i| u32::try_from(i).ok())
        .ok_or_else(|| "should be a whole number from 0 to 4294967295".into())
}

fn read_named_count(json: &Json) -> Read<(String, u32)> {
    match json.as_array() {
        Some([name, n]) => Ok((read_string(name)?, read_id(n)?)),
        _ => Err("should be a [name, number] pair".into()),
    }
}

/// `"Name"` or `{"Name": payload}`.
fn read_tagged<'a>(json: &'a Json, what: &str) -> Read<(&'a str, Option<&'a Json>)> {
    match json {
        Json::Str(name) => Ok((name, None)),
        Json::Obj(members) if members.len() == 1 => Ok((&members[0].0, Some(&members[0].1))),
        _ => Err(format!(
            "{what} should be a name or an object with one member"
        )),
    }
}

fn read_coroutine(json: &Json) -> Read<Coroutine> {
    let f = Fields::of(json, "a coroutine")?;
    Ok(Coroutine {
        name: f.string("name")?,
        task_name: f.opt_string("task_name")?,
        body: f.body("body")?,
    })
}

fn read_awaitable(json: &Json) -> Read<Awaitable> {
    let (name, payload) = read_tagged(json, "something awaited")?;
    let i = payload.map(read_id).transpose()?;
    match (name, i) {
        ("Task", Some(i)) => Ok(Awaitable::Task(i)),
        ("Coro", Some(i)) => Ok(Awaitable::Coro(i)),
        ("Future", Some(i)) => Ok(Awaitable::Future(i)),
        ("Job", Some(i)) => Ok(Awaitable::Job(i)),
        ("SideLoop", Some(i)) => Ok(Awaitable::SideLoop(i)),
        _ => Err(format!("`{name}` is not something that can be awaited")),
    }
}

fn read_exc_kind(json: &Json) -> Read<ExcKind> {
    json.as_str()
        .and_then(ExcKind::from_name)
        .ok_or_else(|| "unknown exception class".into())
}

fn read_step(json: &Json) -> Read<Step> {
    let (name, payload) = read_tagged(json, "a step")?;
    if name == "Reraise" {
        return Ok(Step::Reraise);
    }
    let what = format!("step `{name}`");
    let f = Fields::of(payload.unwrap_or(&Json::Null), &what)?;
    let bind = || f.opt_string("bind");
    Ok(match name {
        "Sleep" => Step::Sleep {
            seconds: f.f64("seconds")?,
        },
        "Block" => Step::Block {
            seconds: f.f64("seconds")?,
        },
        "Print" => Step::Print {
            args: read_list(f.req("args")?, read_expr)?,
        },
        "Return" => Step::Return {
            value: read_expr(f.req("value")?)?,
        },
        "Raise" | "SetException" => {
            let kind = read_exc_kind(f.req("kind")?)?;
            let message = f.opt_string("message")?;
            if name == "Raise" {
                Step::Raise { kind, message }
            } else {
                Step::SetException {
                    future: f.id("future")?,
                    kind,
                    message,
                }
            }
        }
        "CreateTask" => Step::CreateTask {
            coro: f.id("coro")?,
        },
        "Await" => Step::Await {
            target: read_awaitable(f.req("target")?)?,
            bind: bind()?,
        },
        "Gather" => Step::Gather {
            items: read_list(f.req("items")?, read_awaitable)?,
            return_exceptions: matches!(f.req("return_exceptions")?, Json::Bool(true)),
            bind: bind()?,
        },
        "Wait" => Step::Wait {
            items: read_list(f.req("items")?, read_id)?,
            timeout: f.opt_f64("timeout")?,
            return_when: match f.req("return_when")?.as_str() {
                Some("FirstCompleted") => ReturnWhen::FirstCompleted,
                Some("FirstException") => ReturnWhen::FirstException,
                Some("AllCompleted") => ReturnWhen::AllCompleted,
                _ => return Err(format!("{what}: unknown `return_when`")),
            },
            done: f.opt_string("done")?,
            pending: f.opt_string("pending")?,
        },
        "AsCompleted" => Step::AsCompleted {
            items: read_list(f.req("items")?, read_id)?,
            timeout: f.opt_f64("timeout")?,
            bind: bind()?,
            body: f.body("body")?,
        },
        "WaitFor" => Step::WaitFor {
            target: read_awaitable(f.req("target")?)?,
            timeout: f.opt_f64("timeout")?,
            bind: bind()?,
        },
        "Shield" => Step::Shield {
            target: read_awaitable(f.req("target")?)?,
            bind: bind()?,
        },
        "Cancel" => Step::Cancel {
            task: f.id("task")?,
            bind: bind()?,
        },
        "Try" => Step::Try {
            body: f.body("body")?,
            handlers: read_list(f.req("handlers")?, |j| {
                let h = Fields::of(j, "an except clause")?;
                Ok(Handler {
                    kind: read_exc_kind(h.req("kind")?)?,
                    body: h.body("body")?,
                })
            })?,
            finally: f.body("finally")?,
        },
        "If" => Step::If {
            cond: read_expr(f.req("cond")?)?,
            then: f.body("then")?,
            otherwise: f.body("otherwise")?,
        },
        "ForEach" => Step::ForEach {
            var: f.string("var")?,
            list: read_expr(f.req("list")?)?,
            body: f.body("body")?,
        },
        "WithLock" => Step::WithLock {
            lock: f.id("lock")?,
            body: f.body("body")?,
        },
        "WithSemaphore" => Step::WithSemaphore {
            semaphore: f.id("semaphore")?,
            body: f.body("body")?,
        },
        "EventSet" => Step::EventSet {
            event: f.id("event")?,
        },
        "EventClear" => Step::EventClear {
            event: f.id("event")?,
        },
        "EventWait" => Step::EventWait {
            event: f.id("event")?,
        },
        "QueuePut" => Step::QueuePut {
            queue: f.id("queue")?,
            value: read_expr(f.req("value")?)?,
        },
        "QueueGet" => Step::QueueGet {
            queue: f.id("queue")?,
            bind: bind()?,
        },
        "QueueTaskDone" => Step::QueueTaskDone {
            queue: f.id("queue")?,
        },
        "QueueJoin" => Step::QueueJoin {
            queue: f.id("queue")?,
        },
        "SetResult" => Step::SetResult {
            future: f.id("future")?,
            value: read_expr(f.req("value")?)?,
        },
        "AddDoneCallback" => Step::AddDoneCallback {
            task: f.id("task")?,
            callback: f.id("callback")?,
        },
        "CallSoon" => Step::CallSoon {
            callback: f.id("callback")?,
        },
        "CallLater" => Step::CallLater {
            delay: f.f64("delay")?,
            callback: f.id("callback")?,
        },
        "CallSoonThreadsafe" => Step::CallSoonThreadsafe {
            callback: f.id("callback")?,
        },
        _ => return Err(format!("unknown step kind `{name}`")),
    })
}

fn read_expr(json: &Json) -> Read<Expr> {
    let (name, payload) = read_tagged(json, "an expression")?;
    let text = || {
        payload
            .ok_or(())
            .and_then(|j| read_string(j).map_err(|_| ()))
    };
    let id = || payload.ok_or(()).and_then(|j| read_id(j).map_err(|_| ()));
    let e = match name {
        "Lit" => {
            return payload
                .map_or(Err("`Lit` needs a value".into()), read_value)
                .map(Expr::Lit)
        }
        "Var" => text().map(Expr::Var),
        "Time" => Ok(Expr::Time),
        "LoopTime1" => Ok(Expr::LoopTime1),
        "Result" => id().map(Expr::Result),
        "Done" => id().map(Expr::Done),
        "Cancelled" => id().map(Expr::Cancelled),
        "Name" => id().map(Expr::Name),
        "Len" => text().map(Expr::Len),
        "SortedResults" => text().map(Expr::SortedResults),
        "ArgResult" => Ok(Expr::ArgResult),
        _ => return Err(format!("unknown expression `{name}`")),
    };
    e.map_err(|()| format!("expression `{name}` has the wrong kind of argument"))
}

fn read_value(json: &Json) -> Read<Value> {
    let (name, payload) = read_tagged(json, "a value")?;
    let bad = || format!("value `{name}` has the wrong kind of content");
    Ok(match (name, payload) {
        ("None", _) => Value::None,
        ("Bool", Some(Json::Bool(b))) => Value::Bool(*b),
        ("Int", Some(j)) => Value::Int(j.as_i64().ok_or_else(bad)?),
        ("Float", Some(j)) => Value::Float(read_f64(j)?),
        ("Str", Some(Json::Str(s))) => Value::Str(Rc::from(s.as_str())),
        ("List", Some(j)) => Value::List(read_list(j, read_value)?.into()),
        ("Exc", Some(j)) => {
            let f = Fields::of(j, "an exception value")?;
            Value::Exc(PyExc {
                kind: read_exc_kind(f.req("kind")?)?,
                arg: f.opt_string("arg")?.map(Rc::from),
            })
        }
        _ => return Err(bad()),
    })
}
