//! Code mode: the learner's own Python, run by CPython itself (Pyodide, in
//! a Web Worker) under the tracer, traced to the end at once on the
//! virtual clock; stepping and live play move through its pictures. The
//! editor (CodeMirror 6) and CPython are fetched only when code mode is
//! first opened (`www/code-loader.js`, `www/code/bridge.js`).

use std::collections::HashMap;
use std::rc::Rc;

use asyncio_playground::app::fields::Select;
use asyncio_playground::app::loop_picture::{LoopPicture, LoopPictureView, TaskNode};
use asyncio_playground::app::timeline::{Same, Timeline};
use asyncio_playground::engine::snapshot::Lane;
use asyncio_playground::engine::{ExcKind, TaskId};

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use asyncio_playground::i18n::{bad_link_notice, fill, task_state_words, Lang};
use asyncio_playground::json::Json;
use asyncio_playground::python::paste::clean_page_spaces;
use asyncio_playground::python::picture::Picture;
use asyncio_playground::python::trace::{read_advice, word_event, Advice, Event, Stream, Trace};

// `www/code/bridge.js`, made a global by `www/code-loader.js` before this
// module loads.
#[wasm_bindgen(js_namespace = asyncioPlaygroundCode)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn mount_editor(
        parent: &web_sys::Element,
        doc: &str,
        label: &str,
        on_change: &js_sys::Function,
    ) -> Result<JsValue, JsValue>;
    fn editor_set_doc(editor: &JsValue, doc: &str);
    fn editor_mark_error(editor: &JsValue, line: u32, message: &str);
    fn editor_clear_error(editor: &JsValue);
    fn editor_mark_tasks(editor: &JsValue, marks: &str);
    fn editor_destroy(editor: &JsValue);
    fn editor_select_all(editor: &JsValue);
    fn start_python(on_message: &Closure<dyn FnMut(JsValue)>) -> JsValue;
    fn python_run(worker: &JsValue, id: u32, source: &str, cancels: &str);
    fn python_stop(worker: &JsValue);
}

const CODE_KEY: &str = "asyncio-playground.code";
/// The address bar follows the cursor once it rests this long.
const CURSOR_REST_MS: u32 = 250;
/// The largest file code mode opens (a program is kilobytes; a link holds
/// up to 512 KB of text too).
const MAX_FILE: usize = 512 * 1024;
/// Lines of "what this iteration does" shown, and results listed.
const MAX_TOLD: usize = 500;
const MAX_RESULTS: usize = 200;
/// Chat apps cut links longer than this.
const LONG_LINK: usize = 2000;
/// A pause in typing this long runs the program again.
const RERUN_AFTER_MS: u32 = 700;
/// How long a run may take CPython, in real time (the longest tutorial
/// program traces in well under a second).
const RUN_LIMIT_MS: u32 = 30_000;
/// The largest record of a run the page reads (bytes of JSON).
const MAX_DOCUMENT: usize = 40 << 20;
/// Live play: one iteration per tick at 1x.
const PLAY_TICK_MS: u32 = 400;
/// Live play's speeds, as graph mode's.
const SPEEDS: [f64; 7] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];

/// Where CPython is.
#[derive(Clone, Debug, PartialEq)]
enum Python {
    /// Not asked for yet.
    Asleep,
    /// Being fetched: what it is doing, and bytes loaded of total if known.
    Loading(String, Option<(f64, f64)>),
    /// Ready, running this Python (`3.11.3`).
    Ready(String),
    /// Running a program.
    Running(String),
    /// The worker was ended (Stop) or failed.
    Ended(String),
}

/// A program's traced run, as the views show it.
#[derive(PartialEq)]
struct CodeRun {
    trace: Trace,
    /// Old asyncio the program uses, each with a rewrite for 3.11.
    advice: Vec<Advice>,
    /// The main loop, and how many pictures it has.
    main: Option<u32>,
    count: usize,
    /// For each picture, the trace's index of it (events and lines before
    /// it are the trace's `events_before`).
    at: Vec<usize>,
    /// What each task runs, by name (the first task of a name).
    calls: HashMap<String, String>,
    /// The timeline's lanes, one per task of the main loop, and its end.
    lanes: Same<Vec<Lane>>,
    end: f64,
    /// The loop picture last drawn, by its picture's index: a render for
    /// another reason (a tick of play, a prop) reuses it, and the view
    /// skips its redraw.
    drawn: std::cell::RefCell<Option<(usize, Same<LoopPicture>)>>,
    /// The last picture made whole, by its index (see `picture`).
    made: std::cell::RefCell<Option<(usize, Rc<Picture>)>>,
}

impl CodeRun {
    fn new(trace: Trace, advice: Vec<Advice>) -> CodeRun {
        let main = trace.main_loop();

        let at = trace
            .iterations
            .iter()
            .enumerate()
            .filter(|(_, s)| Some(s.loop_index) == main)
            .map(|(i, _)| i)
            .collect();
        let at: Vec<usize> = at;
        let end = at.last().map_or(0.0, |&k| trace.iterations[k].picture.time);
        let mut calls = HashMap::new();
        for e in &trace.events {
            if let Event::Created { task, coro, .. } = &e.event {
                calls.entry(task.clone()).or_insert_with(|| coro.clone());
            }
        }
        let mut lanes = lanes_of(&trace, main, &at, end);
        for lane in &mut lanes {
            lane.call = calls.get(&lane.name).cloned().unwrap_or_default();
        }
        let lanes = Same(Rc::new(lanes));
        CodeRun {
            drawn: Default::default(),
            made: Default::default(),
            calls,
            lanes,
            end,
            main,
            count: at.len(),
            trace,
            advice,
            at,
        }
    }

    /// Picture `i` as the loop picture draws it.
    fn loop_picture(&self, i: usize, picture: &Picture) -> Same<LoopPicture> {
        let mut drawn = self.drawn.borrow_mut();
        match &*drawn {
            Some((at, drawn)) if *at == i => drawn.clone(),
            _ => {
                let made = Same(Rc::new(loop_picture(self, picture)));
                *drawn = Some((i, made.clone()));
                made
            }
        }
    }

    /// Picture `i` of the main loop, whole: made when shown, and kept
    /// while it is (a render for another reason reuses it).
    fn picture(&self, i: usize) -> Option<Rc<Picture>> {
        let mut made = self.made.borrow_mut();
        if let Some((at, picture)) = &*made {
            if *at == i {
                return Some(picture.clone());
            }
        }
        let picture = Rc::new(self.trace.picture_of(self.main?, i)?);
        *made = Some((i, picture.clone()));
        Some(picture)
    }

