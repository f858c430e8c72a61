//! Watching the loop: the player (controls, live runs, the time cursor)
//! and the views that follow it: the event-loop panel, the await tree, the
//! timeline and the output.
//!
//! The player owns a `Simulation` and a `Recording` of snapshots. Each
//! edit records the new program to its end at once, so the views follow
//! the edit; Reset rewinds to t=0 for stepping or a live run, which the
//! browser driver (`live.rs`) performs on the microtask queue.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::fields::Select;
use super::loop_picture::{LoopPicture, LoopPictureView, TaskNode};
use super::panels::{capped, output_line, OUTPUT_HEAD, OUTPUT_TAIL};
pub use super::timeline::Same;
use super::timeline::Timeline;
use super::{AppContext, Ending, Handoff, RunContext};
use crate::engine::aio::CombKind;
use crate::engine::snapshot::{
    lanes, simulation_at, snapshot_at_with, Lane, Mark, Recording, Snapshot, TaskState,
};
use crate::engine::snapshot::{JobStatus, ResultView, SideThread, TaskView};
use crate::engine::trace::Told;
use crate::engine::value::py_float_repr;
use crate::engine::{Program, Simulation, Status, TaskId};
use crate::i18n::{say, Lang};
use crate::live::{drive_watching, LiveControl};

/// The run being watched.
pub struct Player {
    program: Rc<Program>,
    sim: Option<Rc<RefCell<Simulation>>>,
    pub recording: Recording,
    /// The mark shown; `None` follows the newest moment.
    pub cursor: Option<usize>,
    /// How many moments the whole run has, as the run to the end made
    /// before a Reset found them: the time cursor spans them all while a
    /// live run or steps make them again.
    whole: usize,
    /// Cancellations asked for from outside, `(after iterations, task)`,
    /// so replaying an earlier moment replays them too.
    cancels: Vec<(u32, TaskId)>,
    /// Replayed moments by mark index, oldest first, within a budget of
    /// task views (see `REPLAY_CACHE_TASKS`).
    replayed: Vec<(usize, Same<Snapshot>)>,
    /// The newest moment's snapshot, by the trace length it was taken at.
    latest: Option<(usize, Same<Snapshot>)>,
    pub control: Rc<LiveControl>,
    pub live: bool,
    lines: Vec<(f64, String)>,
    /// What the loop did, in plain words: `(trace event, time, sentence)`.
    log: Vec<Told>,
    lanes: Same<Vec<Lane>>,
    /// A live cancel that raised, as CPython's does when tasks wait for
    /// each other: the task, and the cycle its cancel went round.
    cancel_raised: Option<(String, String)>,
}

impl Player {
    /// A player for `program`, recorded to its end: the run recorded once
    /// per edit (`app::record`), if `recorded` holds it, or a run of its own.
    fn new(program: Rc<Program>, recorded: &Handoff) -> Player {
        let mut player = Player::unstarted(program);
        match recorded.take(&player.program) {
            Some(run) => {
                player.sim = Some(Rc::new(RefCell::new(run.sim)));
                player.recording = run.recording;
            }
            None => {
                player.reset();
                if let Some(sim) = &player.sim {
                    player.recording = sim.borrow_mut().record();
                }
            }
        }
        player.whole = player.recording.marks.len();
        player.refresh();
        player
    }

    /// A player with no simulation yet.
    fn unstarted(program: Rc<Program>) -> Player {
        Player {
            program,
            sim: None,
            recording: Recording::default(),
            cursor: None,
            whole: 0,
            cancels: Vec::new(),
            replayed: Vec::new(),
            latest: None,
            control: Rc::new(LiveControl::default()),
            live: false,
            lines: Vec::new(),
            log: Vec::new(),
            lanes: Same::default(),
            cancel_raised: None,
        }
    }

    /// A player at the run's start, as a first visit opens: the whole run
    /// is measured later (`measure_whole`), so that recording it to its end
    /// does not hold back the page's first picture.
    fn at_start(program: Rc<Program>, speed: f64) -> Player {
        let mut player = Player::unstarted(program);
        player.reset();
        player.control.speed.set(speed);
        player
    }

    /// Counts the whole run's moments, for the time cursor to span them.
    fn measure_whole(&mut self) {
        if let Ok(mut sim) = Simulation::new((*self.program).clone()) {
            self.whole = sim.record().marks.len();
        }
    }

