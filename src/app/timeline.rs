//! The timeline: one lane per task, its states drawn over virtual time,
//! with cancellations, exceptions, timeouts and await edges marked. Graph
//! mode draws the engine's run with it, code mode CPython's (both make
//! the same `Lane`s), so it takes the language as a prop, not the page's
//! context.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::snapshot::Lane;
use crate::engine::value::py_float_repr;
use crate::engine::ExcKind;
use crate::i18n::{t, Lang};

/// Shared, and equal only to itself: a prop that is cheap to pass and to
/// compare, for values that are replaced rather than changed (a snapshot,
/// the lanes of a run with 10,000 tasks).
pub struct Same<T>(pub Rc<T>);

impl<T> Clone for Same<T> {
    fn clone(&self) -> Self {
        Same(self.0.clone())
    }
}

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Same<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Default> Default for Same<T> {
    fn default() -> Self {
        Same(Rc::default())
    }
}

/// The words of one language.
#[derive(Clone, Copy)]
struct Words(Lang);

impl Words {
    fn t(&self, key: &str) -> String {
        t(self.0, key).to_string()
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub lanes: Same<Vec<Lane>>,
    /// The time shown.
    pub cursor: f64,
    /// The run's last moment.
    pub end: f64,
    pub lang: Lang,
}

/// Lanes drawn at most: more cannot be read, and would slow the page.
const MAX_LANES: usize = 200;

/// The drawing's geometry: width, lane height, label width (SVG units).
const TIMELINE_BOX: (f64, f64, f64) = (800.0, 22.0, 170.0);

/// Characters of a lane's label that fit its box (11 px monospace).
const LABEL_CHARS: usize = 24;

/// What a lane's label shows after the task's name: ` · func1()`, its
/// class left out (`shutdown_asyncgens()`) and cut to fit with an
/// ellipsis; the label's title holds it whole.
fn lane_call(lane: &Lane) -> String {
    let head = lane.call.find('(').unwrap_or(lane.call.len());
    let from = lane.call[..head].rfind('.').map_or(0, |dot| dot + 1);
    let call = &lane.call[from..];
    let room = LABEL_CHARS.saturating_sub(lane.name.chars().count() + 3);
    if call.chars().count() > room {
        let cut: String = call.chars().take(room.saturating_sub(1)).collect();
        format!(" · {cut}…")
    } else {
        format!(" · {call}")
    }
}

/// x of time `t` on a run ending at `end`.
fn timeline_x(t: f64, end: f64) -> f64 {
    let (width, _, label_w) = TIMELINE_BOX;
    label_w + (t / end.max(1e-9)) * (width - label_w - 10.0)
}

fn timeline_height(lanes: usize) -> f64 {
    TIMELINE_BOX.1 * lanes.min(MAX_LANES) as f64 + 24.0
}

/// The timeline: the run's drawing, and over it the time cursor. Moving
/// the cursor redraws only the cursor; the lanes of a big run stay put.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let ctx = Words(props.lang);
    let hidden = props.lanes.len().saturating_sub(MAX_LANES);
    let (width, _, _) = TIMELINE_BOX;
    let height = timeline_height(props.lanes.len());
    let x = timeline_x(props.cursor, props.end).to_string();
    html! {
        <div class="timeline-view">
            <div class="timeline-canvas">
                <TimelineDrawing lanes={props.lanes.clone()} end={props.end} lang={props.lang} />
                <svg viewBox={format!("0 0 {width} {height}")} class="timeline-cursor" aria-hidden="true">
                    <line x1={x.clone()} x2={x} y1="0" y2={height.to_string()} class="cursor-line" stroke="#b3261e" stroke-width="2" />
                </svg>
            </div>
            if hidden > 0 {
                <p class="status">{ format!("{} {hidden}", ctx.t("run.more_lanes")) }</p>
            }
            <TimelineLegend lang={props.lang} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TimelineDrawingProps {
    lanes: Same<Vec<Lane>>,
    end: f64,
    lang: Lang,
}

/// Marks of each kind drawn on a lane.
const LANE_MARKS: usize = 100;

/// The marks to draw at `times` (in order): one per pixel, since marks
/// at the same place hide each other (one cancel through layers of
/// gathers asks each task thousands of times at once), up to `LANE_MARKS`.
fn distinct_marks<'a, T: 'a>(
    marks: impl IntoIterator<Item = &'a T>,
    time: impl Fn(&T) -> f64,
    x: &impl Fn(f64) -> f64,
) -> Vec<&'a T> {
    let mut drawn: Vec<&T> = Vec::new();
    let mut last = f64::NEG_INFINITY;
    for m in marks {
        let at = x(time(m)).round();
        if at > last {
            drawn.push(m);
            last = at;
            if drawn.len() == LANE_MARKS {
                break;
            }
        }
    }
    drawn
}

/// A lane's segments as drawn: those narrower than a pixel are left out
/// (a task that sleeps 4,000 times has 8,000 of them, most of them
/// invisible and each an element), but never the last one, which shows
/// how the task ended.
fn drawn_segments<'a>(
    segments: &'a [(f64, f64, &'static str)],
    x: &'a impl Fn(f64) -> f64,
) -> impl Iterator<Item = &'a (f64, f64, &'static str)> + 'a {
    let last = segments.len().saturating_sub(1);
    segments
        .iter()
        .enumerate()
        .filter(move |(i, (from, to, _))| *i == last || x(*to) - x(*from) >= 1.0)
        .map(|(_, s)| s)
        .take(800)
}

