//! The loop as a picture: the ready queue as a row of items (the first to
//! run set apart), the timers by deadline on a clock line, and who awaits
//! whom as a graph of tasks, combinators and what they wait on, each
//! node's state shown by an icon, a word and a colour. Graph mode draws
//! the engine's loop with it, code mode CPython's: each makes a
//! `LoopPicture`, so the two draw alike and can be compared.
//!
//! The drawing is HTML lists (a list of lists for the graph, its edges
//! drawn by CSS), so what a screen reader reads is the picture itself.
//! Motion is CSS: a step draws a new row whose items slide in; no
//! animation outlives the next step, so none queues up at 10x or while
//! scrubbing, and `prefers-reduced-motion` turns it off (`styles.css`).

use yew::prelude::*;

use crate::engine::snapshot::{await_forest, draw_forest, AwaitForest, AwaitNode, Placed};
use crate::engine::value::py_float_repr;
use crate::i18n::{callback_words, future_words, t, task_state_words, tree_state, Lang};

use super::timeline::Same;

/// A task as the picture draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskNode {
    pub name: String,
    /// What it runs: `func1(5)`, `main()` (empty when unknown).
    pub call: String,
    /// `not-started`, `running`, `waiting`, `ready`, `returned`, `raised`
    /// or `cancelled` (as `TaskState::key`).
    pub state: &'static str,
    /// What it waits for, returned or raised.
    pub detail: Option<String>,
    /// A cancellation requested and not yet delivered.
    pub cancel_pending: bool,
    /// The combinator it awaits tasks through (`asyncio.gather`).
    pub through: Option<String>,
    /// The places in the pending list of the tasks it awaits, in the
    /// order they were made.
    pub awaits: Vec<usize>,
}

impl TaskNode {
    pub fn is_done(&self) -> bool {
        matches!(self.state, "returned" | "raised" | "cancelled")
    }

    /// `Task-2 · func1(5)`.
    pub fn label(&self) -> String {
        if self.call.is_empty() {
            self.name.clone()
        } else {
            format!("{} · {}", self.name, self.call)
        }
    }

    /// What the text tree says after the name: ` (awaits sleep)`.
    fn tree_state(&self, lang: Lang) -> String {
        let on = self.detail.as_deref().filter(|_| self.state == "waiting");
        tree_state(lang, self.state, on)
    }
}

/// The loop at the start of one iteration, as the picture draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoopPicture {
    pub iteration: u32,
    pub time: f64,
    /// What the iteration runs, in order.
    pub ready: Vec<String>,
    /// Armed timers, earliest first, as listed.
    pub timers: Vec<(f64, String)>,
    pub timer_count: usize,
    /// Tasks not done, in the order they were made.
    pub pending: Vec<TaskNode>,
    /// Tasks done, in the order they were made.
    pub finished: Vec<TaskNode>,
    pub forest: AwaitForest,
}

impl LoopPicture {
    /// A picture of `tasks` (every task the loop made, in order), whose
    /// `awaits` index into `tasks`.
    pub fn new(
        iteration: u32,
        time: f64,
        ready: Vec<String>,
        timers: Vec<(f64, String)>,
        timer_count: usize,
        tasks: Vec<TaskNode>,
    ) -> LoopPicture {
        let mut place = vec![None; tasks.len()];
        let mut pending = Vec::new();
        let mut finished = Vec::new();
        let mut awaits_of = Vec::new();
        for (i, task) in tasks.into_iter().enumerate() {
            if task.is_done() {
                finished.push(task);
            } else {
                place[i] = Some(pending.len());
                awaits_of.push(task.awaits.clone());
                pending.push(task);
            }
        }
        for (task, awaits) in pending.iter_mut().zip(awaits_of) {
            let mut placed: Vec<usize> = awaits
                .iter()
                .filter_map(|&a| place.get(a).copied().flatten())
                .collect();
            placed.sort_unstable();
            placed.dedup();
            task.awaits = placed;
        }
        let mut picture = LoopPicture {
            iteration,
            time,
            ready,
            timers,
            timer_count,
            pending,
            finished,
            forest: AwaitForest::default(),
        };
        picture.forest = await_forest(&picture.nodes(Lang::En));
        picture
    }

