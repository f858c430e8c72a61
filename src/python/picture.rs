//! The picture of the loop the views draw, at the start of an iteration,
//! as one format both sides give: the engine (its `Snapshot`, with each
//! task's step placed at its line of the exported Python) and CPython
//! (`tracer.py`, the same fields read off CPython's own loop and tasks).
//! Two runs' pictures can be compared field by field, and the first
//! difference said in words.

use crate::engine::snapshot::{Snapshot, TaskState};
use crate::engine::{Program, Simulation, Status};
use crate::json::Json;

/// The loop at the start of one `_run_once`.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// How many iterations had begun, this one included.
    pub iteration: u32,
    pub time: f64,
    /// What the iteration will run, in order.
    pub ready: Vec<String>,
    /// The armed timers, in the order they fire: `(deadline, what)`; the
    /// first [`LISTED_TIMERS`] of them.
    pub timers: Vec<(f64, String)>,
    /// How many timers are armed.
    pub timer_count: usize,
    /// Every task the loop made, in the order it made them.
    pub tasks: Vec<TaskPicture>,
    /// Lines printed so far.
    pub printed: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TaskPicture {
    pub name: String,
    /// `not started`, `running`, `waiting`, `ready`, `returned`, `raised`
    /// or `cancelled`.
    pub state: String,
    /// What a waiting task waits for.
    pub on: Option<String>,
    /// What a finished task returned or raised (its repr, cut at 80
    /// characters).
    pub value: Option<String>,
    /// The line of the program it is at.
    pub line: Option<u32>,
    /// The tasks it awaits right now (directly, or through a gather,
    /// wait, wait_for, as_completed or shield), by name, in order.
    pub awaits: Vec<String>,
}

/// How many timers a picture lists: as many as the views draw. Putting a
/// thousand timers in firing order at every iteration was most of the
/// tracer's time.
pub const LISTED_TIMERS: usize = 200;

impl TaskPicture {
    pub fn from_json(t: &Json) -> TaskPicture {
        let text = |key: &str| t.get(key).and_then(Json::as_str).map(str::to_string);
        TaskPicture {
            name: text("name").unwrap_or_default(),
            state: text("state").unwrap_or_default(),
            on: text("on"),
            value: text("value"),
            line: t.get("line").and_then(Json::as_f64).map(|l| l as u32),
            awaits: t
                .get("awaits")
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
        }
    }
}

impl Picture {
    /// The engine's snapshot, with each task's step placed at its line:
    /// `lines[coroutine][step]` as `python::export_with_lines` gives them.
    pub fn of_engine(snapshot: &Snapshot, lines: &[Vec<u32>]) -> Picture {
        // The side loop's tasks are in its own picture, as CPython's are.
        let tasks = snapshot
            .tasks
            .iter()
            .filter(|t| !t.on_side)
            .map(|t| {
                let (state, on, value) = match &t.state {
                    TaskState::NotStarted => ("not started", None, None),
                    TaskState::Running => ("running", None, None),
                    TaskState::Waiting { on } => ("waiting", Some(on.clone()), None),
                    TaskState::Ready => ("ready", None, None),
                    TaskState::Returned(v) => ("returned", None, Some(v.clone())),
                    TaskState::Raised(e) => ("raised", None, Some(e.clone())),
                    TaskState::Cancelled => ("cancelled", None, None),
                };
                let line = match t.state {
                    TaskState::NotStarted | TaskState::Returned(_) => None,
                    TaskState::Raised(_) | TaskState::Cancelled => None,
                    _ => {
                        t.at.and_then(|(c, i)| lines.get(c as usize)?.get(i as usize).copied())
                    }
                };
                let mut awaits: Vec<String> = t
                    .awaits
                    .iter()
                    .filter_map(|id| snapshot.tasks.get(id.index()).map(|a| a.name.clone()))
                    .collect();
                awaits.sort();
                awaits.dedup();
                TaskPicture {
                    name: t.name.clone(),
                    state: state.into(),
                    on,
                    value,
                    line,
                    awaits,
                }
            })
            .collect();
        Picture {
            iteration: snapshot.iteration + 1,
            time: snapshot.time,
            ready: snapshot.ready.clone(),
            timers: snapshot.timers[..snapshot.timers.len().min(LISTED_TIMERS)].to_vec(),
            timer_count: snapshot.timers.len(),
            tasks,
            printed: snapshot.printed,
        }
    }

