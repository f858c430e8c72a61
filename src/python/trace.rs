//! A program's whole run as the tracer records it under CPython: the
//! picture of each loop at every iteration, every line written (with its
//! virtual time and stream), and the events the timeline draws, in the
//! order they happened. Read from the tracer's JSON document; the
//! command-line tool words it for people (`trace-py`), the page draws it.

use super::picture::{Picture, TaskPicture};
use crate::i18n::{fill, t_code, Lang};
use crate::json::Json;

/// One iteration's picture, and whose loop it is. The tasks are carried
/// as changes: each iteration says only the tasks whose view changed
/// since the loop's last picture (a thousand tasks over five thousand
/// iterations would otherwise be five million views).
#[derive(Clone, Debug, PartialEq)]
pub struct TracedIteration {
    /// Which of the program's loops, in the order it made them.
    pub loop_index: u32,
    /// Whether the main thread runs that loop (a side loop has a thread).
    pub main_thread: bool,
    /// How many events happened before it began.
    pub events_before: usize,
    /// The picture, its tasks left empty.
    pub picture: Picture,
    /// How many tasks the loop had made.
    pub task_count: usize,
    /// The tasks whose view changed: (place in the loop's tasks, view).
    pub changed: Vec<(usize, TaskPicture)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A line the program wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct WrittenLine {
    pub time: f64,
    pub stream: Stream,
    pub text: String,
    /// The loop and iteration that wrote it; `None` outside a running loop.
    pub at: Option<(u32, u32)>,
    /// How many events happened before it was written.
    pub events_before: usize,
}

/// What happened, in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A task was made, to run `coro` (`work(1, 'a')`), by a running
    /// task or by the program's top level, at a line of the program.
    Created {
        task: String,
        coro: String,
        by: Option<String>,
        line: Option<u32>,
    },
    /// A task's step began; `line` is where it resumes (none: it starts).
    Runs { task: String, line: Option<u32> },
    /// The step throws CancelledError into the task's coroutine.
    CancelledErrorDelivered { task: String },
    /// The step ended with the task suspended, waiting for `on`.
    Awaits {
        task: String,
        on: String,
        line: Option<u32>,
    },
    /// The step ended with the task ready again (a bare yield: `sleep(0)`).
    Yields { task: String, line: Option<u32> },
    /// The task is done: `state` is returned, raised or cancelled.
    Finished {
        task: String,
        state: String,
        value: Option<String>,
    },
    /// A callback ran that is no task's step.
    Callback { what: String },
    /// Someone asked the task to cancel: a task, a callback, (none) the
    /// program's top level, or the learner, live.
    CancelRequested {
        task: String,
        by: Option<String>,
        learner: bool,
    },
    /// A gather, wait or as_completed handed the task it woke `value`: a
    /// gather's list, a wait's done and pending sets, the next task
    /// as_completed gives with its outcome.
    Gave {
        task: String,
        what: String,
        value: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimedEvent {
    pub time: f64,
    /// The loop and iteration it happened in; `None` outside a running loop.
    pub at: Option<(u32, u32)>,
    pub event: Event,
}

/// More tasks than any run the tracer lets through has.
const MOST_TASKS: usize = 100_000;

/// A program's run under the tracer.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub iterations: Vec<TracedIteration>,
    pub output: Vec<WrittenLine>,
    pub events: Vec<TimedEvent>,
    /// How the program ended, if not normally: the last line of its
    /// traceback, why the tracer stopped it, or what it asked for that the
    /// playground cannot give.
    pub error: Option<String>,
    /// The program's line that error is at (a SyntaxError's own line, the
    /// innermost of the program's frames in a traceback).
    pub error_line: Option<u32>,
}

/// The old asyncio a traced program uses (APIs Python 3.11 no longer
/// has), read from the tracer's document. Apart from [`Trace`], which is
/// what ran; this is advice about the source.
pub fn read_advice(document: &Json) -> Vec<Advice> {
    document
        .get("advice")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .map(|a| Advice {
            line: number(a, "line").unwrap_or(0.0) as u32,
            en: text(a, "en").unwrap_or_default(),
            zh: text(a, "zh").unwrap_or_default(),
            rewrite: text(a, "rewrite").unwrap_or_default(),
        })
        .collect()
}

/// A use of an asyncio API that Python 3.11 no longer has, at its line:
/// what changed and since when, in English and Chinese, and the program
/// rewritten for 3.11.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    pub line: u32,
    pub en: String,
    pub zh: String,
    pub rewrite: String,
}