/// One lane per task; states drawn by fill and by pattern, with a legend,
/// so colour is never the only cue.
#[component]
fn TimelineDrawing(props: &TimelineDrawingProps) -> Html {
    let ctx = Words(props.lang);
    let shown = &props.lanes[..props.lanes.len().min(MAX_LANES)];
    let (width, lane_h, label_w) = TIMELINE_BOX;
    let x = |t: f64| timeline_x(t, props.end);
    let height = timeline_height(props.lanes.len());
    html! {
            <svg viewBox={format!("0 0 {width} {height}")} role="img" aria-label={ctx.t("region.timeline")} class="timeline-svg">
                <defs>
                    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" fill="#dbe7f7" />
                        <line x1="0" y1="0" x2="0" y2="6" stroke="#7fa4d6" stroke-width="2" />
                    </pattern>
                    <pattern id="dots" width="6" height="6" patternUnits="userSpaceOnUse">
                        <rect width="6" height="6" fill="#fff4cc" />
                        <circle cx="3" cy="3" r="1.2" fill="#b08900" />
                    </pattern>
                    <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M0 0L8 4L0 8z" fill="#6a4c93" />
                    </marker>
                    // A long call is cut at the lanes' start; its title has it whole.
                    <clipPath id="lane-label-box"><rect width={(label_w - 4.0).to_string()} height={height.to_string()} /></clipPath>
                    <pattern id="cross" width="8" height="8" patternUnits="userSpaceOnUse">
                        <rect width="8" height="8" fill="#e4e4e4" />
                        <path d="M0 0L8 8M8 0L0 8" stroke="#999" stroke-width="1" />
                    </pattern>
                </defs>
                { for shown.iter().enumerate().map(|(i, lane)| {
                    let y = 4.0 + i as f64 * lane_h;
                    html! {
                        <g class="lane" data-task={lane.name.clone()}>
                            <text x="4" y={(y + 15.0).to_string()} class="lane-label" clip-path="url(#lane-label-box)">
                                { &lane.name }
                                if !lane.call.is_empty() {
                                    <tspan class="lane-call">{ lane_call(lane) }</tspan>
                                    <title>{ format!("{} · {}", lane.name, lane.call) }</title>
                                }
                            </text>
                            { for drawn_segments(&lane.segments, &x).map(|(from, to, key)| {
                                let (fill, extra) = segment_style(key);
                                let w = (x(*to) - x(*from)).max(2.0);
                                html! { <rect x={x(*from).to_string()} y={(y + 3.0).to_string()} width={w.to_string()} height={(lane_h - 6.0).to_string()}
                                              fill={fill} stroke="#555" stroke-width={extra} class={format!("seg {key}")}>
                                    <title>{ format!("{} {} → {}", key, py_float_repr(*from), py_float_repr(*to)) }</title>
                                </rect> }
                            }) }
                            { for distinct_marks(&lane.cancels, |t| *t, &x).into_iter().map(|t| mark(x(*t), y, "cancel-mark", "✕", ctx.t("mark.cancel_requested"))) }
                            { for distinct_marks(&lane.thrown, |(t, _)| *t, &x).into_iter().map(|(t, kind)| {
                                let (class, symbol, key) = if *kind == ExcKind::CancelledError {
                                    ("landed-mark", "◉", "mark.cancel_landed")
                                } else {
                                    ("thrown-mark", "!", "mark.exception_landed")
                                };
                                mark(x(*t), y, class, symbol, format!("{}: {}", ctx.t(key), kind.name()))
                            }) }
                            { for distinct_marks(&lane.timeouts, |t| *t, &x).into_iter().map(|t| mark(x(*t), y, "timeout-mark", "⏱", ctx.t("mark.timeout"))) }
                        </g>
                    }
                }) }
                <g class="await-edges">
                    { for shown.iter().enumerate().flat_map(|(i, lane)| lane.awaits.iter().map(move |(t, to)| (i, *t, *to))).filter(|(_, _, to)| to.index() < shown.len()).map(|(from, t, to)| {
                        let centre = |lane: usize| 4.0 + lane as f64 * lane_h + lane_h / 2.0;
                        html! { <line x1={x(t).to_string()} x2={x(t).to_string()} y1={centre(from).to_string()} y2={centre(to.index()).to_string()}
                                      class="await-edge" marker-end="url(#arrow)" /> }
                    }) }
                </g>
                <text x={label_w.to_string()} y={(height - 4.0).to_string()} class="axis">{ "t=0" }</text>
                <text x={(width - 60.0).to_string()} y={(height - 4.0).to_string()} class="axis">{ format!("t={}", py_float_repr(props.end)) }</text>
            </svg>
    }
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    lang: Lang,
}