    pub fn to_json(&self) -> Json {
        let tasks = self
            .tasks
            .iter()
            .map(|t| {
                let mut fields = vec![
                    ("name".to_string(), Json::str(&t.name)),
                    ("state".into(), Json::str(&t.state)),
                ];
                if let Some(on) = &t.on {
                    fields.push(("on".into(), Json::str(on)));
                }
                if let Some(value) = &t.value {
                    fields.push(("value".into(), Json::str(value)));
                }
                if let Some(line) = t.line {
                    fields.push(("line".into(), Json::int(i64::from(line))));
                }
                if !t.awaits.is_empty() {
                    let awaits = t.awaits.iter().map(|a| Json::str(a)).collect();
                    fields.push(("awaits".into(), Json::Arr(awaits)));
                }
                Json::Obj(fields)
            })
            .collect();
        Json::Obj(vec![
            ("iteration".into(), Json::int(i64::from(self.iteration))),
            ("time".into(), Json::float(self.time)),
            (
                "ready".into(),
                Json::Arr(self.ready.iter().map(|r| Json::str(r)).collect()),
            ),
            (
                "timers".into(),
                Json::Arr(
                    self.timers
                        .iter()
                        .map(|(t, what)| Json::Arr(vec![Json::float(*t), Json::str(what)]))
                        .collect(),
                ),
            ),
            ("timer_count".into(), Json::int(self.timer_count as i64)),
            ("tasks".into(), Json::Arr(tasks)),
            ("printed".into(), Json::int(self.printed as i64)),
        ])
    }

    pub fn from_json(json: &Json) -> Result<Picture, String> {
        let number = |key: &str| {
            json.get(key)
                .and_then(Json::as_f64)
                .ok_or_else(|| format!("a picture without `{key}`"))
        };
        let strings = |j: Option<&Json>| -> Vec<String> {
            j.and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        let timers: Vec<(f64, String)> = json
            .get("timers")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|t| {
                let pair = t.as_array()?;
                Some((pair.first()?.as_f64()?, pair.get(1)?.as_str()?.to_string()))
            })
            .collect();
        let tasks = json
            .get("tasks")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .map(TaskPicture::from_json)
            .collect();
        Ok(Picture {
            iteration: number("iteration")? as u32,
            time: number("time")?,
            ready: strings(json.get("ready")),
            timer_count: json
                .get("timer_count")
                .and_then(Json::as_f64)
                .map_or(timers.len(), |n| n as usize),
            timers,
            tasks,
            printed: number("printed")? as usize,
        })
    }
}

/// The engine's pictures of a program's run, one at the start of every
/// iteration, and how the run ended.
pub fn engine_pictures(program: &Program) -> Result<(Vec<Picture>, Status), String> {
    let mut sim = Simulation::new(program.clone()).map_err(|problems| {
        let messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
        messages.join("; ")
    })?;
    sim.track_positions();
    let (_, lines) = super::export_with_lines(program);
    let mut pictures = Vec::new();
    while sim.is_running() {
        pictures.push(Picture::of_engine(&sim.snapshot(), &lines));
        sim.run_once();
    }
    Ok((pictures, sim.status().clone()))
}

/// Where two runs' pictures first differ, in words; `None` when they
/// agree at every iteration.
pub fn first_difference(engine: &[Picture], cpython: &[Picture]) -> Option<String> {
    for (e, c) in engine.iter().zip(cpython) {
        let at = format!("iteration {} (t={})", c.iteration, c.time);
        let differ = |field: &str, e: String, c: String| {
            Some(format!("{at}, {field}:\n  CPython: {c}\n  engine:  {e}"))
        };
        if e.time != c.time {
            return differ("the time", e.time.to_string(), c.time.to_string());
        }
        if e.ready != c.ready {
            return differ(
                "the ready queue",
                format!("{:?}", e.ready),
                format!("{:?}", c.ready),
            );
        }
        if e.timers != c.timers || e.timer_count != c.timer_count {
            return differ(
                "the timers",
                format!("{} {:?}", e.timer_count, e.timers),
                format!("{} {:?}", c.timer_count, c.timers),
            );
        }
        if e.tasks.len() != c.tasks.len() {
            let names = |p: &Picture| p.tasks.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
            return differ(
                "the tasks",
                format!("{:?}", names(e)),
                format!("{:?}", names(c)),
            );
        }
        for (te, tc) in e.tasks.iter().zip(&c.tasks) {
            if te != tc {
                return differ(&format!("task {}", tc.name), describe(te), describe(tc));
            }
        }
        if e.printed != c.printed {
            return differ(
                "the lines printed",
                e.printed.to_string(),
                c.printed.to_string(),
            );
        }
    }
    if engine.len() != cpython.len() {
        return Some(format!(
            "CPython's loop ran {} iterations, the engine's {}",
            cpython.len(),
            engine.len()
        ));
    }
    None
}

fn describe(t: &TaskPicture) -> String {
    let mut text = t.state.clone();
    if let Some(on) = &t.on {
        text.push_str(&format!(" on {on}"));
    }
    if let Some(value) = &t.value {
        text.push_str(&format!(" {value}"));
    }
    if let Some(line) = t.line {
        text.push_str(&format!(" at line {line}"));
    }
    if !t.awaits.is_empty() {
        text.push_str(&format!(", awaiting {}", t.awaits.join(", ")));
    }
    text
}
