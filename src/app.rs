//! The yew shell: one reducer (`AppState`) holding the program being
//! edited, and the views of it. Every edit re-runs the program on the
//! virtual clock (a memo on the program), so output and problems follow the
//! edit at once. The app renders what the engine computes and never models
//! asyncio itself.

mod code_host;
mod editor_view;
pub mod fields;
pub mod loop_picture;
mod panels;
mod run_view;
pub mod timeline;

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::editor::{Edit, Editor};
use crate::engine::{validate, Problem, Program, Severity, Simulation, Status};
use crate::i18n::{t, Lang};

/// The playground's main regions, in reading order: ids and label keys.
pub const REGIONS: [(&str, &str); 4] = [
    ("editor", "region.editor"),
    ("python", "region.python"),
    ("output", "region.output"),
    ("loop", "region.loop"),
];

const LANG_KEY: &str = "asyncio-playground.lang";
const MODE_KEY: &str = "asyncio-playground.mode";

/// Graph mode (build a task graph; the engine runs it) or code mode (your
/// own Python; CPython runs it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Graph,
    Code,
}

/// `?mode=code` opens code mode; otherwise the mode last used.
fn first_mode() -> Mode {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if crate::link::is_code_link(&hash) {
        return Mode::Code;
    }
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let asked = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("mode="))
        .map(str::to_string)
        .or_else(|| storage().and_then(|s| s.get_item(MODE_KEY).ok().flatten()));
    match asked.as_deref() {
        Some("code") => Mode::Code,
        _ => Mode::Graph,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub editor: Editor,
    pub lang: Lang,
    /// Why the last edit was refused, if it was.
    pub notice: Option<String>,
    /// The user's autosaved work, when a link opened something else: the
    /// page offers to go back to it.
    pub set_aside: Option<Program>,
}

pub enum Action {
    Edit(Edit),
    Undo,
    Redo,
    SetLang(Lang),
    /// Go back to the work a link set aside (or dismiss the offer).
    BackToMyWork(bool),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.notice = None;
        match action {
            Action::Edit(edit) => {
                if let Err(e) = next.editor.apply(edit) {
                    next.notice = Some(e.to_string());
                }
            }
            Action::Undo => {
                next.editor.undo();
            }
            Action::Redo => {
                next.editor.redo();
            }
            Action::SetLang(lang) => next.lang = lang,
            Action::BackToMyWork(go_back) => {
                if let (true, Some(program)) = (go_back, next.set_aside.take()) {
                    if let Err(e) = next.editor.apply(Edit::Load(program)) {
                        next.notice = Some(e.to_string());
                    }
                }
                next.set_aside = None;
            }
        }
        Rc::new(next)
    }
}

/// What the views share: the program, its problems, the language, and the
/// way to change things.
#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub program: Rc<Program>,
    pub problems: Rc<Vec<Problem>>,
    pub lang: Lang,
    pub dispatch: UseReducerDispatcher<AppState>,
    /// The program is big enough that its pickers draw their choices only
    /// when used (see `fields::Select`).
    pub big: bool,
    /// The program's run, recorded once per edit, for the player.
    pub recorded: Handoff,
}

/// Programs with more coroutines or steps than these get lazy pickers:
/// below them, every picker drawn in full costs little.
const BIG_COROUTINES: usize = 12;
const BIG_STEPS: usize = 150;

/// What follows the moment the run view shows. Apart from `AppContext`,
/// so dragging the time cursor re-renders only the views that show it.
#[derive(Clone, PartialEq)]
pub struct RunContext {
    /// Where the unfinished tasks are at the moment the run view shows,
    /// `(coroutine, pre-order step)`: the Python view marks those lines.
    pub positions: UseStateHandle<Vec<(u32, u32)>>,
    /// The moment the time cursor points at, when not at the run's end; a
    /// link carries it, so a teacher can share "look at t=3.5".
    pub moment: UseStateHandle<Option<f64>>,
    /// The live run's speed (virtual seconds per wall-clock second); a
    /// link carries it, and an edit keeps it.
    pub speed: UseStateHandle<f64>,
    /// A first visit (no link, no saved work): the player opens its first
    /// program at the start, inviting Run or Step, not on a finished run.
    /// Taken once: a player made later (after a mode switch, or once a
    /// problem is fixed) follows the run as usual.
    pub first_visit: Rc<std::cell::Cell<bool>>,
}