    /// A player showing the first moment the clock reaches `moment`, or
    /// following the end when there is none, that runs live at `speed`.
    fn at_moment(
        program: Rc<Program>,
        recorded: &Handoff,
        moment: Option<f64>,
        speed: f64,
    ) -> Player {
        let mut player = Player::new(program, recorded);
        player.control.speed.set(speed);
        if let Some(t) = moment {
            player.cursor = player.recording.marks.iter().position(|m| m.time >= t);
        }
        player
    }

    fn reset(&mut self) {
        self.new_control();
        self.sim = Simulation::new((*self.program).clone()).ok().map(|mut s| {
            // The Python view marks the line each task is at.
            s.track_positions();
            Rc::new(RefCell::new(s))
        });
        self.recording = Recording::default();
        self.cursor = None;
        self.cancels.clear();
        self.replayed.clear();
        self.latest = None;
        self.live = false;
        self.cancel_raised = None;
        self.snap();
    }

    /// Marks the simulation's current moment and refreshes the views' text.
    fn snap(&mut self) {
        if let Some(sim) = &self.sim {
            sim.borrow().mark(&mut self.recording);
        }
        self.refresh();
    }

    fn refresh(&mut self) {
        if let Some(sim) = &self.sim {
            let sim = sim.borrow();
            sim.with_loop(|l| {
                self.lines = l.output.iter().map(|o| (o.time, o.text.clone())).collect();
                self.lanes = Same(Rc::new(lanes(l)));
                self.log = l.narrative();
            });
        }
    }

    fn at_latest(&self) -> bool {
        self.cursor
            .is_none_or(|c| c + 1 >= self.recording.marks.len())
    }

    /// The moment shown: the live one, or an earlier one replayed.
    fn shown(&mut self) -> Option<(Mark, Same<Snapshot>)> {
        let sim = self.sim.clone()?;
        if self.at_latest() {
            let sim = sim.borrow();
            let mut mark = Recording::default();
            sim.mark(&mut mark);
            let mark = mark.marks[0];
            // Rebuilt only when the run moved on: a render for another
            // reason reuses it.
            let snapshot = match &self.latest {
                Some((events, s)) if *events == mark.events => s.clone(),
                _ => Same(Rc::new(sim.snapshot())),
            };
            self.latest = Some((mark.events, snapshot.clone()));
            return Some((mark, snapshot));
        }
        let i = self.cursor?;
        let mark = *self.recording.marks.get(i)?;
        if let Some((_, snapshot)) = self.replayed.iter().find(|(j, _)| *j == i) {
            return Some((mark, snapshot.clone()));
        }
        let snapshot = Same(Rc::new(snapshot_at_with(
            &self.program,
            mark.iteration,
            &self.cancels,
        )?));
        self.replayed.push((i, snapshot.clone()));
        while self
            .replayed
            .iter()
            .map(|(_, s)| s.tasks.len())
            .sum::<usize>()
            > REPLAY_CACHE_TASKS
            && self.replayed.len() > 1
        {
            self.replayed.remove(0);
        }
        Some((mark, snapshot))
    }

    /// Showing an earlier moment, the run goes on from there: the run is
    /// replayed to it (with the cancels made by then) and the moments
    /// after it are dropped, to be made again.
    fn go_on_from_cursor(&mut self) {
        let Some(i) = self.cursor.filter(|_| !self.at_latest()) else {
            return;
        };
        let Some(mark) = self.recording.marks.get(i).copied() else {
            return;
        };
        self.cancels.retain(|(at, _)| *at <= mark.iteration);
        let Some(sim) = simulation_at(&self.program, mark.iteration, &self.cancels) else {
            return;
        };
        self.new_control();
        // The moment shown is marked again as the replay has it: a live
        // slice may have marked it partway through an iteration.
        self.recording.marks.truncate(i);
        sim.mark(&mut self.recording);
        self.sim = Some(Rc::new(RefCell::new(sim)));
        self.replayed.retain(|(j, _)| *j <= i);
        self.cursor = None;
        self.latest = None;
        self.live = false;
        self.cancel_raised = None;
        self.refresh();
    }

    /// A control of its own for the run about to start: a live driver
    /// still on its way out stops at the old one's pause, and never
    /// picks up the new run's un-pausing.
    fn new_control(&mut self) {
        self.control.paused.set(true);
        let control = LiveControl::default();
        control.speed.set(self.control.speed.get());
        control.paused.set(true);
        self.control = Rc::new(control);
    }