    /// How many events came before picture `i` (all of them past the end).
    fn events_before(&self, i: usize) -> usize {
        self.at
            .get(i)
            .and_then(|&k| self.trace.iterations.get(k))
            .map_or(self.trace.events.len(), |s| s.events_before)
    }

    /// What each task runs (`work(1)`), from its creation event.
    fn call_of(&self, task: &str) -> Option<&str> {
        self.calls.get(task).map(String::as_str)
    }
}

/// The timeline's lanes from the main loop's pictures: a segment per
/// state a task was in, from the picture it changed in; await edges when
/// a task began awaiting another; cancels asked and CancelledErrors
/// delivered, from the events.
fn lanes_of(trace: &Trace, main: Option<u32>, at: &[usize], end: f64) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    let mut place_of: HashMap<String, usize> = HashMap::new();
    let mut awaiting: Vec<Vec<String>> = Vec::new();
    for &k in at {
        let iteration = &trace.iterations[k];
        let time = iteration.picture.time;
        // Names first: a task may await one made in the same iteration.
        for (place, view) in &iteration.changed {
            place_of.insert(view.name.clone(), *place);
        }
        for (place, view) in &iteration.changed {
            let place = *place;
            while lanes.len() <= place {
                lanes.push(Lane::new(TaskId(lanes.len() as u32), String::new()));
                awaiting.push(Vec::new());
            }
            let lane = &mut lanes[place];
            lane.name = view.name.clone();
            lane.enter(time, end, state_key(&view.state));
            for awaited in &view.awaits {
                if !awaiting[place].contains(awaited) {
                    if let Some(&to) = place_of.get(awaited) {
                        lane.awaits.push((time, TaskId(to as u32)));
                    }
                }
            }
            awaiting[place] = view.awaits.clone();
        }
    }
    for e in &trace.events {
        if e.at.map(|(l, _)| l) != main {
            continue;
        }
        let (task, cancelled_error) = match &e.event {
            Event::CancelRequested { task, .. } => (task, false),
            Event::CancelledErrorDelivered { task } => (task, true),
            _ => continue,
        };
        if let Some(lane) = place_of.get(task).and_then(|&p| lanes.get_mut(p)) {
            if cancelled_error {
                lane.thrown.push((e.time, ExcKind::CancelledError));
            } else {
                lane.cancels.push(e.time);
            }
        }
    }
    lanes
}