impl AppContext {
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key).to_string()
    }

    pub fn edit(&self, edit: Edit) {
        self.dispatch.dispatch(Action::Edit(edit));
    }

    /// Whether the program has problems that keep it from running (and
    /// other pages from opening its link).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// How a run ended, as the output panel says it.
#[derive(Clone, PartialEq)]
pub struct Ending {
    pub status: Status,
    pub end_time: f64,
    /// The uncaught exception that ended the program, as the
    /// traceback's last line: `main`'s, or one raised outside it.
    pub raised: Option<String>,
    pub raised_outside: Option<crate::engine::Outside>,
    /// The tasks a cancel went round, when that raised.
    pub cancel_cycle: String,
}

impl Ending {
    pub fn of(sim: &Simulation) -> Ending {
        Ending {
            status: sim.status().clone(),
            end_time: sim.with_loop(|l| l.now),
            raised: sim.uncaught().map(|e| e.traceback_line()),
            raised_outside: sim.raised_outside_main().map(|(_, outside)| *outside),
            cancel_cycle: sim.with_loop(|l| l.describe_cancel_cycle()),
        }
    }
}

/// A program's run, recorded to its end with the lines tasks were at: the
/// output panel's, handed to the player, so that opening a page or making
/// an edit runs the program once, not twice.
pub struct Recorded {
    pub program: Program,
    pub sim: Simulation,
    pub recording: crate::engine::snapshot::Recording,
}

/// Where the player takes the recorded run from (once).
#[derive(Clone, Default)]
pub struct Handoff(pub Rc<std::cell::RefCell<Option<Recorded>>>);

impl PartialEq for Handoff {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Handoff {
    /// The recorded run, if it is of `program` and nobody took it yet.
    pub fn take(&self, program: &Program) -> Option<Recorded> {
        let mut held = self.0.borrow_mut();
        if held.as_ref().is_some_and(|r| r.program == *program) {
            held.take()
        } else {
            None
        }
    }
}

/// Records `program` to its end, for the player to take: done once per
/// edit, as the program changes.
fn record(program: &Program) -> Handoff {
    let handoff = Handoff::default();
    if let Ok(mut sim) = Simulation::new(program.clone()) {
        // The player's views mark the line each task is at.
        sim.track_positions();
        let recording = sim.record();
        *handoff.0.borrow_mut() = Some(Recorded {
            program: program.clone(),
            sim,
            recording,
        });
    }
    handoff
}

const AUTOSAVE_KEY: &str = "asyncio-playground.autosave";

/// How long the time cursor rests before the address follows it.
const CURSOR_REST_MS: u32 = 250;

/// Puts a share link in the address bar without a history entry.
/// Puts this page's address with `fragment` on the clipboard; false when
/// the page has no address to read.
pub fn copy_link(fragment: &str) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let Ok(href) = w.location().href() else {
        return false;
    };
    let page = href.split('#').next().unwrap_or_default();
    let _ = w
        .navigator()
        .clipboard()
        .write_text(&format!("{page}#{fragment}"));
    true
}

/// Shows `fragment` in the address bar without a history entry.
pub fn show_link(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{fragment}")),
        );
    }
}

/// Runs `then` once the browser has painted the page as it is now, for
/// work that nothing on screen needs yet.
pub(crate) fn after_paint(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return then();
    };
    // A timeout set in an animation frame runs after that frame's paint.
    let frame = Closure::once_into_js(move || {
        gloo_timers::callback::Timeout::new(0, then).forget();
    });
    let _ = window.request_animation_frame(frame.unchecked_ref());
}