    pub fn status(&self) -> Option<Status> {
        self.sim.as_ref().map(|s| s.borrow().status().clone())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Command {
    Run,
    Pause,
    Step,
    NextEvent,
    RunToEnd,
    Reset,
}

/// Keys for the commands; listed in the UI.
const SHORTCUTS: [(&str, Command); 6] = [
    ("p", Command::Run),
    (" ", Command::Pause),
    ("s", Command::Step),
    ("n", Command::NextEvent),
    ("e", Command::RunToEnd),
    ("r", Command::Reset),
];

#[component]
pub fn RunPanel() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let run_ctx = use_context::<RunContext>().expect("RunContext");
    let player = use_mut_ref(|| {
        if run_ctx.first_visit.replace(false) {
            // A newcomer sees the loop before it runs, and Run or Step.
            Player::at_start(ctx.program.clone(), *run_ctx.speed)
        } else {
            Player::at_moment(
                ctx.program.clone(),
                &ctx.recorded,
                *run_ctx.moment,
                *run_ctx.speed,
            )
        }
    });
    let tick = use_state(|| 0u32);
    let story_open = use_state(|| false);
    let redraw = {
        let tick = tick.clone();
        Rc::new(move || tick.set(tick.wrapping_add(1)))
    };
    {
        // Only a first visit's player starts with the whole run unmeasured.
        let player = player.clone();
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            if player.borrow().whole == 0 {
                crate::app::after_paint(move || {
                    player.borrow_mut().measure_whole();
                    redraw();
                });
            }
        });
    }
    {
        // Every edit: record the new program to its end at once.
        let player = player.clone();
        let redraw = redraw.clone();
        // A link may point at a moment, and an edit keeps the moment shown
        // and the speed chosen.
        let (moment, speed) = (*run_ctx.moment, *run_ctx.speed);
        let recorded = ctx.recorded.clone();
        use_effect_with(ctx.program.clone(), move |program| {
            // The effect also runs on mount, for the program the player
            // was just made with: running it again would double the work
            // of opening a page.
            if !Rc::ptr_eq(&player.borrow().program, program) {
                *player.borrow_mut() = Player::at_moment(program.clone(), &recorded, moment, speed);
                redraw();
            }
        });
    }
    let command = {
        let player = player.clone();
        let redraw = redraw.clone();
        Callback::from(move |command: Command| run_command(&player, command, redraw.clone()))
    };
    use_run_shortcuts(command.clone());

    let shown = player.borrow_mut().shown();
    let p = player.borrow();
    let speed = *run_ctx.speed;
    let on_speed = {
        let player = player.clone();
        let handle = run_ctx.speed.clone();
        Callback::from(move |v: String| {
            if let Ok(s) = v.parse::<f64>() {
                player.borrow().control.speed.set(s);
                handle.set(s);
            }
        })
    };
    let on_cursor = {
        let player = player.clone();
        let redraw = redraw.clone();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(i) = value.parse::<usize>() {
                let mut p = player.borrow_mut();
                p.cursor = if i + 1 >= p.recording.marks.len() {
                    None
                } else {
                    Some(i)
                };
                drop(p);
                redraw();
            }
        })
    };
    let button = |label_key: &str, command_: Command, key: &str| {
        let command = command.clone();
        html! {
            <button onclick={Callback::from(move |_| command.emit(command_))} aria-keyshortcuts={key.to_string()}>
                { ctx.t(label_key) }
            </button>
        }
    };
    let count = p.recording.marks.len();
    {
        let positions: Vec<(u32, u32)> = shown
            .as_ref()
            .map(|(_, s)| {
                s.tasks
                    .iter()
                    .filter(|t| !t.state.is_done())
                    .filter_map(|t| t.at)
                    .collect()
            })
            .unwrap_or_default();
        let handle = run_ctx.positions.clone();
        use_effect_with(positions, move |positions| {
            if *handle != *positions {
                handle.set(positions.clone());
            }
        });
        // The moment a link would point at: none while following the end.
        let moment = if p_at_latest(&player) {
            None
        } else {
            shown.as_ref().map(|(_, s)| s.time)
        };
        let handle = run_ctx.moment.clone();
        use_effect_with(moment.map(f64::to_bits), move |bits| {
            let moment = bits.map(f64::from_bits);
            if *handle != moment {
                handle.set(moment);
            }
        });
    }
    let index = p.cursor.unwrap_or(count.saturating_sub(1));
    // The events of the iteration that led here: from the moment before.
    let summary_from = index
        .checked_sub(1)
        .and_then(|i| p.recording.marks.get(i))
        .map_or(0, |m| m.events);
    let waited = p.control.waited.get();
    let waiting_at = (p.live && p.at_latest() && waited > 0.0)
        .then(|| shown.as_ref().map(|(_, s)| (s.time + waited).to_bits()))
        .flatten();
    // Once the run has ended, its own moments (a live cancel can make it
    // longer or shorter than the whole run was).
    let running = p.sim.as_ref().is_some_and(|s| s.borrow().is_running());
    let span = if running { count.max(p.whole) } else { count };
    let status = p.status();
    let mut speeds = vec![0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];
    // A link may ask for a speed between these.
    if !speeds.contains(&speed) {
        speeds.push(speed);
        speeds.sort_by(f64::total_cmp);
    }
    let speeds: Vec<(String, String)> = speeds
        .iter()
        .map(|s| (s.to_string(), format!("{s}×")))
        .collect();
    // The story is worded only while it is open: 300 sentences on every
    // redraw of a live run were a good part of a frame.
    let on_story = {
        let story_open = story_open.clone();
        Callback::from(move |open: bool| story_open.set(open))
    };
    // How the run ended, once the moment shown is its end.
    let ending = (!running && p.at_latest())
        .then(|| p.sim.as_ref().map(|sim| Ending::of(&sim.borrow())))
        .flatten();
    html! {
        <>
        <section id="loop" class="region loop" aria-label={ctx.t("region.loop")}>
            <h2>{ ctx.t("region.loop") }</h2>
        <div class="run-panel">
            <div class="controls" role="toolbar" aria-label={ctx.t("run.controls")}>
                if p.live && !p.control.paused.get() {
                    { button("run.pause", Command::Pause, "Space") }
                } else {
                    { button("run.run", Command::Run, "P") }
                }
                { button("run.step", Command::Step, "S") }
                { button("run.next_event", Command::NextEvent, "N") }
                { button("run.run_to_end", Command::RunToEnd, "E") }
                { button("run.reset", Command::Reset, "R") }
                <Select label={ctx.t("run.speed")} value={speed.to_string()} options={speeds} on_change={on_speed} />
                <span class="shortcuts">{ ctx.t("run.shortcuts") }</span>
            </div>
            <label class="field cursor">
                <span class="field-label">{ format!("{} t={}", ctx.t("run.moment"), match waiting_at {
                    Some(bits) => format!("{:.1}", f64::from_bits(bits)),
                    None => shown.as_ref().map_or("0.0".into(), |(_, s)| py_float_repr(s.time)),
                }) }</span>
                <input type="range" min="0" max={span.saturating_sub(1).to_string()} value={index.to_string()} oninput={on_cursor} />
            </label>
            if let Some((mark, snapshot)) = &shown {
                <p class="iteration-summary" data-testid="iteration-summary">{ iteration_summary(&ctx, &p, mark.iteration, summary_from, mark.events) }</p>
                <LoopView snapshot={snapshot.clone()} status={status.clone()} latest={p.at_latest()} player={PlayerHandle(player.clone(), redraw.clone())} {waiting_at} />
                <Timeline lanes={p.lanes.clone()} cursor={snapshot.time} end={p.recording.end_time()} lang={ctx.lang} />
            }
        </div>
        </section>
        <section id="output" class="region output" aria-label={ctx.t("region.output")}>
            <h2>{ ctx.t("region.output") }</h2>
            if let Some((mark, _)) = &shown {
                <OutputView lines={p.lines[..mark.printed.min(p.lines.len())].to_vec()} log={if *story_open { recent_log(&p, mark.events, ctx.lang) } else { Vec::new() }} {ending} live={p.live} on_story={on_story} story_open={*story_open} />
            }
        </section>
        </>
    }
}