    fn nodes(&self, lang: Lang) -> Vec<AwaitNode<'_>> {
        self.pending
            .iter()
            .map(|t| AwaitNode {
                name: &t.name,
                state: t.tree_state(lang),
                through: t.through.clone().filter(|_| !t.awaits.is_empty()),
                awaits: t.awaits.clone(),
            })
            .collect()
    }

    /// The await graph as text lines in `lang`, drawn as `python -m
    /// asyncio pstree` draws its tree: the picture's text equivalent, and
    /// (in English) what the tests compare.
    pub fn tree_text(&self, lang: Lang) -> Vec<String> {
        draw_forest(&self.nodes(lang), &self.forest, lang)
    }

    /// What the task named `name` runs, for the queue and the timers.
    fn call_of(&self, name: &str) -> Option<&str> {
        self.pending
            .iter()
            .chain(&self.finished)
            .find(|t| t.name == name)
            .map(|t| t.call.as_str())
            .filter(|c| !c.is_empty())
    }
}

/// Items of the ready queue and timers drawn; the rest are counted.
const QUEUE_ITEMS: usize = 60;
/// Finished tasks drawn.
const FINISHED_ITEMS: usize = 60;

#[derive(Properties, PartialEq)]
pub struct LoopPictureProps {
    pub picture: Same<LoopPicture>,
    /// While a live run waits for a timer: the virtual time now, as bits.
    #[prop_or_default]
    pub now: Option<u64>,
    pub lang: Lang,
    /// Draw who awaits whom (a side loop's picture shows its queues only).
    #[prop_or(true)]
    pub with_graph: bool,
    /// The level of its headings: a side loop's sit under its own title.
    #[prop_or("h3")]
    pub heading: &'static str,
}

/// The ready queue, the timers and who awaits whom.
#[component]
pub fn LoopPictureView(props: &LoopPictureProps) -> Html {
    let p = &*props.picture;
    let lang = props.lang;
    let now = props.now.map(f64::from_bits).unwrap_or(p.time);
    // The picture drawn before this one, and the timers that fell due
    // between the two (kept while the same picture redraws).
    let seen = use_mut_ref(|| (props.picture.clone(), Vec::new()));
    let fired = {
        let mut seen = seen.borrow_mut();
        if seen.0 != props.picture {
            let fired = fell_due(&seen.0, p);
            *seen = (props.picture.clone(), fired);
        }
        seen.1.clone()
    };
    html! {
        <div class="loop-picture">
            <div class="queues">
                <div class="ready-section">
                    <@{props.heading}>{ t(lang, "run.ready") }</@>
                    { ready_row(lang, p) }
                    if !fired.is_empty() {
                        // Motion only: the iteration's line says it in words.
                        <div class="q-fired" key={p.iteration.to_string()} aria-hidden="true">
                            { for fired.iter().map(|label| html! {
                                <span class="q-item">
                                    <span class="q-tag">{ t(lang, "picture.timer_due") }</span>
                                    { callback_words(lang, label) }
                                </span>
                            }) }
                        </div>
                    }
                </div>
                <div class="timers-section">
                    <@{props.heading}>{ t(lang, "run.timers") }</@>
                    { timer_list(lang, p, now) }
                </div>
            </div>
            if props.with_graph {
                <div class="await-section">
                    <@{props.heading}>{ t(lang, "run.await_tree") }</@>
                    { await_graph(lang, p) }
                </div>
            }
        </div>
    }
}

/// The timers of `before` that fell due by `now`, the iteration after it:
/// an iteration moves them to the ready queue and runs them, so neither
/// picture shows them there. Drawn as they pass from the timers into the
/// queue.
fn fell_due(before: &LoopPicture, now: &LoopPicture) -> Vec<String> {
    if now.iteration != before.iteration + 1 {
        return Vec::new();
    }
    let mut still_armed: Vec<&(f64, String)> = now.timers.iter().collect();
    let mut fired = Vec::new();
    for timer in before.timers.iter().filter(|timer| timer.0 <= now.time) {
        match still_armed.iter().position(|armed| *armed == timer) {
            Some(at) => {
                still_armed.remove(at);
            }
            None => fired.push(timer.1.clone()),
        }
    }
    fired
}

