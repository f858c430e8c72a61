//! The panels that show the program rather than edit it: problems, the
//! Python export, and the output of the run.

use yew::prelude::*;

use super::{AppContext, Ending};
use crate::engine::budget::thousands;
use crate::engine::value::py_float_repr;
use crate::engine::{Limit, Location, Outside, Severity, Status, Stop};

/// Lines of output drawn: the first and the last (a run may print
/// thousands, and drawing them all would hold the page).
pub const OUTPUT_HEAD: usize = 300;
pub const OUTPUT_TAIL: usize = 100;

/// List entries for `items`, at most `head` from the start and `tail`
/// from the end, with one entry between saying how many are left out.
pub fn capped<T>(
    ctx: &AppContext,
    items: &[T],
    head: usize,
    tail: usize,
    item: impl Fn(&T) -> Html,
) -> Html {
    if items.len() <= head + tail {
        return html! { <>{ for items.iter().map(&item) }</> };
    }
    let hidden = items.len() - head - tail;
    html! {
        <>
            { for items[..head].iter().map(&item) }
            <li class="more">{ ctx.t("list.more").replace("{n}", &thousands(hidden)) }</li>
            { for items[items.len() - tail..].iter().map(&item) }
        </>
    }
}

/// One printed line, with its virtual time.
pub fn output_line((time, text): &(f64, String)) -> Html {
    html! {
        <li><span class="time">{ format!("t={}", py_float_repr(*time)) }</span><samp>{ text }</samp></li>
    }
}

/// Why a run was stopped and where, in the learner's language: the limit
/// it reached, and the Python line the running task was at.
pub fn stop_text(ctx: &AppContext, stop: &Stop) -> String {
    let (key, n) = match stop.limit {
        Limit::Callbacks(n) => ("stop.callbacks", n as usize),
        Limit::Steps(n) => ("stop.steps", n as usize),
        Limit::Tasks(n) => ("stop.tasks", n),
        Limit::TraceEvents(n) => ("stop.trace", n),
        Limit::OutputBytes(n) => ("stop.output", n),
        Limit::Clock(t) => ("stop.clock", t as usize),
        Limit::CancelDepth(n) => ("stop.cancel_depth", n),
    };
    let days = format!("{:.0}", n as f64 / 86_400.0);
    let mut text = format!(
        "{}: {}",
        ctx.t("status.stopped"),
        ctx.t(key)
            .replace("{n}", &thousands(n))
            .replace("{days}", &days)
    );
    let line = stop.at.and_then(|(coro, step)| {
        let (_, lines) = crate::python::export_with_lines(&ctx.program);
        lines.get(coro as usize)?.get(step as usize).copied()
    });
    let place = match (&stop.task, line) {
        (Some(task), Some(line)) => ctx
            .t("stop.where")
            .replace("{task}", task)
            .replace("{line}", &line.to_string()),
        (Some(task), None) => ctx.t("stop.where_task").replace("{task}", task),
        _ => String::new(),
    };
    if !place.is_empty() {
        text.push_str(" (");
        text.push_str(&place);
        text.push(')');
    }
    text
}

#[component]
pub fn ProblemsPanel() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    if ctx.problems.is_empty() {
        return html! {};
    }
    let place = |location: &Location| match location {
        Location::Program => String::new(),
        Location::Epilogue(i) => format!("{} {}: ", ctx.t("label.after_run"), i + 1),
        Location::Callback(i) => ctx
            .program
            .callbacks
            .get(*i as usize)
            .map(|c| format!("{}: ", c.name))
            .unwrap_or_default(),
        Location::Job { job, step } => ctx
            .program
            .jobs
            .get(*job as usize)
            .map(|j| format!("{}, {} {}: ", j.name, ctx.t("label.step"), step + 1))
            .unwrap_or_default(),
        Location::Coroutine { coro, path } => {
            let name = ctx
                .program
                .coroutines
                .get(*coro as usize)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            if path.is_empty() {
                format!("{name}: ")
            } else {
                let steps: Vec<String> = path
                    .iter()
                    .step_by(2)
                    .map(|i| (i + 1).to_string())
                    .collect();
                format!("{name}, {} {}: ", ctx.t("label.step"), steps.join("."))
            }
        }
    };
    html! {
        <div class="problems" aria-label={ctx.t("problems.title")}>
            <h3>{ ctx.t("problems.title") }</h3>
            <ul>
                { for ctx.problems.iter().map(|p| html! {
                    <li class={if p.severity == Severity::Error { "error" } else { "warning" }}>
                        { place(&p.location) }{ crate::i18n::say(ctx.lang, &p.said) }
                    </li>
                }) }
            </ul>
        </div>
    }
}

#[component]
pub fn PythonPanel() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let run_ctx = use_context::<super::RunContext>().expect("RunContext");
    let exported = use_memo(ctx.program.clone(), |p| crate::python::export_with_lines(p));
    let (source, lines) = (&exported.0, &exported.1);
    let current: Vec<u32> = run_ctx
        .positions
        .iter()
        .filter_map(|(c, i)| lines.get(*c as usize)?.get(*i as usize).copied())
        .collect();
    let copied = use_state(|| false);
    let copy = {
        let source = source.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&source);
                copied.set(true);
            }
        })
    };
    html! {
        <div class="python-view">
            <button onclick={copy}>{ if *copied { ctx.t("action.copied") } else { ctx.t("action.copy") } }</button>
            <pre tabindex="0" aria-label={ctx.t("region.python")}><code class="language-python">
                { marked_lines(source, &current) }
            </code></pre>
        </div>
    }
}

/// The source as text, with the lines where tasks are marked: runs of
/// unmarked lines are one text node each, so a long program is a handful
/// of nodes, not one per line.
fn marked_lines(source: &str, current: &[u32]) -> Html {
    let mut parts = Vec::new();
    let mut plain = String::new();
    for (i, line) in source.lines().enumerate() {
        if current.contains(&(i as u32 + 1)) {
            parts.push(html! { { std::mem::take(&mut plain) } });
            parts.push(html! {
                <span class="line current" aria-current="step">{ line }{ "\n" }</span>
            });
        } else {
            plain.push_str(line);
            plain.push('\n');
        }
    }
    parts.push(html! { { plain } });
    html! { <>{ for parts }</> }
}

/// What the output panel says of a run's end.
pub fn ending_text(ctx: &AppContext, ending: &Ending) -> String {
    match &ending.status {
        Status::Finished => match (&ending.raised, ending.raised_outside) {
            (Some(line), None) => format!("{}: {line}", ctx.t("status.raised")),
            (Some(line), Some(Outside::AsyncioRun)) => format!(
                "{}: {line}. {}",
                ctx.t("status.run_raised"),
                ctx.t("cancel.cycle")
                    .replace("{tasks}", &ending.cancel_cycle)
            ),
            (Some(line), Some(Outside::AfterRun)) => {
                format!("{}: {line}", ctx.t("status.after_run_raised"))
            }
            (None, _) => format!(
                "{} {}",
                ctx.t("status.finished"),
                py_float_repr(ending.end_time)
            ),
        },
        Status::Deadlock(report) => format!(
            "{}: {}",
            ctx.t("status.deadlock"),
            crate::i18n::deadlock_words(ctx.lang, report)
        ),
        Status::Stopped(stop) => stop_text(ctx, stop),
        Status::Running => String::new(),
    }
}