fn run_command(player: &Rc<RefCell<Player>>, command: Command, redraw: Rc<dyn Fn()>) {
    let mut p = player.borrow_mut();
    if matches!(
        command,
        Command::Run | Command::Step | Command::NextEvent | Command::RunToEnd
    ) {
        p.go_on_from_cursor();
    }
    let Some(sim) = p.sim.clone() else { return };
    match command {
        Command::Reset => p.reset(),
        Command::Pause => {
            p.control.paused.set(true);
            p.live = false;
        }
        Command::Step | Command::NextEvent | Command::RunToEnd => {
            p.control.paused.set(true);
            p.live = false;
            p.cursor = None;
            match command {
                Command::Step => {
                    sim.borrow_mut().run_once();
                    p.snap();
                }
                Command::NextEvent => {
                    sim.borrow_mut().run_until_next_event();
                    p.snap();
                }
                _ => {
                    while sim.borrow().is_running() {
                        sim.borrow_mut().run_once();
                        p.snap();
                    }
                }
            }
        }
        Command::Run => {
            if p.live || !sim.borrow().is_running() {
                return;
            }
            p.control.paused.set(false);
            p.live = true;
            p.cursor = None;
            let control = p.control.clone();
            let player = player.clone();
            let redraw2 = redraw.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let redraw3 = redraw2.clone();
                drive_watching(
                    &sim,
                    &control,
                    || {
                        if let Ok(mut p) = player.try_borrow_mut() {
                            p.snap();
                        }
                        redraw2();
                    },
                    // While the loop waits for a timer, its clock moves on.
                    move || redraw3(),
                )
                .await;
                if let Ok(mut p) = player.try_borrow_mut() {
                    p.live = false;
                    p.snap();
                }
                redraw2();
            });
        }
    }
    drop(p);
    redraw();
}