/// A traced state as the timeline keys it.
fn state_key(state: &str) -> &'static str {
    match state {
        "not started" => "not-started",
        "running" => "running",
        "waiting" => "waiting",
        "ready" => "ready",
        "returned" => "returned",
        "raised" => "raised",
        _ => "cancelled",
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// What code mode opens with, read once as it mounts.
struct Opening {
    /// A link's program (page spaces made plain), the learner's last, or
    /// the first tutorial's Python.
    source: String,
    /// Page spaces a link's program had made plain, and the program as
    /// it came.
    replaced: Option<(usize, String)>,
    /// The moment a link asked for.
    moment: Option<usize>,
    /// Why a code link could not be opened.
    problem: Option<asyncio_playground::link::DecodeError>,
}

/// Reads the address bar's code link (when the page follows its address
/// bar), or else the autosave.
fn opening(follow: bool) -> Opening {
    let hash = web_sys::window()
        .filter(|_| follow)
        .and_then(|w| w.location().hash().ok())
        .filter(|h| asyncio_playground::link::is_code_link(h));
    let (linked, problem) = match hash.map(|h| asyncio_playground::link::decode_code_at(&h)) {
        Some(Ok(linked)) => (Some(linked), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    if let Some((source, moment)) = linked {
        let cleaned = clean_page_spaces(&source);
        return Opening {
            replaced: (cleaned.replaced > 0).then_some((cleaned.replaced, source)),
            source: cleaned.text,
            moment,
            problem,
        };
    }
    let source = storage()
        .and_then(|s| s.get_item(CODE_KEY).ok().flatten())
        .unwrap_or_else(|| {
            asyncio_playground::python::export(&asyncio_playground::gallery::first_program())
        });
    Opening {
        source,
        replaced: None,
        moment: None,
        problem,
    }
}

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// The page's words in the learner's language.
#[derive(Clone, Copy)]
struct Words(Lang);

impl Words {
    fn t(&self, key: &str) -> String {
        asyncio_playground::i18n::t_code(self.0, key).to_string()
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct CodeModeProps {
    pub lang: Lang,
    /// A program to open (a preset's Python, "Edit as Python"), with a
    /// number that changes each time one is asked for: the same program
    /// opened twice opens twice.
    #[prop_or_default]
    pub open: Option<(u32, Rc<String>)>,
    /// How many times "Paste a program" was asked for: each time, the
    /// editor's text is selected and focused, so a paste replaces it (and
    /// the editor's undo brings it back).
    #[prop_or_default]
    pub paste_asked: u32,
    /// Whether code mode opens the address bar's link and keeps the
    /// address bar its share link (the page's own setting).
    #[prop_or(true)]
    pub follow_address: bool,
}

/// Mounts code mode in `root`: a yew app of its own, in a WebAssembly
/// module of its own (`src/code_mode/main.rs`), which the page loads only
/// when code mode is first opened.
pub fn mount(root: web_sys::Element, props: CodeModeProps) -> yew::AppHandle<CodeMode> {
    yew::Renderer::<CodeMode>::with_root_and_props(root, props).render()
}

#[component]
pub fn CodeMode(props: &CodeModeProps) -> Html {
    let ctx = &Words(props.lang);
    let follow = props.follow_address;
    let opening = use_memo((), move |_| opening(follow));
    let source = use_state(|| opening.source.clone());
    let python = use_state(|| Python::Asleep);
    let run = use_state(|| None::<Rc<CodeRun>>);
    let cursor = use_state(|| 0usize);
    let playing = use_state(|| false);
    // The region a phone shows (CSS shows the tabs only below 900 px): the
    // loop first, as in graph mode.
    let phone_tab = {
        let pasting = props.paste_asked > 0;
        use_state(move || if pasting { "code" } else { "loop" })
    };
    // Page spaces made plain, and the program as it came: from a link at
    // once, later from a paste or a file.
    let replaced = use_state(|| opening.replaced.clone());
    let worker = use_mut_ref(|| None::<JsValue>);
    let editor = use_mut_ref(|| None::<JsValue>);
    let on_message_slot = use_mut_ref(|| None::<Closure<dyn FnMut(JsValue)>>);
    let on_change_slot = use_mut_ref(|| None::<Closure<dyn FnMut(String)>>);
    // The run asked for while CPython loads: (id, source, cancels as JSON).
    let pending = use_mut_ref(|| None::<(u32, String, String)>);
    // Tasks the learner cancelled, as the tracer takes them: (loop,
    // iteration, task). The program runs again with them, deterministically;
    // an edit of the program forgets them.
    let cancels = use_state(Vec::<(u32, u32, String)>::new);
    let copied = use_state(|| false);
    // "Paste a program" was asked for, and no edit has come since.
    let paste_hint = use_state(|| false);
    // Why a chosen file was not opened.
    let file_problem = use_state(|| None::<String>);
    let speed = use_state(|| 1.0f64);
    let asked_cancels = use_mut_ref(Vec::<(u32, u32, String)>::new);
    // Where the cursor stays when the run comes back (a live cancel keeps
    // the learner's place); otherwise a run opens at its end.
    let keep_cursor = use_mut_ref(|| opening.moment);
    let next_id = use_mut_ref(|| 0u32);
    // CPython's version once it is ready (closures made at the first
    // render read it here, not from a state handle of that render).
    let ready = use_mut_ref(|| None::<String>);
    let rerun = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    // A run posted to the worker and not answered yet: a new run then ends
    // that worker and starts a fresh one (each run has an interpreter of
    // its own anyway), so a program stuck in a loop never holds up the fix.
    let in_flight = use_mut_ref(|| false);
    // The language now, for closures made at the first render.
    let lang_now = use_mut_ref(|| props.lang);
    *lang_now.borrow_mut() = props.lang;
    // False once code mode is gone: work that finishes later is dropped.
    let alive = use_mut_ref(|| true);
    let host = use_node_ref();
    // A program opened before the editor had mounted, for it to show.
    let opened_doc = use_mut_ref(|| None::<String>);
    let select_when_mounted = use_mut_ref(|| false);
    // A damaged code link: why, while the learner's own program stays.
    let link_problem = use_state(|| opening.problem.clone());

    // A program that never yields to its loop (`while True: pass`) cannot
    // be stopped from inside CPython: past this, its worker is ended.
    let watchdog = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    let arm: Rc<dyn Fn()> = {
        let watchdog = watchdog.clone();
        let worker = worker.clone();
        let ready = ready.clone();
        let python = python.clone();
        let in_flight = in_flight.clone();
        let lang_now = lang_now.clone();
        Rc::new(move || {
            let worker = worker.clone();
            let ready = ready.clone();
            let python = python.clone();
            let in_flight = in_flight.clone();
            let lang_now = lang_now.clone();
            *watchdog.borrow_mut() = Some(gloo_timers::callback::Timeout::new(
                RUN_LIMIT_MS,
                move || {
                    if let Some(w) = worker.borrow_mut().take() {
                        python_stop(&w);
                    }
                    *ready.borrow_mut() = None;
                    *in_flight.borrow_mut() = false;
                    python.set(Python::Ended(Words(*lang_now.borrow()).t("code.too_long")));
                },
            ));
        })
    };
    let start_run: Rc<dyn Fn(String)> = {
        let arm = arm.clone();
        let watchdog = watchdog.clone();
        let python = python.clone();
        let worker = worker.clone();
        let pending = pending.clone();
        let next_id = next_id.clone();
        let on_message_slot = on_message_slot.clone();
        let run = run.clone();
        let cursor = cursor.clone();
        let playing = playing.clone();
        let ready = ready.clone();
        let asked_cancels = asked_cancels.clone();
        let keep_cursor = keep_cursor.clone();
        let in_flight = in_flight.clone();
        Rc::new(move |text: String| {
            if *in_flight.borrow() {
                if let Some(w) = worker.borrow_mut().take() {
                    python_stop(&w);
                }
                *ready.borrow_mut() = None;
                watchdog.borrow_mut().take();
                *in_flight.borrow_mut() = false;
            }
            let id = {
                let mut n = next_id.borrow_mut();
                *n += 1;
                *n
            };
            let cancels = Json::Arr(
                asked_cancels
                    .borrow()
                    .iter()
                    .map(|(l, i, name)| {
                        Json::Arr(vec![
                            Json::int(i64::from(*l)),
                            Json::int(i64::from(*i)),
                            Json::str(name),
                        ])
                    })
                    .collect(),
            )
            .text();
            if let (Some(w), Some(version)) = (worker.borrow().as_ref(), ready.borrow().clone()) {
                python.set(Python::Running(version));
                python_run(w, id, &text, &cancels);
                *in_flight.borrow_mut() = true;
                arm();
                return;
            }
            *pending.borrow_mut() = Some((id, text, cancels));
            if worker.borrow().is_some() {
                return;
            }
            python.set(Python::Loading("starting".into(), None));
            let on_message = {
                let python = python.clone();
                let worker = worker.clone();
                let pending = pending.clone();
                let run = run.clone();
                let cursor = cursor.clone();
                let playing = playing.clone();
                let latest = next_id.clone();
                let ready = ready.clone();
                let keep_cursor = keep_cursor.clone();
                let arm = arm.clone();
                let watchdog = watchdog.clone();
                let in_flight = in_flight.clone();
                Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
                    let kind = field(&message, "type").as_string().unwrap_or_default();
                    match kind.as_str() {
                        "loading" => {
                            let phase = field(&message, "phase").as_string().unwrap_or_default();
                            let loaded = field(&message, "loaded").as_f64();
                            let total = field(&message, "total").as_f64();
                            python.set(Python::Loading(phase, loaded.zip(total)));
                        }
                        "ready" => {
                            let version = field(&message, "python").as_string().unwrap_or_default();
                            *ready.borrow_mut() = Some(version.clone());
                            match (pending.borrow_mut().take(), worker.borrow().as_ref()) {
                                (Some((id, text, cancels)), Some(w)) => {
                                    python.set(Python::Running(version));
                                    python_run(w, id, &text, &cancels);
                                    *in_flight.borrow_mut() = true;
                                    arm();
                                }
                                _ => python.set(Python::Ready(version)),
                            }
                        }
                        "result" => {
                            let id = field(&message, "id").as_f64().unwrap_or(0.0) as u32;
                            // Only the newest run is shown.
                            if id != *latest.borrow() {
                                return;
                            }
                            *in_flight.borrow_mut() = false;
                            watchdog.borrow_mut().take();
                            let version = field(&message, "python")
                                .as_string()
                                .and_then(|v| v.split_whitespace().next().map(str::to_string))
                                .unwrap_or_default();
                            python.set(Python::Ready(version));
                            let document =
                                field(&message, "document").as_string().unwrap_or_default();
                            // Read on the page's thread: a record past this
                            // is refused, not parsed (the tracer's budgets
                            // keep honest programs well under it).
                            if document.len() > MAX_DOCUMENT {
                                python.set(Python::Ended(
                                    "the run's record is more than a page reads".into(),
                                ));
                                return;
                            }
                            let read = Json::parse(&document)
                                .and_then(|j| Ok((Trace::from_json(&j)?, read_advice(&j))));
                            match read {
                                Ok((trace, advice)) => {
                                    let traced = CodeRun::new(trace, advice);
                                    let at = keep_cursor.borrow_mut().take();
                                    cursor.set(at.map_or(traced.count, |at| at.min(traced.count)));
                                    playing.set(false);
                                    run.set(Some(Rc::new(traced)));
                                }
                                Err(e) => python.set(Python::Ended(format!(
                                    "the tracer's answer could not be read: {e}"
                                ))),
                            }
                        }
                        _ => {
                            // An older run's failure is not the newest's.
                            let id = field(&message, "id").as_f64().map(|id| id as u32);
                            if id.is_some_and(|id| id != *latest.borrow()) {
                                return;
                            }
                            *in_flight.borrow_mut() = false;
                            watchdog.borrow_mut().take();
                            let why = field(&message, "message")
                                .as_string()
                                .unwrap_or_else(|| "CPython's worker failed".into());
                            python.set(Python::Ended(why));
                            *ready.borrow_mut() = None;
                            if let Some(w) = worker.borrow_mut().take() {
                                python_stop(&w);
                            }
                        }
                    }
                })
            };
            let handle = start_python(&on_message);
            *worker.borrow_mut() = Some(handle);
            *on_message_slot.borrow_mut() = Some(on_message);
        })
    };

    let forget_cancels: Rc<dyn Fn()> = {
        let cancels = cancels.clone();
        let asked_cancels = asked_cancels.clone();
        Rc::new(move || {
            if !asked_cancels.borrow().is_empty() {
                asked_cancels.borrow_mut().clear();
                cancels.set(Vec::new());
            }
        })
    };
    // The editor, mounted once code mode is shown.
    {
        let select_when_mounted = select_when_mounted.clone();
        let forget_cancels = forget_cancels.clone();
        let host = host.clone();
        let editor = editor.clone();
        let on_change_slot = on_change_slot.clone();
        let source = source.clone();
        let replaced = replaced.clone();
        let start_run = start_run.clone();
        let rerun = rerun.clone();
        let label = ctx.t("code.editor");
        let python = python.clone();
        let unmount_worker = worker.clone();
        let unmount_watchdog = watchdog.clone();
        let unmount_rerun = rerun.clone();
        let opened_doc = opened_doc.clone();
        let alive = alive.clone();
        let paste_hint = paste_hint.clone();
        use_effect_with((), move |_| {
            let first = (*source).clone();
            let on_change = {
                let editor = editor.clone();
                let forget_cancels = forget_cancels.clone();
                Closure::<dyn FnMut(String)>::new(move |text: String| {
                    forget_cancels();
                    paste_hint.set(false);
                    let cleaned = clean_page_spaces(&text);
                    if cleaned.replaced > 0 {
                        if let Some(ed) = editor.borrow().as_ref() {
                            editor_set_doc(ed, &cleaned.text);
                        }
                        replaced.set(Some((cleaned.replaced, text.clone())));
                    }
                    let text = cleaned.text;
                    if let Some(s) = storage() {
                        let _ = s.set_item(CODE_KEY, &text);
                    }
                    source.set(text.clone());
                    let start_run = start_run.clone();
                    *rerun.borrow_mut() = Some(gloo_timers::callback::Timeout::new(
                        RERUN_AFTER_MS,
                        move || start_run(text),
                    ));
                })
            };
            if let Some(parent) = host.cast::<web_sys::Element>() {
                use wasm_bindgen::JsCast;
                let editor = editor.clone();
                let python = python.clone();
                let on_change: js_sys::Function = on_change
                    .as_ref()
                    .unchecked_ref::<js_sys::Function>()
                    .clone();
                let opened_doc = opened_doc.clone();
                let alive = alive.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match mount_editor(&parent, &first, &label, &on_change).await {
                        // Code mode left while the editor loaded.
                        Ok(ed) if !*alive.borrow() => editor_destroy(&ed),
                        Ok(ed) => {
                            if let Some(text) = opened_doc.borrow_mut().take() {
                                editor_set_doc(&ed, &text);
                            }
                            if std::mem::take(&mut *select_when_mounted.borrow_mut()) {
                                editor_select_all(&ed);
                            }
                            *editor.borrow_mut() = Some(ed);
                        }
                        Err(e) => python.set(Python::Ended(format!(
                            "the editor could not be loaded: {}",
                            e.as_string().unwrap_or_else(|| format!("{e:?}"))
                        ))),
                    }
                });
            }
            *on_change_slot.borrow_mut() = Some(on_change);
            move || {
                if let Some(ed) = editor.borrow_mut().take() {
                    editor_destroy(&ed);
                }
                // Leaving code mode ends CPython's worker with it (a program
                // stuck in a loop would spin on otherwise), and its timers.
                if let Some(w) = unmount_worker.borrow_mut().take() {
                    python_stop(&w);
                }
                unmount_watchdog.borrow_mut().take();
                unmount_rerun.borrow_mut().take();
                *alive.borrow_mut() = false;
            }
        });
    }
    // The address bar is the program's share link, with the moment shown
    // once the cursor rests (at the end, none: a run opens there).
    let fragment = {
        // Before the first run comes back, the moment a link asked for.
        let moment = match run.as_ref() {
            Some(r) => (*cursor < r.count).then_some(*cursor),
            None => *keep_cursor.borrow(),
        };
        use_memo(((*source).clone(), moment), |(source, moment)| {
            asyncio_playground::link::encode_code_at(source, *moment)
        })
    };
    let link_fits = asyncio_playground::link::code_link_fits(&source, &fragment);
    {
        let fragment = fragment.clone();
        let follow = props.follow_address;
        use_effect_with((fragment, link_fits), move |(fragment, fits)| {
            let fragment = fragment.clone();
            let show = (*fits && follow).then(|| {
                gloo_timers::callback::Timeout::new(CURSOR_REST_MS, move || {
                    asyncio_playground::app::show_link(&fragment)
                })
            });
            move || drop(show)
        });
    }
    // The first run, as soon as code mode opens.
    {
        let start_run = start_run.clone();
        let source = source.clone();
        use_effect_with((), move |_| start_run((*source).clone()));
    }
    // A program put in the editor from outside the learner's typing (a
    // preset, "Edit as Python", a rewrite): shown, kept and run.
    let put_program: Rc<dyn Fn(String)> = {
        let editor = editor.clone();
        let source = source.clone();
        let start_run = start_run.clone();
        let opened_doc = opened_doc.clone();
        let forget_cancels = forget_cancels.clone();
        Rc::new(move |text: String| {
            forget_cancels();
            match editor.borrow().as_ref() {
                Some(ed) => editor_set_doc(ed, &text),
                None => *opened_doc.borrow_mut() = Some(text.clone()),
            }
            if let Some(s) = storage() {
                let _ = s.set_item(CODE_KEY, &text);
            }
            source.set(text.clone());
            start_run(text);
        })
    };
    {
        let put_program = put_program.clone();
        use_effect_with(props.open.clone(), move |open| {
            if let Some((_, text)) = open {
                put_program((**text).clone());
            }
        });
    }
    // "Paste a program": the editor's text selected, for the paste to
    // replace (once the editor is there).
    {
        let editor = editor.clone();
        let paste_hint = paste_hint.clone();
        let select_when_mounted = select_when_mounted.clone();
        let phone_tab = phone_tab.clone();
        use_effect_with(props.paste_asked, move |asked| {
            if *asked > 0 {
                phone_tab.set("code");
                match editor.borrow().as_ref() {
                    Some(ed) => editor_select_all(ed),
                    None => *select_when_mounted.borrow_mut() = true,
                }
                paste_hint.set(true);
            }
        });
    }
    // The lines tasks are at, and the error's, marked in the editor.
    {
        let editor = editor.clone();
        // Keyed by which run (not its whole record, compared on every
        // render) and the cursor.
        let shown = (*run).clone();
        let key = (shown.as_ref().map(|r| Rc::as_ptr(r) as usize), *cursor);
        use_effect_with(key, move |(_, cursor)| {
            let Some(ed) = editor.borrow().clone() else {
                return;
            };
            let Some(run) = shown.as_ref() else {
                return;
            };
            let picture = run.picture((*cursor).min(run.count.saturating_sub(1)));
            let marks: Vec<Json> = picture
                .as_ref()
                .map(|p| {
                    p.tasks
                        .iter()
                        .filter_map(|t| {
                            Some(Json::Obj(vec![
                                ("line".into(), Json::int(i64::from(t.line?))),
                                ("label".into(), Json::str(&t.name)),
                            ]))
                        })
                        .collect()
                })
                .unwrap_or_default();
            editor_mark_tasks(&ed, &Json::Arr(marks).text());
            match (&run.trace.error, run.trace.error_line) {
                (Some(error), Some(line)) => editor_mark_error(&ed, line, error),
                _ => editor_clear_error(&ed),
            }
        });
    }
    // Live play: one iteration a tick until the end.
    {
        let cursor = cursor.clone();
        let playing = playing.clone();
        let last = run.as_ref().as_ref().map_or(0, |r| r.count);
        let tick_ms = (f64::from(PLAY_TICK_MS) / *speed).round() as u32;
        use_effect_with(
            (*playing, *cursor, last, tick_ms),
            move |(on, at, last, tick_ms)| {
                let tick = (*on && at < last).then(|| {
                    let cursor = cursor.clone();
                    let next = at + 1;
                    gloo_timers::callback::Timeout::new(*tick_ms, move || cursor.set(next))
                });
                if *on && at >= last {
                    playing.set(false);
                }
                move || drop(tick)
            },
        );
    }

    let on_run = {
        let start_run = start_run.clone();
        let source = source.clone();
        Callback::from(move |_| start_run((*source).clone()))
    };
    let on_stop = {
        let worker = worker.clone();
        let python = python.clone();
        let ready = ready.clone();
        let watchdog = watchdog.clone();
        let rerun = rerun.clone();
        let stopped = ctx.t("code.stopped");
        let in_flight = in_flight.clone();
        Callback::from(move |_| {
            if let Some(w) = worker.borrow_mut().take() {
                python_stop(&w);
            }
            *in_flight.borrow_mut() = false;
            watchdog.borrow_mut().take();
            rerun.borrow_mut().take();
            *ready.borrow_mut() = None;
            python.set(Python::Ended(stopped.clone()));
        })
    };
    // A program from a file: cleaned as a paste is, then shown, kept and
    // run.
    let on_file = {
        let put_program = put_program.clone();
        let replaced = replaced.clone();
        let file_problem = file_problem.clone();
        let too_big = ctx.t("code.file_too_big");
        let alive = alive.clone();
        Callback::from(move |e: web_sys::Event| {
            use wasm_bindgen::JsCast;
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            // The same file chosen again is read again.
            input.set_value("");
            if file.size() > MAX_FILE as f64 {
                file_problem.set(Some(
                    too_big.replace("{n}", &format!("{:.0}", file.size() / 1024.0)),
                ));
                return;
            }
            let put_program = put_program.clone();
            let replaced = replaced.clone();
            let file_problem = file_problem.clone();
            let alive = alive.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let read = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                if !*alive.borrow() {
                    return;
                }
                match read.ok().and_then(|text| text.as_string()) {
                    Some(text) => {
                        file_problem.set(None);
                        let cleaned = clean_page_spaces(&text);
                        replaced.set(
                            (cleaned.replaced > 0).then_some((cleaned.replaced, text.clone())),
                        );
                        put_program(cleaned.text);
                    }
                    None => file_problem.set(Some(file.name())),
                }
            });
        })
    };
    let undo_replace = {
        let replaced = replaced.clone();
        let editor = editor.clone();
        Callback::from(move |_| {
            if let (Some((_, before)), Some(ed)) = (&*replaced, editor.borrow().as_ref()) {
                // As pasted: the notice goes, and the spaces stay (until
                // the next edit brings them up again).
                editor_set_doc(ed, before);
            }
            replaced.set(None);
        })
    };

    // A live cancel: the program runs again with the task cancelled as the
    // next iteration begins, and the cursor stays where the learner is.
    let on_cancel = {
        let run = run.clone();
        let cursor = cursor.clone();
        let cancels = cancels.clone();
        let asked_cancels = asked_cancels.clone();
        let keep_cursor = keep_cursor.clone();
        let start_run = start_run.clone();
        let source = source.clone();
        Callback::from(move |task: String| {
            let Some(traced) = run.as_ref() else { return };
            let (Some(main), Some(picture)) = (traced.main, traced.picture(*cursor)) else {
                return;
            };
            let asked = (main, picture.iteration + 1, task);
            // A second click before the run comes back asks nothing more.
            if asked_cancels.borrow().contains(&asked) {
                return;
            }
            asked_cancels.borrow_mut().push(asked);
            cancels.set(asked_cancels.borrow().clone());
            *keep_cursor.borrow_mut() = Some(*cursor);
            start_run((*source).clone());
        })
    };
    let on_forget_cancels = {
        let forget_cancels = forget_cancels.clone();
        let start_run = start_run.clone();
        let source = source.clone();
        let keep_cursor = keep_cursor.clone();
        let cursor = cursor.clone();
        Callback::from(move |_| {
            forget_cancels();
            *keep_cursor.borrow_mut() = Some(*cursor);
            start_run((*source).clone());
        })
    };

    let on_copy_link = {
        let fragment = fragment.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            if asyncio_playground::app::copy_link(&fragment) {
                copied.set(true);
            }
        })
    };

    let status = match &*python {
        Python::Asleep => html! {},
        Python::Loading(phase, progress) => {
            let (value, max) = progress.unwrap_or((0.0, 1.0));
            html! {
                <p class="code-status" role="status">
                    { ctx.t("code.loading") }{ " (" }{ phase }{ ")" }
                    <progress aria-label={ctx.t("code.loading")} value={value.to_string()} max={max.to_string()}></progress>
                </p>
            }
        }
        Python::Ready(version) => html! {
            <p class="code-status">{ ctx.t("code.ready") }{ " " }<strong class="python-version">{ format!("CPython {version}") }</strong></p>
        },
        Python::Running(version) => html! {
            <p class="code-status" role="status">{ ctx.t("code.running") }{ " " }<strong class="python-version">{ format!("CPython {version}") }</strong></p>
        },
        Python::Ended(why) => html! {
            <p class="code-status notice" role="alert">{ why }</p>
        },
    };

    let tabs = html! {
        <nav class="phone-tabs" aria-label={ctx.t("region.tabs")}>
            { for [("code", "region.python"), ("loop", "region.loop"), ("output", "region.output")].iter().map(|(id, key)| {
                let phone_tab = phone_tab.clone();
                let id = *id;
                html! {
                    <button aria-pressed={(*phone_tab == id).to_string()} onclick={Callback::from(move |_| phone_tab.set(id))}>{ ctx.t(key) }</button>
                }
            }) }
        </nav>
    };
    html! {
        <>
        { tabs }
        <main class={classes!("regions", "code-mode", format!("phone-shows-{}", *phone_tab))}>
            <section id="code" class="region code" aria-label={ctx.t("code.region")}>
                <h2>{ ctx.t("code.region") }</h2>
                if let Some(problem) = &*link_problem {
                    <p class="notice" role="alert">{ bad_link_notice(ctx.0, problem) }</p>
                }
                if let Some((count, _)) = &*replaced {
                    <p class="notice" role="status">
                        { ctx.t("code.replaced").replace("{n}", &count.to_string()) }{ " " }
                        <button onclick={undo_replace}>{ ctx.t("code.undo_replace") }</button>
                    </p>
                }
                if let Some(traced) = run.as_ref().as_ref().filter(|r| !r.advice.is_empty()) {
                    { advice_list(ctx, &traced.advice, &put_program) }
                }
                if let Some(problem) = &*file_problem {
                    <p class="notice" role="alert">{ ctx.t("code.file_unread").replace("{file}", problem) }</p>
                }
                if *paste_hint {
                    <p class="notice" role="status">{ ctx.t("code.paste_hint") }</p>
                }
                <div class="code-editor" ref={host}></div>
                <div class="code-actions">
                    <button class="primary" onclick={on_run}>{ ctx.t("code.run") }</button>
                    <button onclick={on_stop}>{ ctx.t("code.stop") }</button>
                    <label class="file-open">
                        { ctx.t("code.open_file") }
                        <input type="file" accept=".py,text/x-python,text/plain" onchange={on_file} />
                    </label>
                    if link_fits {
                        <button onclick={on_copy_link}>{ if *copied { ctx.t("link.copied") } else { ctx.t("code.copy_link") } }</button>
                        if fragment.len() > LONG_LINK {
                            <span class="warning" role="status">{ ctx.t("link.long") }</span>
                        }
                    } else {
                        <span class="warning" role="status">{ ctx.t("code.too_long_for_link").replace("{n}", &fragment.len().to_string()) }</span>
                    }
                </div>
                { status }
            </section>
            <section id="loop" class="region loop" aria-label={ctx.t("region.loop")}>
                <h2>{ ctx.t("region.loop") }</h2>
                if !cancels.is_empty() {
                    <p class="notice" role="status">
                        { for cancels.iter().map(|(_, i, task)| html! {
                            <span>{ fill(&ctx.t("code.you_cancelled"), &[("task", task), ("i", &i.saturating_sub(1).to_string())]) }{ " " }</span>
                        }) }
                        <button onclick={on_forget_cancels}>{ ctx.t("code.forget_cancels") }</button>
                    </p>
                }
                if let Some(traced) = &*run {
                    { traced_loop(ctx, &TracedProps {
                        run: traced.clone(),
                        cursor: *cursor,
                        playing: *playing,
                        set_cursor: { let c = cursor.clone(); Callback::from(move |to| c.set(to)) },
                        set_playing: { let p = playing.clone(); Callback::from(move |on| p.set(on)) },
                        on_cancel: on_cancel.clone(),
                        speed: *speed,
                        set_speed: { let s = speed.clone(); Callback::from(move |to| s.set(to)) },
                    }) }
                } else {
                    <p class="status">{ ctx.t("code.nothing_yet") }</p>
                }
            </section>
            <section id="output" class="region output" aria-label={ctx.t("region.output")}>
                <h2>{ ctx.t("region.output") }</h2>
                if let Some(traced) = &*run {
                    { traced_output(ctx, traced, *cursor) }
                }
            </section>
        </main>
        </>
    }
}