/// The queue as a row, front first. Each iteration runs exactly the items
/// queued when it began, so every step brings a new row: it is keyed by
/// the iteration, and its items slide in from the back.
fn ready_row(lang: Lang, p: &LoopPicture) -> Html {
    if p.ready.is_empty() {
        let why = if p.timer_count > 0 {
            t(lang, "picture.waits_for_timer")
        } else {
            "—"
        };
        return html! { <p class="empty">{ why }</p> };
    }
    let shown = p.ready.len().min(QUEUE_ITEMS);
    html! {
        <>
            <ol class="ready-queue ready-row" key={p.iteration.to_string()}>
                { for p.ready[..shown].iter().enumerate().map(|(i, item)| {
                    let first = i == 0;
                    html! {
                        <li class={classes!("q-item", first.then_some("first"))} data-label={item.clone()} style={format!("--i:{}", i.min(12))}>
                            if first { <span class="q-tag">{ t(lang, "picture.runs_first") }</span> }
                            { queue_item(lang, p, item) }
                        </li>
                    }
                }) }
            </ol>
            if p.ready.len() > shown {
                <p class="status">{ format!("… +{}", p.ready.len() - shown) }</p>
            }
        </>
    }
}

/// `step Task-2` with what Task-2 runs: `step Task-2 · func1(5)`.
fn queue_item(lang: Lang, p: &LoopPicture, item: &str) -> Html {
    let task = item.split_once(' ').and_then(|(verb, who)| {
        let verb = match verb {
            "step" => "queue.step",
            "wake" => "queue.wake",
            _ => return None,
        };
        p.call_of(who).map(|call| (verb, who, call))
    });
    match task {
        Some((verb, who, call)) => html! {
            <>
                <span class="q-verb">{ t(lang, verb) }</span>{ " " }
                <span class="q-task">{ who }</span>
                <span class="q-call">{ format!(" · {call}") }</span>
            </>
        },
        None => html! { <span class="q-verb">{ callback_words(lang, item) }</span> },
    }
}

/// Timers by deadline, and above them the clock line: now, and each
/// deadline ahead, so the clock is seen moving toward the next one.
fn timer_list(lang: Lang, p: &LoopPicture, now: f64) -> Html {
    if p.timers.is_empty() {
        return html! { <p class="empty">{ "—" }</p> };
    }
    let shown = &p.timers[..p.timers.len().min(QUEUE_ITEMS)];
    let last = shown.last().map_or(now, |(when, _)| *when);
    let span = (last - p.time).max(1e-9);
    let at = |time: f64| format!("{:.1}%", ((time - p.time) / span).clamp(0.0, 1.0) * 100.0);
    html! {
        <>
            <div class="clock-line" aria-hidden="true">
                { for shown.iter().map(|(when, _)| html! { <span class="clock-tick" style={format!("left:{}", at(*when))}></span> }) }
                <span class="clock-now" style={format!("left:{}", at(now))}></span>
            </div>
            <ol class="timers">
                { for shown.iter().map(|(when, what)| html! {
                    <li data-label={what.clone()}>
                        <span class="time">{ format!("t={}", py_float_repr(*when)) }</span>{ " " }{ queue_item(lang, p, what) }
                        <span class="countdown">{ format!(" · {}", t(lang, "run.due_in").replace("{s}", &format!("{:.1}", (when - now).max(0.0)))) }</span>
                    </li>
                }) }
            </ol>
            if p.timer_count > shown.len() {
                <p class="status">{ format!("… +{}", p.timer_count - shown.len()) }</p>
            }
        </>
    }
}

/// A state's icon: with its word and colour, never the colour alone.
fn icon(state: &str) -> &'static str {
    match state {
        "not-started" => "○",
        "running" => "▶",
        "waiting" => "◔",
        "ready" => "↻",
        "returned" => "✓",
        "raised" => "✗",
        "cancelled" => "⊘",
        _ => "·",
    }
}