fn first_example() -> Program {
    crate::gallery::first_program()
}

/// The user's autosaved program, problems and all: work saved mid-edit
/// comes back as it was, and the editor shows what is still wrong.
fn autosaved() -> Option<Program> {
    let text = storage()?.get_item(AUTOSAVE_KEY).ok()??;
    let program = Program::from_json(&text).ok()?;
    (program.coroutines.len() <= crate::engine::Budget::default().max_coroutines).then_some(program)
}

/// What the page opens with: the link's scenario, else the autosaved work,
/// else the first example; with what the link asked for and set aside.
#[derive(Clone)]
struct Opening {
    program: Program,
    /// What became of the link, if the address held one.
    note: Option<LinkNote>,
    lang: Option<Lang>,
    moment: Option<f64>,
    speed: Option<f64>,
    /// The autosaved work a link replaced, offered back.
    set_aside: Option<Program>,
    /// Neither a link nor saved work: the first example, for a newcomer.
    first_visit: bool,
}

#[derive(Clone)]
enum LinkNote {
    Opened,
    Bad(crate::link::DecodeError),
}

fn starting_state(follow_address: bool) -> Opening {
    let hash = web_sys::window()
        .filter(|_| follow_address)
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let saved = autosaved();
    let mine = |note: Option<LinkNote>| Opening {
        first_visit: saved.is_none() && note.is_none(),
        program: saved.clone().unwrap_or_else(first_example),
        note,
        lang: None,
        moment: None,
        speed: None,
        set_aside: None,
    };
    // A code-mode link is code mode's to open; graph mode opens as it was.
    if hash.len() <= 1 || crate::link::is_code_link(&hash) {
        return mine(None);
    }
    match crate::link::reopen(&hash, saved.as_ref()) {
        Ok(shared) => Opening {
            set_aside: saved.clone().filter(|s| *s != shared.program),
            program: shared.program,
            note: Some(LinkNote::Opened),
            lang: shared.lang.as_deref().map(Lang::from_tag),
            moment: shared.cursor,
            speed: shared.speed,
            first_visit: false,
        },
        // A bad link never replaces the user's work.
        Err(e) => mine(Some(LinkNote::Bad(e))),
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language a link asks for (`?lang=zh-CN`), else the remembered one,
/// else the browser's.
fn initial_lang() -> Lang {
    let query = web_sys::window().and_then(|w| w.location().search().ok());
    if let Some(code) = query.as_deref().and_then(lang_in_query) {
        return Lang::from_tag(code);
    }
    if let Some(code) = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten()) {
        return Lang::from_tag(&code);
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

/// The `lang` parameter of a query string such as `?lang=zh-CN&x=1`.
fn lang_in_query(query: &str) -> Option<&str> {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// Whether the app opens the link in the page's address and keeps the
    /// address current. An app embedded in another page (or a test) can
    /// leave the address alone.
    #[prop_or(true)]
    pub follow_address: bool,
}

impl Default for AppProps {
    fn default() -> AppProps {
        AppProps {
            follow_address: true,
        }
    }
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let follow_address = props.follow_address;
    let opened = use_memo((), move |_| starting_state(follow_address));
    let state = use_reducer({
        let opened = opened.clone();
        move || {
            let Opening {
                program,
                note,
                lang,
                set_aside,
                ..
            } = (*opened).clone();
            let lang = lang.unwrap_or_else(initial_lang);
            let notice = note.map(|note| match note {
                LinkNote::Opened => t(lang, "link.opened").to_string(),
                LinkNote::Bad(error) => crate::i18n::bad_link_notice(lang, &error),
            });
            AppState {
                editor: Editor::new(program),
                lang,
                notice,
                set_aside,
            }
        }
    });
    let mode = use_state(first_mode);
    // A program to open in code mode ("Edit as Python").
    // A program for code mode to open, numbered so that asking twice opens
    // twice.
    let code_open = use_state(|| None::<(u32, Rc<String>)>);
    let opened_count = use_mut_ref(|| 0u32);
    let open_as_python = {
        let code_open = code_open.clone();
        Rc::new(move |program: &Program| {
            let mut n = opened_count.borrow_mut();
            *n += 1;
            code_open.set(Some((*n, Rc::new(crate::python::export(program)))));
        })
    };
    let moment = use_state(|| opened.moment);
    let first_visit = {
        let first = opened.first_visit;
        use_memo((), move |_| Rc::new(std::cell::Cell::new(first)))
    };
    let speed = use_state(|| opened.speed.unwrap_or(1.0));
    let program = Rc::new(state.editor.program.clone());
    let problems = {
        let program = program.clone();
        use_memo(program, |p| validate(p, &crate::engine::Budget::default()))
    };
    let recorded = {
        let program = program.clone();
        // A first visit opens at the start: its player measures the whole
        // run once the page is painted (run_view's `Player::at_start`).
        let first_visit = (*first_visit).clone();
        use_memo(program, move |p| {
            if first_visit.get() {
                Handoff::default()
            } else {
                record(p)
            }
        })
    };
    use_undo_shortcuts(state.dispatcher());
    // The share link, made on demand: encoding a big scenario costs
    // milliseconds, too much to repeat on every move of the time cursor.
    let link_of = {
        let (program, lang, moment, speed) = (program.clone(), state.lang, *moment, *speed);
        Callback::from(move |()| {
            crate::link::encode(&crate::link::Shared {
                program: (*program).clone(),
                lang: Some(lang.code().to_string()),
                cursor: moment,
                // 1x goes without saying.
                speed: (speed != 1.0).then_some(speed),
            })
        })
    };
    // Encoded once per edit: for Copy link's length and the address bar.
    let fragment = use_memo((program.clone(), state.lang, speed.to_bits()), {
        let link_of = link_of.clone();
        move |_| link_of.emit(())
    });
    {
        // An edit: the address bar (replaced, so no history entry per edit)
        // and the autosave follow at once.
        let fragment = fragment.clone();
        let in_graph_mode = *mode == Mode::Graph;
        use_effect_with(
            (program.clone(), state.lang, speed.to_bits(), in_graph_mode),
            move |(program, ..)| {
                // In code mode the address bar holds the code's link.
                if follow_address && in_graph_mode {
                    show_link(&fragment);
                }
                if let Some(s) = storage() {
                    let _ = s.set_item(AUTOSAVE_KEY, &program.to_json());
                }
            },
        );
    }
    // The newest way to make the link, for a timer set renders ago.
    let latest_link_of = use_mut_ref(|| link_of.clone());
    *latest_link_of.borrow_mut() = link_of.clone();
    {
        // A move of the time cursor: once the cursor rests, with the state
        // of that moment (the language may have changed meanwhile).
        use_effect_with(moment.map(f64::to_bits), move |_| {
            let pending = follow_address.then(|| {
                gloo_timers::callback::Timeout::new(CURSOR_REST_MS, move || {
                    let link_of = latest_link_of.borrow().clone();
                    show_link(&link_of.emit(()))
                })
            });
            move || drop(pending)
        });
    }
    {
        let lang = state.lang;
        use_effect_with(lang, move |lang| {
            if let Some(s) = storage() {
                let _ = s.set_item(LANG_KEY, lang.code());
            }
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("lang", lang.code());
            }
        });
    }
    let positions = use_state(Vec::new);
    let big = program.coroutines.len() > BIG_COROUTINES
        || crate::engine::validate::program_steps(&program) > BIG_STEPS;
    let ctx = AppContext {
        program: program.clone(),
        problems: Rc::new((*problems).clone()),
        lang: state.lang,
        dispatch: state.dispatcher(),
        big,
        recorded: (*recorded).clone(),
    };
    let run_ctx = RunContext {
        positions,
        moment: moment.clone(),
        speed: speed.clone(),
        first_visit: (*first_visit).clone(),
    };
    let has_errors = ctx.has_errors();
    // How many times "Paste a program" was asked for since code mode last
    // opened otherwise (each ask selects the program for a paste, once).
    let paste_asked = use_state(|| 0u32);
    // The region a phone shows: the loop first, as the page is for
    // watching it run.
    let phone_tab = use_state(|| "loop");
    let switch_to = |to: Mode| {
        let mode = mode.clone();
        let code_open = code_open.clone();
        let paste_asked = paste_asked.clone();
        Callback::from(move |_| {
            // What "Edit as Python" opened, or a paste asked for, is done once.
            code_open.set(None);
            paste_asked.set(0);
            if let Some(s) = storage() {
                let _ = s.set_item(MODE_KEY, if to == Mode::Code { "code" } else { "graph" });
            }
            mode.set(to);
        })
    };
    let edit_as_python = {
        let mode = mode.clone();
        let open_as_python = open_as_python.clone();
        let program = program.clone();
        Callback::from(move |_| {
            open_as_python(&program);
            if let Some(s) = storage() {
                let _ = s.set_item(MODE_KEY, "code");
            }
            mode.set(Mode::Code);
        })
    };
    {
        // An example chosen in code mode opens as Python.
        let seen = use_mut_ref(|| program.clone());
        use_effect_with((program.clone(), *mode), move |(program, mode)| {
            let changed = !Rc::ptr_eq(&seen.borrow(), program) && **seen.borrow() != **program;
            *seen.borrow_mut() = program.clone();
            if changed && *mode == Mode::Code {
                open_as_python(program);
            }
        });
    }
    let on_paste_program = {
        let mode = mode.clone();
        let paste_asked = paste_asked.clone();
        Callback::from(move |_| {
            if let Some(s) = storage() {
                let _ = s.set_item(MODE_KEY, "code");
            }
            mode.set(Mode::Code);
            paste_asked.set(*paste_asked + 1);
        })
    };
    let mode_tabs = html! {
        <nav class="modes" aria-label={ctx.t("mode.label")}>
            <button aria-pressed={(*mode == Mode::Graph).to_string()} onclick={switch_to(Mode::Graph)}>{ ctx.t("mode.graph") }</button>
            <button aria-pressed={(*mode == Mode::Code).to_string()} onclick={switch_to(Mode::Code)}>{ ctx.t("mode.code") }</button>
            if *mode == Mode::Graph {
                <button class="edit-as-python" onclick={edit_as_python} disabled={has_errors}>{ ctx.t("mode.edit_as_python") }</button>
            }
        </nav>
    };
    if *mode == Mode::Code {
        return html! {
            <ContextProvider<AppContext> context={ctx.clone()}>
            <ContextProvider<RunContext> context={run_ctx}>
                <div class="playground in-code-mode">
                    <Header can_undo={state.editor.can_undo()} can_redo={state.editor.can_redo()} link_length={fragment.len()} link_of={link_of.clone()} on_paste_program={on_paste_program.clone()} />
                    { mode_tabs }
                    <code_host::CodeModeHost lang={state.lang} open={(*code_open).clone()} paste_asked={*paste_asked} {follow_address} />
                </div>
            </ContextProvider<RunContext>>
            </ContextProvider<AppContext>>
        };
    }
    html! {
        <ContextProvider<AppContext> context={ctx.clone()}>
        <ContextProvider<RunContext> context={run_ctx}>
            <div class="playground">
                <Header can_undo={state.editor.can_undo()} can_redo={state.editor.can_redo()} link_length={fragment.len()} link_of={link_of.clone()} on_paste_program={on_paste_program.clone()} />
                { mode_tabs }
                if let Some(notice) = &state.notice {
                    <p class="notice" role="status">{ notice }</p>
                }
                if state.set_aside.is_some() {
                    <p class="notice" role="status">
                        { t(state.lang, "link.set_aside") }{ " " }
                        <button onclick={ let d = state.dispatcher(); Callback::from(move |_| d.dispatch(Action::BackToMyWork(true))) }>{ t(state.lang, "link.back") }</button>
                        { " " }
                        <button onclick={ let d = state.dispatcher(); Callback::from(move |_| d.dispatch(Action::BackToMyWork(false))) }>{ t(state.lang, "link.keep") }</button>
                    </p>
                }
                // On a phone the regions are tabs (CSS shows the tab bar and
                // the chosen region only below 900 px).
                <nav class="phone-tabs" aria-label={ctx.t("region.tabs")}>
                    { for REGIONS.iter().map(|(id, key)| {
                        let phone_tab = phone_tab.clone();
                        let id = *id;
                        html! {
                            <button aria-pressed={(*phone_tab == id).to_string()} onclick={Callback::from(move |_| phone_tab.set(id))}>{ ctx.t(key) }</button>
                        }
                    }) }
                </nav>
                <main class={classes!("regions", format!("phone-shows-{}", *phone_tab))}>
                    <section id="editor" class="region editor" aria-label={ctx.t("region.editor")}>
                        <h2>{ ctx.t("region.editor") }</h2>
                        <panels::ProblemsPanel />
                        <editor_view::ProgramEditor />
                    </section>
                    <section id="python" class="region python" aria-label={ctx.t("region.python")}>
                        <h2>{ ctx.t("region.python") }</h2>
                        <panels::PythonPanel />
                    </section>
                    if has_errors {
                        <section id="loop" class="region loop" aria-label={ctx.t("region.loop")}>
                            <h2>{ ctx.t("region.loop") }</h2>
                            <p class="status invalid">{ ctx.t("status.invalid") }</p>
                        </section>
                        <section id="output" class="region output" aria-label={ctx.t("region.output")}>
                            <h2>{ ctx.t("region.output") }</h2>
                            <p class="status invalid">{ ctx.t("status.invalid") }</p>
                        </section>
                    } else {
                        // The loop and what it printed, up to the moment shown.
                        <run_view::RunPanel />
                    }
                </main>
            </div>
        </ContextProvider<RunContext>>
        </ContextProvider<AppContext>>
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    can_undo: bool,
    can_redo: bool,
    /// The length of the page's share link.
    link_length: usize,
    /// Makes the share link's fragment as of now.
    link_of: Callback<(), String>,
    /// "Paste a program": code mode, its editor ready for the paste.
    on_paste_program: Callback<MouseEvent>,
}

#[component]
fn Header(props: &HeaderProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let on_lang = {
        let dispatch = ctx.dispatch.clone();
        Callback::from(move |code: String| {
            dispatch.dispatch(Action::SetLang(Lang::from_tag(&code)))
        })
    };
    // Listed once: the header re-renders on every slice of a live run. A
    // preset's program is decoded when it is chosen.
    let presets = use_memo((), |_| crate::gallery::entries());
    // The program as a preset stores it, once per edit: the picker shows
    // the example loaded, as long as it is unedited.
    let program_json = use_memo(ctx.program.clone(), |p| p.to_json());
    let on_example = {
        let ctx = ctx.clone();
        let presets = presets.clone();
        Callback::from(move |name: String| {
            if name == "new" {
                ctx.edit(Edit::Load(Program {
                    coroutines: vec![crate::engine::Coroutine::new("main", vec![])],
                    ..Program::default()
                }));
            } else if let Some(program) = presets
                .iter()
                .find(|p| p.id == name)
                .and_then(|p| p.program())
            {
                ctx.edit(Edit::Load(program));
            }
        })
    };
    let undo = {
        let dispatch = ctx.dispatch.clone();
        Callback::from(move |_| dispatch.dispatch(Action::Undo))
    };
    let redo = {
        let dispatch = ctx.dispatch.clone();
        Callback::from(move |_| dispatch.dispatch(Action::Redo))
    };
    let mut examples = vec![
        (String::new(), ctx.t("example.choose")),
        ("new".to_string(), ctx.t("example.new")),
    ];
    examples.extend(
        presets
            .iter()
            .map(|p| (p.id.to_string(), p.title(ctx.lang).to_string())),
    );
    let loaded = presets.iter().find(|p| p.json == *program_json);
    let explanation = loaded.map(|p| (p.title(ctx.lang), p.explanation(ctx.lang)));
    html! {
        <header class="app-header">
            <div class="titles">
                <h1>{ ctx.t("app.title") }</h1>
                <p class="tagline">{ ctx.t("app.tagline") }</p>
            </div>
            <div class="toolbar">
                <fields::Select label={ctx.t("label.example")} value={loaded.map_or("", |p| p.id)} options={examples} on_change={on_example} />
                <button class="graph-only" onclick={undo} disabled={!props.can_undo}>{ ctx.t("action.undo") }</button>
                <button class="graph-only" onclick={redo} disabled={!props.can_redo}>{ ctx.t("action.redo") }</button>
                <fields::Select
                    label={ctx.t("label.language")}
                    value={ctx.lang.code()}
                    options={Lang::ALL.iter().map(|l| (l.code().to_string(), l.native_name().to_string())).collect::<Vec<_>>()}
                    on_change={on_lang} />
                <CopyLink length={props.link_length} link_of={props.link_of.clone()} />
                <button class="paste-program" onclick={props.on_paste_program.clone()}>{ ctx.t("mode.paste_program") }</button>
                <span class="shortcuts graph-only">{ ctx.t("shortcuts") }</span>
            </div>
            if let Some((title, text)) = explanation {
                <p class="explanation graph-only"><strong>{ title }</strong>{ " — " }{ text }</p>
            }
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct CopyLinkProps {
    /// The length of the share link (the page's address fragment).
    length: usize,
    link_of: Callback<(), String>,
}

/// "Copy link": the page's address with the link as of now (the address
/// bar may still wait for the cursor to rest) to the clipboard, with a
/// warning when the scenario has problems (other pages refuse such a
/// link) or the link is long enough for chat apps to cut it.
#[component]
fn CopyLink(props: &CopyLinkProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let copied = use_state(|| false);
    let length = props.length;
    let onclick = {
        let copied = copied.clone();
        let link_of = props.link_of.clone();
        Callback::from(move |_| {
            if copy_link(&link_of.emit(())) {
                copied.set(true);
            }
        })
    };
    html! {
        <span class="copy-link">
            <button {onclick}>{ if *copied { ctx.t("link.copied") } else { ctx.t("link.copy") } }</button>
            if ctx.has_errors() {
                <span class="warning" role="status">{ ctx.t("link.problems") }</span>
            } else if length > 2000 {
                <span class="warning" role="status">{ ctx.t("link.long") }</span>
            }
        </span>
    }
}

/// Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y) undo and redo, except while typing
/// in a field, where the browser's own text undo applies.
#[hook]
fn use_undo_shortcuts(dispatch: UseReducerDispatcher<AppState>) {
    use_document_keys(move |e: &web_sys::KeyboardEvent, typing: bool| {
        if !(e.ctrl_key() || e.meta_key()) || typing {
            return false;
        }
        match (e.key().to_ascii_lowercase().as_str(), e.shift_key()) {
            ("z", false) => dispatch.dispatch(Action::Undo),
            ("z", true) | ("y", _) => dispatch.dispatch(Action::Redo),
            _ => return false,
        }
        true
    });
}

/// Listens to key presses on the whole document for as long as the
/// component lives. `handle` gets the event and whether the focus is in a
/// text field, and returns whether it used the key (then the browser's
/// default action is prevented).
#[hook]
pub fn use_document_keys(handle: impl Fn(&web_sys::KeyboardEvent, bool) -> bool + 'static) {
    use_effect_with((), move |_| {
        let listener =
            Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                            // Code mode's editor: its own keys (undo too).
                            || el.closest(".cm-editor").ok().flatten().is_some()
                    });
                if handle(&e, typing) {
                    e.prevent_default();
                }
            });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ =
                d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = document {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

/// Mounts the app into the page's `#app` element, or the body if it is missing.
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}