/// What the loop view needs: the run, the cursor and play state (as
/// values), and how to move them.
struct TracedProps {
    run: Rc<CodeRun>,
    cursor: usize,
    playing: bool,
    set_cursor: Callback<usize>,
    set_playing: Callback<bool>,
    /// Cancels a task (by name) live, at the picture shown.
    on_cancel: Callback<String>,
    /// Live play's speed (1: an iteration every 400 ms).
    speed: f64,
    set_speed: Callback<f64>,
}

/// The loop at the cursor: controls, the iteration's picture, and what it
/// did.
fn traced_loop(ctx: &Words, props: &TracedProps) -> Html {
    let run = &props.run;
    let count = run.count;
    let at = props.cursor.min(count);
    let set = |to: usize| {
        let cursor = props.set_cursor.clone();
        let playing = props.set_playing.clone();
        Callback::from(move |_| {
            playing.emit(false);
            cursor.emit(to);
        })
    };
    let play = {
        let playing = props.set_playing.clone();
        let cursor = props.set_cursor.clone();
        let on = props.playing;
        Callback::from(move |_| {
            if at >= count {
                cursor.emit(0);
            }
            playing.emit(!on);
        })
    };
    let on_slide = {
        let cursor = props.set_cursor.clone();
        let playing = props.set_playing.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                playing.emit(false);
                cursor.emit(input.value().parse().unwrap_or(0));
            }
        })
    };
    let on_speed = {
        let set_speed = props.set_speed.clone();
        Callback::from(move |value: String| {
            if let Ok(speed) = value.parse::<f64>() {
                if SPEEDS.contains(&speed) {
                    set_speed.emit(speed);
                }
            }
        })
    };
    // The next iteration in which something other than a callback happens.
    let next_event = {
        let mut to = (at + 1).min(count);
        while to < count {
            let (from, until) = (run.events_before(to - 1), run.events_before(to));
            if run.trace.events[from.min(until)..until]
                .iter()
                .any(|e| !matches!(e.event, Event::Callback { .. }))
            {
                break;
            }
            to += 1;
        }
        to
    };
    let controls = html! {
        <div class="run-controls" role="group" aria-label={ctx.t("code.controls")}>
            <button onclick={set(0)} disabled={at == 0}>{ ctx.t("code.reset") }</button>
            <button onclick={set(at.saturating_sub(1))} disabled={at == 0}>{ ctx.t("code.back") }</button>
            <button onclick={play}>{ if props.playing { ctx.t("code.pause") } else { ctx.t("code.play") } }</button>
            <button onclick={set((at + 1).min(count))} disabled={at >= count}>{ ctx.t("code.step") }</button>
            <button onclick={set(next_event)} disabled={at >= count}>{ ctx.t("code.next_event") }</button>
            <button onclick={set(count)} disabled={at >= count}>{ ctx.t("code.to_end") }</button>
            <input type="range" min="0" max={count.to_string()} value={at.to_string()} oninput={on_slide} aria-label={ctx.t("code.cursor")} />
            <Select label={ctx.t("run.speed")} value={props.speed.to_string()} options={SPEEDS.iter().map(|s| (s.to_string(), format!("{s}×"))).collect::<Vec<_>>()} on_change={on_speed} />
        </div>
    };
    let Some(picture) = run.picture(at).filter(|_| at < count) else {
        let last = count.checked_sub(1).and_then(|i| run.picture(i));
        let time = last.as_ref().map_or(0.0, |p| p.time);
        return html! {
            <div class="traced-loop">
                { controls }
                <p class="iteration-head" role="status">
                    { ctx.t("code.finished").replace("{n}", &count.to_string()).replace("{t}", &format_time(time)) }
                </p>
                if let Some(error) = &run.trace.error {
                    <p class="notice" role="alert">{ error_text(ctx, &run.trace, error) }</p>
                }
                if let Some(last) = &last {
                    { task_table(ctx, run, last, None) }
                }
                { results(ctx, run, run.trace.events.len()) }
                <section class="timeline" aria-label={ctx.t("region.timeline")}>
                    <h3>{ ctx.t("region.timeline") }</h3>
                    <Timeline lanes={run.lanes.clone()} cursor={run.end} end={run.end} lang={ctx.0} />
                </section>
            </div>
        };
    };
    // The iteration's events, and what it wrote where it wrote it (a line
    // comes before the event recorded after it).
    let told: Vec<String> = {
        let (from, until) = (run.events_before(at), run.events_before(at + 1));
        let mut lines = run
            .trace
            .output
            .iter()
            .filter(|l| l.events_before > from && l.events_before <= until)
            .peekable();
        let mut told = Vec::new();
        for (i, e) in run.trace.events[from.min(until)..until].iter().enumerate() {
            while let Some(l) = lines.next_if(|l| l.events_before <= from + i) {
                told.push(written(ctx, l));
            }
            if told.len() >= MAX_TOLD {
                break;
            }
            told.push(word_event(ctx.0, &e.event));
        }
        if told.len() < MAX_TOLD {
            told.extend(lines.map(|l| written(ctx, l)));
        }
        if told.len() >= MAX_TOLD {
            // An iteration that starts 2,000 tasks: the first of it is read.
            told.truncate(MAX_TOLD);
            told.push(ctx.t("code.more_told"));
        }
        told
    };
    html! {
        <div class="traced-loop">
            { controls }
            <p class="iteration-head" role="status">
                { ctx.t("code.iteration").replace("{i}", &picture.iteration.to_string()).replace("{n}", &count.to_string()).replace("{t}", &format_time(picture.time)) }
            </p>
            <LoopPictureView picture={run.loop_picture(at, &picture)} lang={ctx.0} />
            { task_table(ctx, run, &picture, Some(&props.on_cancel)) }
            { results(ctx, run, run.events_before(at)) }
            <section class="timeline" aria-label={ctx.t("region.timeline")}>
                <h3>{ ctx.t("region.timeline") }</h3>
                <Timeline lanes={run.lanes.clone()} cursor={picture.time} end={run.end} lang={ctx.0} />
            </section>
            <section class="told" aria-label={ctx.t("code.what_happens")}>
                <h3>{ ctx.t("code.what_happens") }</h3>
                <ol>{ for told.iter().map(|line| html! { <li>{ line }</li> }) }</ol>
            </section>
        </div>
    }
}