impl Trace {
    /// Reads the tracer's document (`tracer.py trace`).
    pub fn from_json(json: &Json) -> Result<Trace, String> {
        let list = |key: &str| {
            json.get(key)
                .and_then(Json::as_array)
                .ok_or_else(|| format!("the trace has no {key}"))
        };
        let iterations = list("snapshots")?
            .iter()
            .map(|s| {
                let changed = s
                    .get("changed")
                    .and_then(Json::as_array)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|c| {
                        let pair = c.as_array()?;
                        let index = pair.first()?.as_f64()? as usize;
                        Some((index, TaskPicture::from_json(pair.get(1)?)))
                    })
                    .collect();
                Ok(TracedIteration {
                    loop_index: number(s, "loop").unwrap_or(0.0) as u32,
                    main_thread: s.get("main") != Some(&Json::Bool(false)),
                    events_before: number(s, "events_before").unwrap_or(0.0) as usize,
                    picture: Picture::from_json(s)?,
                    task_count: number(s, "tasks").unwrap_or(0.0) as usize,
                    changed,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let output: Vec<WrittenLine> = list("output")?
            .iter()
            .map(|o| WrittenLine {
                time: number(o, "time").unwrap_or(0.0),
                stream: if text(o, "stream").as_deref() == Some("stderr") {
                    Stream::Stderr
                } else {
                    Stream::Stdout
                },
                text: text(o, "text").unwrap_or_default(),
                at: at(o),
                events_before: number(o, "events_before").unwrap_or(0.0) as usize,
            })
            .collect();
        let events: Vec<TimedEvent> = list("events")?
            .iter()
            .map(|e| {
                Ok(TimedEvent {
                    time: number(e, "time").unwrap_or(0.0),
                    at: at(e),
                    event: event(e)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        // The program runs beside the tracer and could rewrite its record:
        // what the views index by must hold together.
        let count = events.len();
        fn in_order(places: impl Iterator<Item = usize>, count: usize) -> bool {
            let mut last = 0;
            for p in places {
                if p < last || p > count {
                    return false;
                }
                last = p;
            }
            true
        }
        if !in_order(iterations.iter().map(|s| s.events_before), count)
            || !in_order(output.iter().map(|l| l.events_before), count)
            || iterations.iter().any(|s| {
                s.task_count > MOST_TASKS || s.changed.iter().any(|(i, _)| *i >= s.task_count)
            })
        {
            return Err("the trace does not hold together".into());
        }
        Ok(Trace {
            iterations,
            output,
            events,
            error: text(json, "error"),
            error_line: number(json, "error_line").map(|l| l as u32),
        })
    }

    /// The pictures of one loop, whole, iteration by iteration.
    pub fn pictures(&self, loop_index: u32) -> Vec<Picture> {
        let mut tasks: Vec<TaskPicture> = Vec::new();
        self.iterations
            .iter()
            .filter(|step| step.loop_index == loop_index)
            .map(|step| {
                apply(&mut tasks, step);
                Picture {
                    tasks: tasks.clone(),
                    ..step.picture.clone()
                }
            })
            .collect()
    }

    /// The `n`-th picture of one loop, whole: its tasks brought there from
    /// the loop's first picture (kept as changes, the pictures of a long
    /// run with many tasks would not fit a page's memory whole).
    pub fn picture_of(&self, loop_index: u32, n: usize) -> Option<Picture> {
        let mut tasks: Vec<TaskPicture> = Vec::new();
        let step = self
            .iterations
            .iter()
            .filter(|step| step.loop_index == loop_index)
            .take(n + 1)
            .inspect(|step| apply(&mut tasks, step))
            .nth(n)?;
        Some(Picture {
            tasks,
            ..step.picture.clone()
        })
    }

    /// The loop `asyncio.run` (or the program's first `run_until_complete`)
    /// ran: the first the main thread ran. A program may run several (a
    /// side loop in a thread of its own, several `asyncio.run`s); the
    /// engine models one.
    pub fn main_loop(&self) -> Option<u32> {
        self.iterations
            .iter()
            .find(|step| step.main_thread)
            .map(|step| step.loop_index)
    }

    /// The run in words, iteration by iteration: the picture at its start,
    /// then what it did and printed.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut lines = self.output.iter().peekable();
        let mut iterations = self.iterations.iter().peekable();
        let mut loops: Vec<Vec<TaskPicture>> = Vec::new();
        // Everything in the order it happened: before event `i` come the
        // lines written and the iterations begun before it (lines first:
        // an iteration's first handle is an event).
        let mut now = 0.0;
        let mut clock = |out: &mut String, time: f64| {
            if time > now {
                out.push_str(&format!("    the clock moves to t={}\n", format_time(time)));
                now = time;
            }
        };
        for i in 0..=self.events.len() {
            while let Some(line) = lines.next_if(|l| l.events_before <= i) {
                clock(&mut out, line.time);
                let mark = match line.stream {
                    Stream::Stdout => "|",
                    Stream::Stderr => "! stderr |",
                };
                out.push_str(&format!("    {mark} {}\n", line.text));
            }
            while let Some(step) = iterations.next_if(|s| s.events_before <= i) {
                clock(&mut out, step.picture.time);
                let index = step.loop_index as usize;
                if loops.len() <= index {
                    loops.resize_with(index + 1, Vec::new);
                }
                apply(&mut loops[index], step);
                describe_iteration(&mut out, step, &loops[index]);
            }
            if let Some(e) = self.events.get(i) {
                clock(&mut out, e.time);
                out.push_str(&format!("    {}\n", describe_event(&e.event)));
            }
        }
        match (&self.error, self.error_line) {
            (Some(error), Some(line)) => out.push_str(&format!("ended at line {line}: {error}\n")),
            (Some(error), None) => out.push_str(&format!("ended: {error}\n")),
            _ => {}
        }
        out
    }
}

/// A loop's tasks as they were, brought to an iteration's.
fn apply(tasks: &mut Vec<TaskPicture>, step: &TracedIteration) {
    if tasks.len() < step.task_count {
        tasks.resize_with(step.task_count, || TaskPicture {
            name: String::new(),
            state: String::new(),
            on: None,
            value: None,
            line: None,
            awaits: Vec::new(),
        });
    }
    for (index, view) in &step.changed {
        if let Some(task) = tasks.get_mut(*index) {
            *task = view.clone();
        }
    }
}

fn describe_iteration(out: &mut String, step: &TracedIteration, tasks: &[TaskPicture]) {
    let p = &step.picture;
    let thread = if step.main_thread {
        ""
    } else {
        " (in another thread)"
    };
    out.push_str(&format!(
        "loop {}{thread}, iteration {}, t={}\n",
        step.loop_index,
        p.iteration,
        format_time(p.time)
    ));
    let ready = if p.ready.is_empty() {
        "(empty)".to_string()
    } else {
        p.ready.join(", ")
    };
    out.push_str(&format!("  ready:  {ready}\n"));
    if !p.timers.is_empty() {
        let timers: Vec<String> = p
            .timers
            .iter()
            .map(|(t, what)| format!("{what} at t={}", format_time(*t)))
            .collect();
        out.push_str(&format!("  timers: {}\n", timers.join(", ")));
    }
    for t in tasks {
        out.push_str(&format!("  {:<8} {}\n", t.name, describe_task(t)));
    }
}

fn describe_task(t: &super::picture::TaskPicture) -> String {
    let mut text = match (t.state.as_str(), &t.on, &t.value) {
        ("waiting", Some(on), _) => format!("waiting for {on}"),
        (state, _, Some(value)) => format!("{state} {value}"),
        (state, _, None) => state.to_string(),
    };
    if let Some(line) = t.line {
        text.push_str(&format!(", at line {line}"));
    }
    if !t.awaits.is_empty() {
        text.push_str(&format!(", awaits {}", t.awaits.join(", ")));
    }
    text
}

/// An event in words, in English (the command-line tool's).
pub fn describe_event(event: &Event) -> String {
    word_event(Lang::En, event)
}

/// An event in words, in a language: the page's in the learner's, the
/// command-line tool's in English.
pub fn word_event(lang: Lang, event: &Event) -> String {
    // One pass over each template: a value the program chose (a task
    // named `{at}`) stays as it is.
    let say = |key: &str, values: &[(&str, &str)]| fill(t_code(lang, key), values);
    let at = |line: &Option<u32>| match line {
        Some(l) => say("ev.at_line", &[("line", &l.to_string())]),
        None => String::new(),
    };
    let by = |by: &Option<String>| {
        by.clone()
            .unwrap_or_else(|| t_code(lang, "ev.the_program").to_string())
    };
    match event {
        Event::Created {
            task,
            coro,
            by: who,
            line,
        } => say(
            "ev.created",
            &[
                ("by", &by(who)),
                ("task", task),
                ("coro", coro),
                ("at", &at(line)),
            ],
        ),
        Event::Runs { task, line: None } => say("ev.starts", &[("task", task)]),
        Event::Runs {
            task,
            line: Some(l),
        } => say("ev.resumes", &[("task", task), ("line", &l.to_string())]),
        Event::CancelledErrorDelivered { task } => say("ev.thrown", &[("task", task)]),
        Event::Awaits { task, on, line } => say(
            "ev.awaits",
            &[("task", task), ("on", on), ("at", &at(line))],
        ),
        Event::Yields { task, line } => say("ev.yields", &[("task", task), ("at", &at(line))]),
        Event::Finished { task, state, value } => {
            let state = match state.as_str() {
                "returned" | "raised" | "cancelled" => {
                    t_code(lang, &format!("state.{state}")).to_string()
                }
                other => other.to_string(),
            };
            match value {
                Some(v) => format!("{task} {state} {v}"),
                None => format!("{task} {state}"),
            }
        }
        Event::Callback { what } => say("ev.callback", &[("what", what)]),
        Event::Gave { task, what, value } => say(
            "ev.gave",
            &[("what", what), ("task", task), ("value", value)],
        ),
        Event::CancelRequested {
            task,
            learner: true,
            ..
        } => say("ev.you_cancel", &[("task", task)]),
        Event::CancelRequested { task, by: who, .. } => {
            say("ev.asks_cancel", &[("by", &by(who)), ("task", task)])
        }
    }
}

/// A virtual time as the views print it: `3.0`, `0.25`.
pub fn format_time(t: f64) -> String {
    if t.fract() == 0.0 && t.abs() < 1e15 {
        format!("{t:.1}")
    } else {
        let text = format!("{t:.6}");
        text.trim_end_matches('0').to_string()
    }
}

fn number(json: &Json, key: &str) -> Option<f64> {
    json.get(key).and_then(Json::as_f64)
}

fn text(json: &Json, key: &str) -> Option<String> {
    json.get(key).and_then(Json::as_str).map(str::to_string)
}

fn at(json: &Json) -> Option<(u32, u32)> {
    Some((
        number(json, "loop")? as u32,
        number(json, "iteration")? as u32,
    ))
}

fn event(e: &Json) -> Result<Event, String> {
    let task = || text(e, "task").ok_or("an event names no task".to_string());
    let line = || number(e, "line").map(|l| l as u32);
    Ok(match text(e, "event").as_deref() {
        Some("created") => Event::Created {
            task: task()?,
            coro: text(e, "coro").unwrap_or_default(),
            by: text(e, "by"),
            line: line(),
        },
        Some("runs") => Event::Runs {
            task: task()?,
            line: line(),
        },
        Some("CancelledError delivered") => Event::CancelledErrorDelivered { task: task()? },
        Some("awaits") => Event::Awaits {
            task: task()?,
            on: text(e, "on").unwrap_or_else(|| "a future".into()),
            line: line(),
        },
        Some("yields") => Event::Yields {
            task: task()?,
            line: line(),
        },
        Some("finished") => Event::Finished {
            task: task()?,
            state: text(e, "state").unwrap_or_default(),
            value: text(e, "value"),
        },
        Some("callback") => Event::Callback {
            what: text(e, "what").unwrap_or_default(),
        },
        Some("cancel requested") => Event::CancelRequested {
            task: task()?,
            by: text(e, "by"),
            learner: matches!(e.get("learner"), Some(Json::Bool(true))),
        },
        Some("gave") => Event::Gave {
            task: task()?,
            what: text(e, "what").unwrap_or_default(),
            value: text(e, "value").unwrap_or_default(),
        },
        other => return Err(format!("an event of no known kind: {other:?}")),
    })
}