fn p_at_latest(player: &Rc<RefCell<Player>>) -> bool {
    player.borrow().at_latest()
}

/// Replayed moments kept, counted in task views: dragging back and forth
/// over a big run then costs a lookup, and memory stays bounded.
const REPLAY_CACHE_TASKS: usize = 400_000;

/// Log lines shown: the last ones up to the cursor (a long run's whole log
/// would be megabytes of text to redraw on every move).
const LOG_LINES: usize = 300;
/// Task rows shown in the loop panel.
const TASK_ROWS: usize = 200;
/// gather / wait / as_completed calls shown with their results.
const RESULT_VIEWS: usize = 50;

/// Sentences of the last iteration told in the one-line summary; the
/// story below has them all.
const SUMMARY_ITEMS: usize = 6;

/// What the iteration that led to the moment shown did, in one line:
/// the story's sentences for events `from..to`.
fn iteration_summary(
    ctx: &AppContext,
    player: &Player,
    iteration: u32,
    from: usize,
    to: usize,
) -> String {
    if iteration == 0 {
        return ctx.t("run.nothing_yet");
    }
    let Some(sim) = &player.sim else {
        return String::new();
    };
    let log = &player.log;
    let (start, end) = (
        log.partition_point(|told| told.event < from),
        log.partition_point(|told| told.event < to),
    );
    let told = &log[start..end.max(start)];
    let mut said: Vec<String> = sim.borrow().with_loop(|l| {
        told.iter()
            .take(SUMMARY_ITEMS)
            .map(|t| say(ctx.lang, &l.said(t)))
            .collect()
    });
    if told.len() > SUMMARY_ITEMS {
        said.push(format!("… +{}", told.len() - SUMMARY_ITEMS));
    }
    crate::i18n::fill(
        &ctx.t("run.iteration_did"),
        &[
            ("n", &iteration.to_string()),
            ("said", &said.join(&ctx.t("run.said_then"))),
        ],
    )
}

/// The story's last lines up to event `events`, in words.
fn recent_log(player: &Player, events: usize, lang: Lang) -> Vec<String> {
    let Some(sim) = &player.sim else {
        return Vec::new();
    };
    let log = &player.log;
    let end = log.partition_point(|told| told.event < events);
    sim.borrow().with_loop(|l| {
        log[end.saturating_sub(LOG_LINES)..end]
            .iter()
            .map(|told| {
                format!(
                    "t={} {}",
                    py_float_repr(told.time),
                    say(lang, &l.said(told))
                )
            })
            .collect()
    })
}

/// The player and a way to redraw, for views that act on the run.
#[derive(Clone)]
pub struct PlayerHandle(Rc<RefCell<Player>>, Rc<dyn Fn()>);