/// Old asyncio, at its lines: what changed and since when, and the
/// program rewritten for 3.11, one click away (the editor's undo takes it
/// back).
fn advice_list(ctx: &Words, advice: &[Advice], put_program: &Rc<dyn Fn(String)>) -> Html {
    html! {
        <section class="advice" aria-label={ctx.t("code.old_asyncio")}>
            <h3>{ ctx.t("code.old_asyncio") }</h3>
            <ul>
            { for advice.iter().map(|a| {
                let apply = {
                    let put_program = put_program.clone();
                    let rewrite = a.rewrite.clone();
                    Callback::from(move |_| put_program(rewrite.clone()))
                };
                let said = match ctx.0 {
                    Lang::En => &a.en,
                    Lang::Zh => &a.zh,
                };
                html! {
                    <li>
                        <strong>{ ctx.t("code.at_line").replace("{n}", &a.line.to_string()) }</strong>{ " " }
                        { said }{ " " }
                        if !a.rewrite.is_empty() {
                            <button onclick={apply}>{ ctx.t("code.apply_rewrite") }</button>
                        }
                    </li>
                }
            }) }
            </ul>
        </section>
    }
}

/// What each gather, wait and as_completed gave the task it woke, up to
/// the iteration shown (events before `until`).
fn results(ctx: &Words, run: &CodeRun, until: usize) -> Html {
    let all = run.trace.events[..until.min(run.trace.events.len())]
        .iter()
        .filter(|e| matches!(e.event, Event::Gave { .. }));
    let gave: Vec<_> = all.clone().take(MAX_RESULTS).collect();
    let more = all.count() - gave.len();
    if gave.is_empty() {
        return html! {};
    }
    html! {
        <section class="results" aria-label={ctx.t("run.results")}>
            <h3>{ ctx.t("run.results") }</h3>
            <ol class="result-items">
                { for gave.iter().map(|e| html! {
                    <li><span class="at">{ format!("t={} ", format_time(e.time)) }</span>{ word_event(ctx.0, &e.event) }</li>
                }) }
            </ol>
            if more > 0 {
                <p class="status">{ ctx.t("code.more_results").replace("{n}", &more.to_string()) }</p>
            }
        </section>
    }
}