#[component]
fn TimelineLegend(props: &LegendProps) -> Html {
    let ctx = Words(props.lang);
    html! {
            <ul class="legend">
                { for ["not-started", "running", "waiting", "ready", "returned", "raised", "cancelled"].iter().map(|key| {
                    let (fill, extra) = segment_style(key);
                    html! { <li><svg width="18" height="12" aria-hidden="true"><rect width="18" height="12" fill={fill} stroke="#555" stroke-width={extra} /></svg>
                        { ctx.t(&format!("state.{}", key.replace('-', "_"))) }</li> }
                }) }
                <li><svg width="18" height="12" aria-hidden="true"><line x1="9" x2="9" y1="0" y2="12" class="await-edge" /></svg>{ ctx.t("mark.awaits") }</li>
                { for [("cancel-mark", "✕", "mark.cancel_requested"), ("landed-mark", "◉", "mark.cancel_landed"), ("thrown-mark", "!", "mark.exception_landed"), ("timeout-mark", "⏱", "mark.timeout")].iter().map(|(class, symbol, key)| html! {
                    <li><span class={classes!("legend-mark", *class)} aria-hidden="true">{ *symbol }</span>{ ctx.t(key) }</li>
                }) }
            </ul>
    }
}

/// A symbol on a lane at a moment, with its meaning as a tooltip.
fn mark(x: f64, y: f64, class: &'static str, symbol: &'static str, title: String) -> Html {
    html! {
        <text x={(x - 4.0).to_string()} y={(y + 16.0).to_string()} class={class}>{ symbol }<title>{ title }</title></text>
    }
}

/// Fill and border width per state: patterns and borders differ too.
fn segment_style(key: &str) -> (&'static str, &'static str) {
    match key {
        "not-started" => ("#ffffff", "1"),
        "running" => ("#1d4e89", "0"),
        "waiting" => ("url(#hatch)", "0.5"),
        "ready" => ("url(#dots)", "0.5"),
        "returned" => ("#cfe9d6", "2"),
        "raised" => ("#f3c2bd", "3"),
        _ => ("url(#cross)", "1"),
    }
}