fn task_node(lang: Lang, task: &TaskNode) -> Html {
    html! {
        <div class={classes!("g-node", "g-task", task.state, task.cancel_pending.then_some("cancel-pending"))} data-node={task.name.clone()}>
            <span class="g-icon" aria-hidden="true">{ icon(task.state) }</span>
            <span class="g-name">{ task.label() }</span>
            <span class="g-state">{ task_state_words(lang, task.state, task.detail.as_deref()) }</span>
            if task.cancel_pending {
                <span class="g-cancel">{ format!("⚠ {}", t(lang, "run.cancel_pending")) }</span>
            }
        </div>
    }
}

/// Tasks not done as a graph: each that nothing awaits is a root; under
/// a task, the combinator it awaits through and the tasks it awaits, or
/// the thing it waits for. Done tasks follow in a row of their own.
fn await_graph(lang: Lang, p: &LoopPicture) -> Html {
    let text = p.tree_text(lang).join("\n");
    let finished = &p.finished[..p.finished.len().min(FINISHED_ITEMS)];
    html! {
        <>
            if p.pending.is_empty() {
                <p class="empty">{ t(lang, "picture.no_pending") }</p>
            } else {
                <ul class="await-graph g-roots">
                    { for p.forest.roots.iter().map(|r| placed(lang, p, r)) }
                </ul>
            }
            if !p.forest.cycles.is_empty() {
                <p class="g-cycle-note">{ t(lang, "picture.cycle") }</p>
                <ul class="await-graph g-roots g-cycles">
                    { for p.forest.cycles.iter().map(|r| placed(lang, p, r)) }
                </ul>
            }
            if p.forest.cut {
                <p class="status">{ "…" }</p>
            }
            if !finished.is_empty() {
                <h4 class="g-finished-head">{ t(lang, "picture.finished") }</h4>
                <ul class="g-finished">
                    { for finished.iter().map(|task| html! { <li>{ task_node(lang, task) }</li> }) }
                </ul>
                if p.finished.len() > finished.len() {
                    <p class="status">{ format!("… +{}", p.finished.len() - finished.len()) }</p>
                }
            }
            <details class="await-text">
                <summary>{ t(lang, "picture.as_text") }</summary>
                <pre class="await-tree" tabindex="0">{ text }</pre>
            </details>
        </>
    }
}

fn placed(lang: Lang, p: &LoopPicture, at: &Placed) -> Html {
    let task = &p.pending[at.node];
    if at.closes_cycle {
        return html! {
            <li>
                <div class="g-node g-task g-cycle" data-node={task.name.clone()}>
                    <span class="g-icon" aria-hidden="true">{ "↺" }</span>
                    <span class="g-name">{ task.label() }</span>
                    <span class="g-state">{ t(lang, "picture.closes_cycle") }</span>
                </div>
            </li>
        };
    }
    let children: Html = at.children.iter().map(|c| placed(lang, p, c)).collect();
    let under = match (&task.through, at.children.is_empty()) {
        (Some(through), false) => html! {
            <ul class="g-children">
                <li>
                    <div class="g-node g-comb" data-node={through.clone()}>
                        <span class="g-icon" aria-hidden="true">{ "⋔" }</span>
                        <span class="g-name">{ through }</span>
                    </div>
                    <ul class="g-children">{ children }</ul>
                </li>
            </ul>
        },
        (None, false) => html! { <ul class="g-children">{ children }</ul> },
        // Waiting on no task: on a sleep, a future, a lock.
        _ => match (task.state, &task.detail) {
            ("waiting", Some(on)) => html! {
                <ul class="g-children">
                    <li><div class="g-node g-awaitable" data-node={on.clone()}><span class="g-name">{ future_words(lang, on) }</span></div></li>
                </ul>
            },
            _ => html! {},
        },
    };
    html! {
        <li>
            { task_node(lang, task) }
            { under }
        </li>
    }
}