/// CPython's picture as the loop picture draws it (as graph mode draws
/// the engine's).
fn loop_picture(run: &CodeRun, picture: &Picture) -> LoopPicture {
    let place: HashMap<&str, usize> = picture
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let tasks = picture
        .tasks
        .iter()
        .map(|t| {
            let state = state_key(&t.state);
            TaskNode {
                name: t.name.clone(),
                call: run.call_of(&t.name).unwrap_or_default().to_string(),
                state,
                detail: if state == "waiting" {
                    t.on.clone()
                } else {
                    t.value.clone()
                },
                cancel_pending: false,
                // The combinator it awaits its children through, as the
                // engine names it (a task awaited directly has none).
                through: t
                    .on
                    .as_deref()
                    .map(|on| on.trim_end_matches("()"))
                    .filter(|on| {
                        matches!(
                            *on,
                            "gather" | "wait" | "as_completed" | "wait_for" | "shield"
                        )
                    })
                    .map(|on| format!("asyncio.{on}")),
                awaits: t
                    .awaits
                    .iter()
                    .filter_map(|a| place.get(a.as_str()).copied())
                    .collect(),
            }
        })
        .collect();
    LoopPicture::new(
        picture.iteration,
        picture.time,
        picture.ready.clone(),
        picture.timers.clone(),
        picture.timer_count,
        tasks,
    )
}