impl PartialEq for PlayerHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct LoopViewProps {
    snapshot: Same<Snapshot>,
    status: Option<Status>,
    /// Showing the newest moment (tasks can be cancelled only then).
    latest: bool,
    player: PlayerHandle,
    /// While a live run waits for a timer: the virtual time now (the
    /// snapshot's time plus what has been waited), as bits.
    waiting_at: Option<u64>,
}

#[component]
fn LoopView(props: &LoopViewProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let s = &props.snapshot;
    let now = props.waiting_at.map(f64::from_bits);
    let running = props.status == Some(Status::Running);
    let pictures = {
        let program = ctx.program.clone();
        use_memo(props.snapshot.clone(), move |s| {
            let picture = loop_picture(&program, s);
            let side = s.side.as_ref().map(|side| {
                // Its queues only: the tasks are there for what they run.
                let tasks = picture.pending.iter().chain(&picture.finished);
                let tasks = tasks.map(|t| TaskNode {
                    awaits: Vec::new(),
                    ..t.clone()
                });
                Same(Rc::new(LoopPicture::new(
                    side.iteration,
                    s.time,
                    side.ready.clone(),
                    side.timers.clone(),
                    side.timers.len(),
                    tasks.collect(),
                )))
            });
            (Same(Rc::new(picture)), side)
        })
    };
    let (picture, side_picture) = &*pictures;
    let cancel = |task: TaskId| {
        let PlayerHandle(player, redraw) = props.player.clone();
        Callback::from(move |_| {
            let sim = player.borrow().sim.clone();
            if let Some(sim) = sim {
                let done = sim.borrow().with_loop(|l| l.iteration);
                let answer = sim.borrow_mut().cancel_now(task);
                let mut p = player.borrow_mut();
                p.cancel_raised = answer.err().map(|_| {
                    sim.borrow()
                        .with_loop(|l| (l.task(task).name.to_string(), l.describe_cancel_cycle()))
                });
                p.cancels.push((done, task));
                p.snap();
                drop(p);
                redraw();
            }
        })
    };
    html! {
        <div class="loop-view" aria-label={ctx.t("region.loop")}>
            <p class="clock">
                <span data-testid="clock">{ match now {
                    Some(now) => format!("t={now:.1}"),
                    None => format!("t={}", py_float_repr(s.time)),
                } }</span>
                { " · " }
                <span data-testid="iteration">{ format!("{} {}", ctx.t("run.iteration"), s.iteration) }</span>
            </p>
            if let Some((task, cycle)) = props.player.0.borrow().cancel_raised.clone() {
                <p class="notice cancel-raised" role="alert">
                    { format!("{}. {}", ctx.t("cancel.raised").replace("{task}", &task), ctx.t("cancel.cycle").replace("{tasks}", &cycle)) }
                </p>
            }
            <LoopPictureView picture={picture.clone()} now={props.waiting_at} lang={ctx.lang} />
            <h3>{ ctx.t("run.tasks") }</h3>
            <table class="tasks">
                <thead><tr><th>{ ctx.t("label.task") }</th><th>{ ctx.t("run.state") }</th><th><span class="sr-only">{ ctx.t("run.cancel_now") }</span></th></tr></thead>
                <tbody>
                    { for s.tasks.iter().take(TASK_ROWS).map(|t| html! {
                        <tr class={classes!("task-row", t.state.key())} data-task={t.name.clone()}>
                            <td>
                                <span class="task-name">{ &t.name }</span>
                                <span class="task-call">{ format!(" · {}", task_call(&ctx.program, &s.tasks, t)) }</span>
                                if t.coro.is_none() { <span class="shutdown-note">{ format!(" ({})", ctx.t("run.shutdown_task")) }</span> }
                                if t.on_side { <span class="on-side">{ format!(" · {}", ctx.t("run.on_side")) }</span> }
                            </td>
                            <td class="state">{ state_text(&ctx, &t.state) }{ if t.cancel_pending { format!(" · {}", ctx.t("run.cancel_pending")) } else { String::new() } }</td>
                            <td>
                                if running && props.latest && !t.state.is_done() {
                                    <button onclick={cancel(t.id)} aria-label={format!("{} {}", ctx.t("run.cancel_now"), t.name)}>{ ctx.t("run.cancel_now") }</button>
                                }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if s.tasks.len() > TASK_ROWS {
                <p class="status">{ format!("… +{}", s.tasks.len() - TASK_ROWS) }</p>
            }
            if let Some(side) = &s.side {
                <h3>{ ctx.t("side.title") }</h3>
                <div class="side-loop" aria-label={ctx.t("side.title")}>
                    <p class="side-thread" data-testid="side-thread">
                        { format!("{} {} · ", ctx.t("run.iteration"), side.iteration) }
                        { side_thread_text(&ctx, side.thread) }
                    </p>
                    if let Some(side_picture) = side_picture {
                        <LoopPictureView picture={side_picture.clone()} lang={ctx.lang} with_graph={false} heading="h4" />
                    }
                </div>
            }
            if !s.jobs.is_empty() {
                <h3>{ ctx.t("threads.title") }</h3>
                <ul class="jobs" aria-label={ctx.t("threads.title")}>
                    { for s.jobs.iter().map(|j| html! {
                        <li class="job-row"><span class="job-name">{ format!("{}()", j.name) }</span>{ " " }{ job_status_text(&ctx, &j.state) }</li>
                    }) }
                </ul>
            }
            if !s.results.is_empty() {
                <h3>{ ctx.t("run.results") }</h3>
                <ul class="results">{ capped(&ctx, &s.results, RESULT_VIEWS, 0, |r| result_view(&ctx, r)) }</ul>
            }
        </div>
    }
}

/// One gather / wait / as_completed call: its result list in argument
/// order, its done and pending sets, or the order its tasks finished in.
fn result_view(ctx: &AppContext, r: &ResultView) -> Html {
    let outcome = |i: usize| {
        let item = &r.items[i];
        match &item.outcome {
            Some(o) if item.done => format!("{} → {o}", item.name),
            _ => format!("{} ({})", item.name, ctx.t("run.result_pending")),
        }
    };
    let names = |done: bool| {
        let names: Vec<&str> = r
            .items
            .iter()
            .filter(|i| i.done == done)
            .map(|i| i.name.as_str())
            .collect();
        format!("{{{}}}", names.join(", "))
    };
    let state = ctx.t(if r.finished {
        "run.result_returned"
    } else {
        "run.result_waiting"
    });
    let body = match r.kind {
        CombKind::Wait => html! {
            <p>
                <span class="done-set">{ format!("{}: {}", ctx.t("run.done_set"), names(true)) }</span>
                { " · " }
                <span class="pending-set">{ format!("{}: {}", ctx.t("run.pending_set"), names(false)) }</span>
            </p>
        },
        CombKind::AsCompleted => html! {
            <>
                <span class="result-note">{ ctx.t("run.finish_order") }</span>
                <ol class="result-items">{ for r.completion_order.iter().map(|i| html! { <li>{ outcome(*i) }</li> }) }</ol>
            </>
        },
        _ => html! {
            <>
                <span class="result-note">{ ctx.t("run.result_list") }</span>
                <ol class="result-items" start="0">{ for (0..r.items.len()).map(|i| html! { <li>{ outcome(i) }</li> }) }</ol>
            </>
        },
    };
    html! {
        <li class="result" data-kind={r.kind.python_name()}>
            <strong>{ format!("{} · {}", r.caller, r.kind.python_name()) }</strong>{ format!(" ({state})") }
            { body }
            if r.more > 0 {
                <span class="result-note">{ format!("… {} {}", r.more, ctx.t("run.more_items")) }</span>
            }
        </li>
    }
}

fn side_thread_text(ctx: &AppContext, thread: SideThread) -> String {
    match thread {
        SideThread::Starting => ctx.t("side.starting"),
        SideThread::Waiting => ctx.t("side.waiting"),
        SideThread::Woken => ctx.t("side.woken"),
        SideThread::Holding(t) => format!("{} t={}", ctx.t("side.holding"), py_float_repr(t)),
        SideThread::WaitingUntil(t) => {
            format!("{} t={}", ctx.t("side.waiting_until"), py_float_repr(t))
        }
        SideThread::Stopped => ctx.t("side.stopped"),
    }
}

fn job_status_text(ctx: &AppContext, state: &JobStatus) -> String {
    match state {
        JobStatus::Queued => ctx.t("threads.queued"),
        JobStatus::Running => ctx.t("threads.running"),
        JobStatus::Sleeping(until) => {
            format!("{} t={}", ctx.t("threads.sleeping"), py_float_repr(*until))
        }
        JobStatus::Ended(state) => state_text(ctx, state),
        JobStatus::Cancelled => ctx.t("threads.cancelled"),
    }
}

/// The snapshot as the loop picture draws it.
fn loop_picture(program: &Program, s: &Snapshot) -> LoopPicture {
    let tasks = s
        .tasks
        .iter()
        .map(|task| {
            let (state, detail) = match &task.state {
                TaskState::Waiting { on } => ("waiting", Some(on.clone())),
                TaskState::Returned(v) | TaskState::Raised(v) => {
                    (task.state.key(), Some(v.clone()))
                }
                other => (other.key(), None),
            };
            TaskNode {
                name: task.name.clone(),
                call: task_call(program, &s.tasks, task),
                state,
                detail,
                cancel_pending: task.cancel_pending,
                through: task.through.map(|k| k.python_name().to_string()),
                awaits: task.awaits.iter().map(|id| id.index()).collect(),
            }
        })
        .collect();
    LoopPicture::new(
        s.iteration,
        s.time,
        s.ready.clone(),
        s.timers.clone(),
        s.timers.len(),
        tasks,
    )
}

/// What a task runs, as code mode shows CPython's (`func1_5()`): its
/// coroutine; a task of the loop's own is one of `asyncio.run`'s two
/// shutdown steps, made in this order.
fn task_call(program: &Program, tasks: &[TaskView], task: &TaskView) -> String {
    let shutdowns_before = match task.coro {
        Some(_) => 0,
        None => tasks
            .iter()
            .take_while(|t| t.id != task.id)
            .filter(|t| t.coro.is_none())
            .count(),
    };
    crate::engine::snapshot::task_call(program, task.coro, shutdowns_before)
}

fn state_text(ctx: &AppContext, state: &TaskState) -> String {
    let detail = match state {
        TaskState::Waiting { on: detail }
        | TaskState::Returned(detail)
        | TaskState::Raised(detail) => Some(detail.as_str()),
        _ => None,
    };
    crate::i18n::task_state_words(ctx.lang, state.key(), detail)
}

#[derive(Properties, PartialEq)]
struct OutputViewProps {
    lines: Vec<(f64, String)>,
    log: Vec<String>,
    /// How the run ended, when the moment shown is its end.
    ending: Option<Ending>,
    live: bool,
    story_open: bool,
    on_story: Callback<bool>,
}

/// What the program printed up to the moment shown, and the loop's story.
#[component]
fn OutputView(props: &OutputViewProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let status = match &props.ending {
        Some(ending) => super::panels::ending_text(&ctx, ending),
        None if props.live => String::new(),
        None => ctx.t("output.so_far"),
    };
    html! {
        <div class="output-view run-output">
            if props.lines.is_empty() {
                <p class="empty">{ ctx.t(if props.ending.is_some() { "output.empty" } else { "output.empty_yet" }) }</p>
            } else {
                <ol class="output-lines run-lines" aria-label={ctx.t("region.output")}>
                    { capped(&ctx, &props.lines, OUTPUT_HEAD, OUTPUT_TAIL, output_line) }
                </ol>
            }
            <p class="status" role="status">{ status }</p>
            <details class="loop-log" open={props.story_open} ontoggle={{
                let on_story = props.on_story.clone();
                Callback::from(move |e: Event| {
                    let open = e.target_unchecked_into::<web_sys::Element>().has_attribute("open");
                    on_story.emit(open);
                })
            }}>
                <summary>{ ctx.t("run.log") }</summary>
                <ol class="story" tabindex="0">{ for props.log.iter().map(|line| html! { <li>{ line }</li> }) }</ol>
            </details>
        </div>
    }
}

/// p, Space, s, n, e, r run the commands, except while typing in a field
/// or when a button has the focus (Space presses the button then).
#[hook]
fn use_run_shortcuts(command: Callback<Command>) {
    super::use_document_keys(move |e: &web_sys::KeyboardEvent, typing: bool| {
        let on_button = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.tag_name() == "BUTTON");
        if e.ctrl_key() || e.meta_key() || e.alt_key() || typing || on_button {
            return false;
        }
        match SHORTCUTS
            .iter()
            .find(|(k, _)| e.key().to_ascii_lowercase() == *k)
        {
            Some((_, c)) => {
                command.emit(*c);
                true
            }
            None => false,
        }
    });
}