fn written(ctx: &Words, line: &asyncio_playground::python::trace::WrittenLine) -> String {
    let stream = match line.stream {
        Stream::Stdout => "",
        Stream::Stderr => " (stderr)",
    };
    format!("{}{stream}: {}", ctx.t("code.prints"), line.text)
}

fn error_text(ctx: &Words, trace: &Trace, error: &str) -> String {
    match trace.error_line {
        Some(line) => format!(
            "{}: {error}",
            ctx.t("code.at_line").replace("{n}", &line.to_string())
        ),
        None => error.to_string(),
    }
}

/// The tasks at a picture, with what each runs. A function, not a
/// component: code mode's views are part of graph mode's download.
fn task_table(
    ctx: &Words,
    run: &CodeRun,
    picture: &Picture,
    on_cancel: Option<&Callback<String>>,
) -> Html {
    html! {
        <table class="tasks">
            <caption>{ ctx.t("code.tasks") }</caption>
            <thead><tr>
                <th scope="col">{ ctx.t("code.task") }</th>
                <th scope="col">{ ctx.t("code.state") }</th>
                <th scope="col">{ ctx.t("code.line") }</th>
                <th scope="col">{ ctx.t("code.awaits") }</th>
            </tr></thead>
            <tbody>
            { for picture.tasks.iter().take(200).map(|t| {
                let call = run.call_of(&t.name).map(|c| format!(" · {c}")).unwrap_or_default();
                // asyncio.run's own tasks, made after main returns.
                let shutdown = call.starts_with(" · BaseEventLoop.shutdown_");
                let state = task_state_words(ctx.0, &t.state, t.on.as_deref().or(t.value.as_deref()));
                let done = matches!(t.state.as_str(), "returned" | "raised" | "cancelled");
                let cancel = on_cancel.filter(|_| !done).map(|on_cancel| {
                    let on_cancel = on_cancel.clone();
                    let name = t.name.clone();
                    Callback::from(move |_| on_cancel.emit(name.clone()))
                });
                html! {
                    <tr class={classes!("task", t.state.replace(' ', "-"))}>
                        <th scope="row">
                            { format!("{}{call}", t.name) }
                            if shutdown { <span class="shutdown-note">{ format!(" ({})", ctx.t("run.shutdown_task")) }</span> }
                        </th>
                        <td>
                            { state }
                            if let Some(cancel) = cancel {
                                { " " }
                                <button class="cancel-task" onclick={cancel} aria-label={format!("{} {}", ctx.t("run.cancel_now"), t.name)}>{ ctx.t("run.cancel_now") }</button>
                            }
                        </td>
                        <td>{ t.line.map(|l| l.to_string()).unwrap_or_default() }</td>
                        <td>{ t.awaits.join(", ") }</td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
    }
}

/// What the program wrote up to the cursor, each line with its virtual
/// time; stderr marked.
fn traced_output(ctx: &Words, run: &CodeRun, cursor: usize) -> Html {
    let until = run.events_before(cursor);
    let shown_all = cursor >= run.count;
    let lines = run
        .trace
        .output
        .iter()
        .filter(|l| shown_all || l.events_before <= until)
        .take(2000);
    html! {
        <ol class="output-lines code-output">
            { for lines.map(|l| {
                let stderr = l.stream == Stream::Stderr;
                html! {
                    <li class={classes!(stderr.then_some("stderr"))}>
                        <span class="at">{ format!("t={}", format_time(l.time)) }</span>
                        if stderr { <span class="stream">{ ctx.t("code.stderr") }</span> }
                        <code>{ &l.text }</code>
                    </li>
                }
            }) }
        </ol>
    }
}

fn format_time(t: f64) -> String {
    asyncio_playground::python::trace::format_time(t)
}
