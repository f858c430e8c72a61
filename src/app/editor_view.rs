//! The program editor: one card per coroutine, its steps as rows with
//! every parameter editable in place, nested blocks inside their step, and
//! each problem shown next to the step it concerns.

use yew::prelude::*;

use super::fields::{Check, Select, Text};
use super::AppContext;
use crate::editor::{BlockAt, Edit, ObjectKind, StepAt, StepKind};
use crate::engine::program::{Awaitable, Expr, Handler, Program, ReturnWhen, Step};
use crate::engine::program::{CallbackFn, Job};
use crate::engine::{ExcKind, Location};
use crate::python::{args_text, expr_text, parse_args, parse_expr};

#[component]
pub fn ProgramEditor() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let add_task = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.edit(Edit::AddCoroutine))
    };
    // The cards below main are out of sight in the editor's scroll box, and
    // drawn with everything else they held the page's first picture back
    // (a third of its elements): they follow once that picture is painted.
    let painted = use_state(|| false);
    {
        let painted = painted.clone();
        use_effect_with((), move |_| super::after_paint(move || painted.set(true)));
    }
    html! {
        <div class="program-editor">
            { for (0..ctx.program.coroutines.len() as u32).map(|coro| if coro == 0 || *painted {
                html! { <CoroutineCard key={coro} {coro} /> }
            } else {
                html! { <article key={coro} class="coroutine pending" aria-busy="true" /> }
            }) }
            <button class="add-task" onclick={add_task}>{ ctx.t("action.add_task") }</button>
            <Objects />
            <Jobs />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CoroutineProps {
    coro: u32,
}

#[component]
fn CoroutineCard(props: &CoroutineProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let coro = props.coro;
    let Some(c) = ctx.program.coroutines.get(coro as usize) else {
        return html! {};
    };
    let edit = |make: fn(u32) -> Edit| {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.edit(make(coro)))
    };
    let rename = {
        let ctx = ctx.clone();
        Callback::from(move |name: String| {
            ctx.edit(Edit::RenameCoroutine {
                coro,
                name: name.trim().to_string(),
            });
            None
        })
    };
    let set_task_name = {
        let ctx = ctx.clone();
        Callback::from(move |name: String| {
            let name = name.trim();
            ctx.edit(Edit::SetTaskName {
                coro,
                task_name: (!name.is_empty()).then(|| name.to_string()),
            });
            None
        })
    };
    let own_problems = problems_at(&ctx, coro, &[]);
    let title = if coro == 0 {
        ctx.t("label.main")
    } else {
        format!("async def {}()", c.name)
    };
    // A big program's coroutines other than main open one at a time: drawn
    // all at once, hundreds of them held the page for seconds.
    let open = use_state(|| !ctx.big || coro == 0);
    if !*open {
        let show = {
            let open = open.clone();
            Callback::from(move |_| open.set(true))
        };
        return html! {
            <article class="coroutine collapsed" aria-label={c.name.clone()}>
                <header class="coroutine-head">
                    <h3>{ title }</h3>
                    <span class="step-count">{ ctx.t("label.step_count").replace("{n}", &c.body.len().to_string()) }</span>
                    <button onclick={show} aria-expanded="false" aria-label={format!("{} {}", ctx.t("action.show_steps"), c.name)}>{ ctx.t("action.show_steps") }</button>
                </header>
                { problem_list(&own_problems) }
            </article>
        };
    }
    html! {
        <article class="coroutine" aria-label={c.name.clone()}>
            <header class="coroutine-head">
                <h3>{ title }</h3>
                <Text label={ctx.t("label.coroutine_name")} value={c.name.clone()} on_change={rename} />
                if coro != 0 {
                    <Text label={ctx.t("label.task_name")} value={c.task_name.clone().unwrap_or_default()} on_change={set_task_name} />
                    <div class="buttons">
                        <button onclick={edit(|coro| Edit::MoveCoroutine { coro, delta: -1 })} aria-label={format!("{} {}", ctx.t("action.move_up"), c.name)}>{ "↑" }</button>
                        <button onclick={edit(|coro| Edit::MoveCoroutine { coro, delta: 1 })} aria-label={format!("{} {}", ctx.t("action.move_down"), c.name)}>{ "↓" }</button>
                        <button onclick={edit(|coro| Edit::DuplicateCoroutine { coro })} aria-label={format!("{} {}", ctx.t("action.duplicate"), c.name)}>{ ctx.t("action.duplicate") }</button>
                        <button onclick={edit(|coro| Edit::RemoveCoroutine { coro })} aria-label={format!("{} {}", ctx.t("action.delete"), c.name)}>{ ctx.t("action.delete") }</button>
                    </div>
                }
            </header>
            { problem_list(&own_problems) }
            <StepList {coro} path={Vec::<u32>::new()} steps={c.body.clone()} />
            if coro == 0 {
                <Epilogue />
            }
        </article>
    }
}

/// The program's callbacks and synchronisation objects, named and sized.
#[component]
fn Objects() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let p = ctx.program.clone();
    let add = |edit: Edit| {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.edit(edit.clone()))
    };
    let object_row = |kind: ObjectKind, index: usize, name: &str, number: Option<(u32, &str)>| {
        let rename = {
            let ctx = ctx.clone();
            let n = number.map_or(0, |n| n.0);
            Callback::from(move |name: String| {
                ctx.edit(Edit::SetObject {
                    kind,
                    index: index as u32,
                    name: name.trim().to_string(),
                    number: n,
                });
                None
            })
        };
        let renumber = {
            let ctx = ctx.clone();
            let name = name.to_string();
            Callback::from(move |text: String| match text.trim().parse::<u32>() {
                Ok(number) => {
                    ctx.edit(Edit::SetObject {
                        kind,
                        index: index as u32,
                        name: name.clone(),
                        number,
                    });
                    None
                }
                Err(_) => Some(format!("`{text}` is not a whole number")),
            })
        };
        html! {
            <div class="object">
                <Text label={ctx.t("label.name")} value={name.to_string()} on_change={rename} />
                if let Some((n, label)) = number {
                    <Text label={ctx.t(label)} value={n.to_string()} on_change={renumber} numeric=true />
                }
            </div>
        }
    };
    html! {
        <details class="objects" open={!(p.callbacks.is_empty() && p.futures.is_empty() && p.locks.is_empty()
            && p.semaphores.is_empty() && p.events.is_empty() && p.queues.is_empty())}>
            <summary>{ ctx.t("objects.title") }</summary>
            { for p.callbacks.iter().enumerate().map(|(i, cb)| {
                let on_name = {
                    let (ctx, cb) = (ctx.clone(), cb.clone());
                    Callback::from(move |name: String| {
                        ctx.edit(Edit::SetCallback { index: i as u32, callback: CallbackFn { name: name.trim().to_string(), print: cb.print.clone() } });
                        None
                    })
                };
                let on_args = {
                    let (ctx, cb) = (ctx.clone(), cb.clone());
                    Callback::from(move |text: String| match parse_args(&ctx.program, &text) {
                        Ok(print) => {
                            ctx.edit(Edit::SetCallback { index: i as u32, callback: CallbackFn { name: cb.name.clone(), print } });
                            None
                        }
                        Err(message) => Some(message),
                    })
                };
                html! {
                    <div class="object callback">
                        <Text label={ctx.t("label.callback")} value={cb.name.clone()} on_change={on_name} />
                        <Text label={ctx.t("label.callback_prints")} value={args_text(&p, &cb.print)} on_change={on_args} wide=true />
                    </div>
                }
            }) }
            { for p.futures.iter().enumerate().map(|(i, n)| object_row(ObjectKind::Future, i, n, None)) }
            { for p.locks.iter().enumerate().map(|(i, n)| object_row(ObjectKind::Lock, i, n, None)) }
            { for p.semaphores.iter().enumerate().map(|(i, (n, v))| object_row(ObjectKind::Semaphore, i, n, Some((*v, "label.semaphore_value")))) }
            { for p.events.iter().enumerate().map(|(i, n)| object_row(ObjectKind::Event, i, n, None)) }
            { for p.queues.iter().enumerate().map(|(i, (n, m))| object_row(ObjectKind::Queue, i, n, Some((*m, "label.queue_maxsize")))) }
            <div class="buttons wrap">
                <button onclick={add(Edit::AddCallback)}>{ ctx.t("action.add_callback") }</button>
                <button onclick={add(Edit::AddObject { kind: ObjectKind::Future })}>{ ctx.t("action.add_future") }</button>
                <button onclick={add(Edit::AddObject { kind: ObjectKind::Lock })}>{ ctx.t("action.add_lock") }</button>
                <button onclick={add(Edit::AddObject { kind: ObjectKind::Semaphore })}>{ ctx.t("action.add_semaphore") }</button>
                <button onclick={add(Edit::AddObject { kind: ObjectKind::Event })}>{ ctx.t("action.add_event") }</button>
                <button onclick={add(Edit::AddObject { kind: ObjectKind::Queue })}>{ ctx.t("action.add_queue") }</button>
            </div>
        </details>
    }
}

/// The jobs tasks hand to the default executor: plain functions whose
/// steps run on a worker thread.
#[component]
fn Jobs() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let add = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.edit(Edit::AddJob))
    };
    html! {
        <details class="objects jobs" open={!ctx.program.jobs.is_empty()}>
            <summary>{ ctx.t("jobs.title") }</summary>
            <p class="hint">{ ctx.t("jobs.hint") }</p>
            { for (0..ctx.program.jobs.len() as u32).map(|job| html! { <JobCard key={job} {job} /> }) }
            <button onclick={add}>{ ctx.t("action.add_job") }</button>
        </details>
    }
}

/// A change to a job's steps, made when a button is pressed.
type BodyChange = Box<dyn Fn(&mut Vec<Step>)>;

#[derive(Properties, PartialEq)]
struct JobProps {
    job: u32,
}

/// One job: its name and its steps. Every change replaces the whole job,
/// so a job's edits undo one at a time like any other.
#[component]
fn JobCard(props: &JobProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let index = props.job;
    let Some(job) = ctx.program.jobs.get(index as usize).cloned() else {
        return html! {};
    };
    let new_kind = use_state(|| StepKind::Block);
    let set = {
        let ctx = ctx.clone();
        Callback::from(move |job: Job| ctx.edit(Edit::SetJob { index, job }))
    };
    let changed = |change: BodyChange| {
        let (set, job) = (set.clone(), job.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = job.clone();
            change(&mut next.body);
            set.emit(next);
        })
    };
    let rename = {
        let (set, job) = (set.clone(), job.clone());
        Callback::from(move |name: String| {
            set.emit(Job {
                name: name.trim().to_string(),
                body: job.body.clone(),
            });
            None
        })
    };
    let remove = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.edit(Edit::RemoveJob { index }))
    };
    let on_kind = {
        let new_kind = new_kind.clone();
        Callback::from(move |key: String| {
            if let Some(k) = StepKind::from_key(&key) {
                new_kind.set(k);
            }
        })
    };
    let add_step = {
        let (ctx, set, job, kind) = (ctx.clone(), set.clone(), job.clone(), *new_kind);
        Callback::from(move |_| {
            if let Some(needed) = kind.needs(&ctx.program) {
                ctx.edit(needed);
            }
            let mut next = job.clone();
            next.body.push(kind.template(&ctx.program, 0));
            set.emit(next);
        })
    };
    let options: Vec<(String, String)> = StepKind::JOB
        .iter()
        .map(|k| (k.key().to_string(), ctx.t(&format!("job_step.{}", k.key()))))
        .collect();
    let rows = job.body.iter().enumerate().map(|(i, step)| {
        let kind = StepKind::of_job_step(step).unwrap_or(StepKind::of(step));
        let kind_text = match StepKind::of_job_step(step) {
            Some(k) => ctx.t(&format!("job_step.{}", k.key())),
            None => ctx.t(&format!("step.{}", kind.key())),
        };
        let replace = {
            let (set, job) = (set.clone(), job.clone());
            Callback::from(move |step: Step| {
                let mut next = job.clone();
                next.body[i] = step;
                set.emit(next);
            })
        };
        let problems: Vec<String> = ctx
            .problems
            .iter()
            .filter(|p| p.location == Location::Job { job: index, step: i as u32 })
            .map(|p| crate::i18n::say(ctx.lang, &p.said))
            .collect();
        let label = |key: &str| format!("{} {} {} {}", ctx.t(key), ctx.t("label.step"), i + 1, job.name);
        html! {
            <li key={i}>
                <div class={classes!("step", (!problems.is_empty()).then_some("has-problem"))}
                     data-step={kind.key()} aria-label={format!("{} {} {}: {}", job.name, ctx.t("label.step"), i + 1, kind_text)}>
                    <div class="step-head">
                        <span class="step-number">{ i + 1 }</span>
                        <span class="step-kind">{ kind_text.clone() }</span>
                        <div class="buttons">
                            <button onclick={changed(Box::new(move |b| if i > 0 { b.swap(i, i - 1) }))} aria-label={label("action.move_up")}>{ "↑" }</button>
                            <button onclick={changed(Box::new(move |b| if i + 1 < b.len() { b.swap(i, i + 1) }))} aria-label={label("action.move_down")}>{ "↓" }</button>
                            <button onclick={changed(Box::new(move |b| { b.remove(i); }))} aria-label={label("action.delete")}>{ "✕" }</button>
                        </div>
                    </div>
                    <div class="step-params">{ params(&ctx, step, replace) }</div>
                    { problem_list(&problems) }
                </div>
            </li>
        }
    });
    html! {
        <article class="coroutine job" aria-label={job.name.clone()}>
            <header class="coroutine-head">
                <h3>{ format!("def {}()", job.name) }</h3>
                <Text label={ctx.t("label.job")} value={job.name.clone()} on_change={rename} />
                <div class="buttons">
                    <button onclick={remove} aria-label={format!("{} {}", ctx.t("action.delete"), job.name)}>{ ctx.t("action.delete") }</button>
                </div>
            </header>
            <div class="block">
                <ol class="steps">{ for rows }</ol>
                <div class="add-step">
                    <Select lazy={ctx.big} label={ctx.t("label.step_kind")} value={new_kind.key()} {options} on_change={on_kind} />
                    <button onclick={add_step}>{ ctx.t("action.add_step") }</button>
                </div>
            </div>
        </article>
    }
}

/// The prints after `asyncio.run(main())` returns (such as the elapsed time).
#[component]
fn Epilogue() -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let lines = ctx.program.epilogue.clone();
    let set = |lines: Vec<Vec<Expr>>| Edit::SetEpilogue { lines };
    let add = {
        let (ctx, lines) = (ctx.clone(), lines.clone());
        Callback::from(move |_| {
            let mut all = lines.clone();
            all.push(vec![Expr::Time]);
            ctx.edit(set(all));
        })
    };
    html! {
        <div class="epilogue" aria-label={ctx.t("label.after_run")}>
            <span class="sub-block-label">{ ctx.t("label.after_run") }</span>
            { for lines.iter().enumerate().map(|(i, args)| {
                let on_change = {
                    let (ctx, lines) = (ctx.clone(), lines.clone());
                    Callback::from(move |text: String| match parse_args(&ctx.program, &text) {
                        Ok(args) => {
                            let mut all = lines.clone();
                            all[i] = args;
                            ctx.edit(set(all));
                            None
                        }
                        Err(message) => Some(message),
                    })
                };
                let remove = {
                    let (ctx, lines) = (ctx.clone(), lines.clone());
                    Callback::from(move |_| {
                        let mut all = lines.clone();
                        all.remove(i);
                        ctx.edit(set(all));
                    })
                };
                html! {
                    <div class="item">
                        <Text label={format!("{} {}", ctx.t("label.arguments"), i + 1)} value={args_text(&ctx.program, args)} {on_change} wide=true />
                        <button onclick={remove} aria-label={format!("{} {}", ctx.t("action.remove_line"), i + 1)}>{ "−" }</button>
                    </div>
                }
            }) }
            <button onclick={add}>{ ctx.t("action.add_line") }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StepListProps {
    coro: u32,
    /// The block's path (empty for the coroutine's body).
    path: Vec<u32>,
    steps: Vec<Step>,
}

/// Step rows drawn in a block before a button offers the rest: a row is
/// some twenty elements, and 4,000 of them held the page for a second.
const STEP_ROWS: usize = 60;

#[component]
fn StepList(props: &StepListProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let shown = use_state(|| STEP_ROWS);
    let hidden = props.steps.len().saturating_sub(*shown);
    let show_all = {
        let (shown, all) = (shown.clone(), props.steps.len());
        Callback::from(move |_| shown.set(all))
    };
    html! {
        <div class="block">
            <ol class="steps">
                { for props.steps.iter().take(*shown).enumerate().map(|(i, step)| {
                    let mut path = props.path.clone();
                    path.push(i as u32);
                    html! { <li key={i}><StepRow coro={props.coro} {path} step={step.clone()} /></li> }
                }) }
            </ol>
            if hidden > 0 {
                <button class="show-more" onclick={show_all}>{ ctx.t("action.show_more_steps").replace("{n}", &hidden.to_string()) }</button>
            }
            <AddStep coro={props.coro} path={props.path.clone()} at={props.steps.len() as u32} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct AddStepProps {
    coro: u32,
    path: Vec<u32>,
    at: u32,
}

#[component]
fn AddStep(props: &AddStepProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let kind = use_state(|| StepKind::Sleep);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |key: String| {
            if let Some(k) = StepKind::from_key(&key) {
                kind.set(k);
            }
        })
    };
    let add = {
        let ctx = ctx.clone();
        let kind = *kind;
        let (coro, path, at) = (props.coro, props.path.clone(), props.at);
        Callback::from(move |_| {
            if let Some(needed) = kind.needs(&ctx.program) {
                ctx.edit(needed);
            }
            // The template sees the program as it is now; a needed object
            // is added first and the template refers to index 0 anyway.
            ctx.edit(Edit::InsertStep {
                block: BlockAt {
                    coro,
                    path: path.clone(),
                },
                index: at,
                step: kind.template(&ctx.program, coro),
            });
        })
    };
    let options: Vec<(String, String)> = StepKind::ALL
        .iter()
        .map(|k| (k.key().to_string(), ctx.t(&format!("step.{}", k.key()))))
        .collect();
    html! {
        <div class="add-step">
            <Select lazy={ctx.big} label={ctx.t("label.step_kind")} value={kind.key()} {options} on_change={on_kind} />
            <button onclick={add}>{ ctx.t("action.add_step") }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StepRowProps {
    coro: u32,
    path: Vec<u32>,
    step: Step,
}

#[component]
fn StepRow(props: &StepRowProps) -> Html {
    let ctx = use_context::<AppContext>().expect("AppContext");
    let at = StepAt {
        coro: props.coro,
        path: props.path.clone(),
    };
    let kind = StepKind::of(&props.step);
    let replace = {
        let ctx = ctx.clone();
        let at = at.clone();
        Callback::from(move |step: Step| {
            ctx.edit(Edit::ReplaceStep {
                at: at.clone(),
                step,
            })
        })
    };
    let button = |make: fn(StepAt) -> Edit, key: &str, text: &str| {
        let ctx2 = ctx.clone();
        let at = at.clone();
        let label = format!(
            "{} {} {}",
            ctx.t(key),
            ctx.t("label.step"),
            step_number(&props.path)
        );
        html! { <button onclick={Callback::from(move |_| ctx2.edit(make(at.clone())))} aria-label={label}>{ text.to_string() }</button> }
    };
    let problems = problems_at(&ctx, props.coro, &props.path);
    let number = step_number(&props.path);
    html! {
        <div class={classes!("step", (!problems.is_empty()).then_some("has-problem"))}
             data-step={kind.key()} aria-label={format!("{} {}: {}", ctx.t("label.step"), number, ctx.t(&format!("step.{}", kind.key())))}>
            <div class="step-head">
                <span class="step-number">{ number }</span>
                <span class="step-kind">{ ctx.t(&format!("step.{}", kind.key())) }</span>
                <div class="buttons">
                    { button(|at| Edit::MoveStep { at, delta: -1 }, "action.move_up", "↑") }
                    { button(|at| Edit::MoveStep { at, delta: 1 }, "action.move_down", "↓") }
                    { button(|at| Edit::DuplicateStep { at }, "action.duplicate", &ctx.t("action.duplicate_short")) }
                    { button(|at| Edit::RemoveStep { at }, "action.delete", "✕") }
                </div>
            </div>
            <div class="step-params">{ params(&ctx, &props.step, replace) }</div>
            { problem_list(&problems) }
            { sub_blocks(&ctx, props.coro, &props.path, &props.step) }
        </div>
    }
}

/// "3" for a top-level step, "3.2.1" for nested ones (1-based, step indexes only).
fn step_number(path: &[u32]) -> String {
    path.iter()
        .step_by(2)
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(".")
}

fn problems_at(ctx: &AppContext, coro: u32, path: &[u32]) -> Vec<String> {
    ctx.problems
        .iter()
        .filter(|p| matches!(&p.location, Location::Coroutine { coro: c, path: p2 } if *c == coro && p2 == path))
        .map(|p| crate::i18n::say(ctx.lang, &p.said))
        .collect()
}

fn problem_list(problems: &[String]) -> Html {
    if problems.is_empty() {
        return html! {};
    }
    html! {
        <ul class="problems-inline" role="alert">
            { for problems.iter().map(|m| html! { <li>{ m }</li> }) }
        </ul>
    }
}

fn sub_blocks(ctx: &AppContext, coro: u32, path: &[u32], step: &Step) -> Html {
    let labels: Vec<String> = match step {
        Step::Try { handlers, .. } => std::iter::once(ctx.t("block.body"))
            .chain(
                handlers
                    .iter()
                    .map(|h| format!("{} {}", ctx.t("block.except"), h.kind.python_name())),
            )
            .chain(std::iter::once(ctx.t("block.finally")))
            .collect(),
        Step::If { .. } => vec![ctx.t("block.then"), ctx.t("block.else")],
        _ => vec![ctx.t("block.body")],
    };
    html! {
        { for step.blocks().into_iter().enumerate().map(|(b, steps)| {
            let mut block_path = path.to_vec();
            block_path.push(b as u32);
            html! {
                <div class="sub-block">
                    <span class="sub-block-label">{ labels.get(b).cloned().unwrap_or_default() }</span>
                    <StepList {coro} path={block_path} steps={steps.clone()} />
                </div>
            }
        }) }
    }
}

// ----- parameter editors -----

/// The seconds a field's text says, or (as `Err`) the field's message.
/// `nan` and `inf` parse, but no link or saved file can hold them.
fn seconds_in(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() => Ok(seconds),
        _ => Err(format!("`{text}` is not a number of seconds")),
    }
}

fn seconds_field(
    ctx: &AppContext,
    label: &str,
    value: f64,
    set: impl Fn(f64) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change =
        Callback::from(move |text: String| seconds_in(&text).map(|s| replace.emit(set(s))).err());
    html! { <Text label={ctx.t(label)} value={crate::engine::value::py_float_repr(value)} {on_change} numeric=true /> }
}

fn optional_seconds_field(
    ctx: &AppContext,
    value: Option<f64>,
    set: impl Fn(Option<f64>) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |text: String| {
        let text = text.trim();
        if text.is_empty() {
            replace.emit(set(None));
            return None;
        }
        seconds_in(text).map(|s| replace.emit(set(Some(s)))).err()
    });
    let value = value
        .map(crate::engine::value::py_float_repr)
        .unwrap_or_default();
    html! { <Text label={ctx.t("label.timeout")} {value} {on_change} numeric=true /> }
}

fn var_field(
    ctx: &AppContext,
    label: &str,
    value: &Option<String>,
    set: impl Fn(Option<String>) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |text: String| {
        let text = text.trim().to_string();
        if text.is_empty() {
            replace.emit(set(None));
            return None;
        }
        match parse_expr(&Program::default(), &text) {
            Ok(Expr::Var(name)) => {
                replace.emit(set(Some(name)));
                None
            }
            _ => Some(format!("`{text}` is not a variable name")),
        }
    });
    html! { <Text label={ctx.t(label)} value={value.clone().unwrap_or_default()} {on_change} /> }
}

fn args_field(
    ctx: &AppContext,
    label: &str,
    args: &[Expr],
    set: impl Fn(Vec<Expr>) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let program = ctx.program.clone();
    let on_change = Callback::from(move |text: String| match parse_args(&program, &text) {
        Ok(args) => {
            replace.emit(set(args));
            None
        }
        Err(message) => Some(message),
    });
    html! { <Text label={ctx.t(label)} value={args_text(&ctx.program, args)} {on_change} wide=true /> }
}

fn expr_field(
    ctx: &AppContext,
    label: &str,
    expr: &Expr,
    set: impl Fn(Expr) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let program = ctx.program.clone();
    let on_change = Callback::from(move |text: String| match parse_expr(&program, &text) {
        Ok(e) => {
            replace.emit(set(e));
            None
        }
        Err(message) => Some(message),
    });
    html! { <Text label={ctx.t(label)} value={expr_text(&ctx.program, expr)} {on_change} wide=true /> }
}

fn coroutine_options(p: &Program) -> Vec<(String, String)> {
    p.coroutines
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| (i.to_string(), c.name.clone()))
        .collect()
}

fn task_field(
    ctx: &AppContext,
    label: &str,
    coro: u32,
    set: impl Fn(u32) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |v: String| {
        if let Ok(c) = v.parse() {
            replace.emit(set(c));
        }
    });
    html! { <Select lazy={ctx.big} label={ctx.t(label)} value={coro.to_string()} options={coroutine_options(&ctx.program)} {on_change} /> }
}

fn awaitable_value(aw: Awaitable) -> String {
    match aw {
        Awaitable::Task(c) => format!("task:{c}"),
        Awaitable::Coro(c) => format!("coro:{c}"),
        Awaitable::Future(f) => format!("future:{f}"),
        Awaitable::Job(j) => format!("job:{j}"),
        Awaitable::SideLoop(c) => format!("side:{c}"),
    }
}

fn parse_awaitable(value: &str) -> Option<Awaitable> {
    let (kind, index) = value.split_once(':')?;
    let index = index.parse().ok()?;
    match kind {
        "task" => Some(Awaitable::Task(index)),
        "coro" => Some(Awaitable::Coro(index)),
        "future" => Some(Awaitable::Future(index)),
        "job" => Some(Awaitable::Job(index)),
        "side" => Some(Awaitable::SideLoop(index)),
        _ => None,
    }
}

fn awaitable_options(ctx: &AppContext) -> Vec<(String, String)> {
    let p = &ctx.program;
    let mut options = Vec::new();
    for (i, c) in p.coroutines.iter().enumerate().skip(1) {
        options.push((
            format!("task:{i}"),
            format!("{} {}_task", ctx.t("awaitable.task"), c.name),
        ));
        options.push((
            format!("coro:{i}"),
            format!("{} {}()", ctx.t("awaitable.coro"), c.name),
        ));
        options.push((
            format!("side:{i}"),
            format!("{}() {}", c.name, ctx.t("awaitable.side_loop")),
        ));
    }
    for (i, f) in p.futures.iter().enumerate() {
        options.push((
            format!("future:{i}"),
            format!("{} {f}", ctx.t("awaitable.future")),
        ));
    }
    for (i, j) in p.jobs.iter().enumerate() {
        options.push((
            format!("job:{i}"),
            format!("{} {}", ctx.t("awaitable.job"), j.name),
        ));
    }
    options
}

fn awaitable_field(
    ctx: &AppContext,
    label: &str,
    aw: Awaitable,
    set: impl Fn(Awaitable) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |v: String| {
        if let Some(aw) = parse_awaitable(&v) {
            replace.emit(set(aw));
        }
    });
    html! { <Select lazy={ctx.big} label={ctx.t(label)} value={awaitable_value(aw)} options={awaitable_options(ctx)} {on_change} /> }
}

fn object_field(
    ctx: &AppContext,
    label: &str,
    index: u32,
    names: Vec<String>,
    set: impl Fn(u32) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |v: String| {
        if let Ok(i) = v.parse() {
            replace.emit(set(i));
        }
    });
    let options = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (i.to_string(), n))
        .collect::<Vec<_>>();
    html! { <Select lazy={ctx.big} label={ctx.t(label)} value={index.to_string()} {options} {on_change} /> }
}

fn exception_field(
    ctx: &AppContext,
    kind: ExcKind,
    set: impl Fn(ExcKind) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |v: String| {
        if let Some(k) = ExcKind::from_name(&v) {
            replace.emit(set(k));
        }
    });
    let options = ExcKind::ALL
        .iter()
        .map(|k| (k.name().to_string(), k.name().to_string()))
        .collect::<Vec<_>>();
    html! { <Select lazy={ctx.big} label={ctx.t("label.exception")} value={kind.name()} {options} {on_change} /> }
}

fn message_field(
    ctx: &AppContext,
    message: &Option<String>,
    set: impl Fn(Option<String>) -> Step + 'static,
    replace: Callback<Step>,
) -> Html {
    let on_change = Callback::from(move |text: String| {
        replace.emit(set((!text.is_empty()).then_some(text)));
        None
    });
    html! { <Text label={ctx.t("label.message")} value={message.clone().unwrap_or_default()} {on_change} /> }
}

/// Items a list shows for editing; a longer list (made by a link, say)
/// says how many more it holds rather than drawing thousands of fields.
const MAX_LISTED_ITEMS: usize = 100;

/// A list of items, each chosen from `options`, with add and remove. The
/// items are shared by every item's callbacks, so a long list costs one
/// copy, not one per item.
fn item_list(
    ctx: &AppContext,
    values: Vec<String>,
    options: Vec<(String, String)>,
    set: impl Fn(Vec<String>) -> Step + Clone + 'static,
    replace: Callback<Step>,
) -> Html {
    let values = std::rc::Rc::new(values);
    let options = std::rc::Rc::new(options);
    let first = options.first().map(|o| o.0.clone()).unwrap_or_default();
    let edit = {
        let (values, set, replace) = (values.clone(), set.clone(), replace.clone());
        move |change: &dyn Fn(&mut Vec<String>)| {
            let mut all = (*values).clone();
            change(&mut all);
            replace.emit(set(all));
        }
    };
    let edit = std::rc::Rc::new(edit);
    let add = {
        let edit = edit.clone();
        Callback::from(move |_| edit(&|all| all.push(first.clone())))
    };
    let hidden = values.len().saturating_sub(MAX_LISTED_ITEMS);
    html! {
        <div class="items">
            { for values.iter().take(MAX_LISTED_ITEMS).enumerate().map(|(i, value)| {
                let change = {
                    let edit = edit.clone();
                    Callback::from(move |v: String| edit(&|all| all[i] = v.clone()))
                };
                let remove = {
                    let edit = edit.clone();
                    Callback::from(move |_| edit(&|all| { all.remove(i); }))
                };
                html! {
                    <div class="item">
                        <Select lazy={ctx.big} label={format!("{} {}", ctx.t("label.item"), i + 1)} value={value.clone()} options={(*options).clone()} on_change={change} />
                        <button onclick={remove} aria-label={format!("{} {}", ctx.t("action.remove_item"), i + 1)}>{ "−" }</button>
                    </div>
                }
            }) }
            if hidden > 0 {
                <span class="status">{ format!("… +{hidden}") }</span>
            }
            <button onclick={add}>{ ctx.t("action.add_item") }</button>
        </div>
    }
}

fn params(ctx: &AppContext, step: &Step, replace: Callback<Step>) -> Html {
    let p = &ctx.program;
    let s = step.clone();
    match step {
        Step::Sleep { seconds } => seconds_field(
            ctx,
            "label.seconds",
            *seconds,
            |seconds| Step::Sleep { seconds },
            replace,
        ),
        Step::Block { seconds } => seconds_field(
            ctx,
            "label.seconds",
            *seconds,
            |seconds| Step::Block { seconds },
            replace,
        ),
        Step::Print { args } => args_field(
            ctx,
            "label.arguments",
            args,
            |args| Step::Print { args },
            replace,
        ),
        Step::Return { value } => expr_field(
            ctx,
            "label.value",
            value,
            |value| Step::Return { value },
            replace,
        ),
        Step::Raise { kind, message } => {
            let (k, m) = (*kind, message.clone());
            html! { <>
                { exception_field(ctx, *kind, move |kind| Step::Raise { kind, message: m.clone() }, replace.clone()) }
                { message_field(ctx, message, move |message| Step::Raise { kind: k, message }, replace) }
            </> }
        }
        Step::CreateTask { coro } => task_field(
            ctx,
            "label.task",
            *coro,
            |coro| Step::CreateTask { coro },
            replace,
        ),
        Step::Await { target, bind } => {
            let (t, b) = (*target, bind.clone());
            html! { <>
                { awaitable_field(ctx, "label.target", *target, move |target| Step::Await { target, bind: b.clone() }, replace.clone()) }
                { var_field(ctx, "label.bind", bind, move |bind| Step::Await { target: t, bind }, replace) }
            </> }
        }
        Step::Gather {
            items,
            return_exceptions,
            bind,
        } => {
            let (i1, i2, r1, r2, b1, b2) = (
                items.clone(),
                items.clone(),
                *return_exceptions,
                *return_exceptions,
                bind.clone(),
                bind.clone(),
            );
            let values = items.iter().map(|a| awaitable_value(*a)).collect();
            let on_re = {
                let replace = replace.clone();
                Callback::from(move |return_exceptions| {
                    replace.emit(Step::Gather {
                        items: i1.clone(),
                        return_exceptions,
                        bind: b1.clone(),
                    })
                })
            };
            html! { <>
                { item_list(ctx, values, awaitable_options(ctx), move |v: Vec<String>| Step::Gather {
                    items: v.iter().filter_map(|s| parse_awaitable(s)).collect(), return_exceptions: r1, bind: b2.clone() }, replace.clone()) }
                <Check label={ctx.t("label.return_exceptions")} checked={*return_exceptions} on_change={on_re} />
                { var_field(ctx, "label.bind", bind, move |bind| Step::Gather { items: i2.clone(), return_exceptions: r2, bind }, replace) }
            </> }
        }
        Step::Wait {
            items,
            timeout,
            return_when,
            done,
            pending,
        } => {
            let values = items.iter().map(|c| c.to_string()).collect();
            let with = move |f: &dyn Fn(&mut Step)| {
                let mut s2 = s.clone();
                f(&mut s2);
                s2
            };
            let w = with.clone();
            let w2 = with.clone();
            let w3 = with.clone();
            let w4 = with.clone();
            let w5 = with.clone();
            let return_when_options = [
                ReturnWhen::AllCompleted,
                ReturnWhen::FirstCompleted,
                ReturnWhen::FirstException,
            ]
            .iter()
            .map(|r| (r.python_name().to_string(), r.python_name().to_string()))
            .collect::<Vec<_>>();
            let on_rw = {
                let replace = replace.clone();
                Callback::from(move |v: String| {
                    let rw = [
                        ReturnWhen::AllCompleted,
                        ReturnWhen::FirstCompleted,
                        ReturnWhen::FirstException,
                    ]
                    .into_iter()
                    .find(|r| r.python_name() == v)
                    .unwrap_or(ReturnWhen::AllCompleted);
                    replace.emit(w4(&|s| {
                        if let Step::Wait { return_when, .. } = s {
                            *return_when = rw
                        }
                    }));
                })
            };
            html! { <>
                { item_list(ctx, values, coroutine_options(p), move |v: Vec<String>| w(&|s| if let Step::Wait { items, .. } = s {
                    *items = v.iter().filter_map(|x| x.parse().ok()).collect() }), replace.clone()) }
                { optional_seconds_field(ctx, *timeout, move |t| w2(&|s| if let Step::Wait { timeout, .. } = s { *timeout = t }), replace.clone()) }
                <Select lazy={ctx.big} label={ctx.t("label.return_when")} value={return_when.python_name()} options={return_when_options} on_change={on_rw} />
                { var_field(ctx, "label.done_var", done, move |d| w3(&|s| if let Step::Wait { done, .. } = s { *done = d.clone() }), replace.clone()) }
                { var_field(ctx, "label.pending_var", pending, move |pv| w5(&|s| if let Step::Wait { pending, .. } = s { *pending = pv.clone() }), replace) }
            </> }
        }
        Step::AsCompleted {
            items,
            timeout,
            bind,
            ..
        } => {
            let values = items.iter().map(|c| c.to_string()).collect();
            let (s1, s2, s3) = (s.clone(), s.clone(), s.clone());
            html! { <>
                { item_list(ctx, values, coroutine_options(p), move |v: Vec<String>| { let mut n = s1.clone(); if let Step::AsCompleted { items, .. } = &mut n {
                    *items = v.iter().filter_map(|x| x.parse().ok()).collect() } n }, replace.clone()) }
                { optional_seconds_field(ctx, *timeout, move |t| { let mut n = s2.clone(); if let Step::AsCompleted { timeout, .. } = &mut n { *timeout = t } n }, replace.clone()) }
                { var_field(ctx, "label.bind", bind, move |b| { let mut n = s3.clone(); if let Step::AsCompleted { bind, .. } = &mut n { *bind = b } n }, replace) }
            </> }
        }
        Step::WaitFor {
            target,
            timeout,
            bind,
        } => {
            let (t1, t2, to1, to2, b1, b2) = (
                *target,
                *target,
                *timeout,
                *timeout,
                bind.clone(),
                bind.clone(),
            );
            html! { <>
                { awaitable_field(ctx, "label.target", *target, move |target| Step::WaitFor { target, timeout: to1, bind: b1.clone() }, replace.clone()) }
                { optional_seconds_field(ctx, *timeout, move |timeout| Step::WaitFor { target: t1, timeout, bind: b2.clone() }, replace.clone()) }
                { var_field(ctx, "label.bind", bind, move |bind| Step::WaitFor { target: t2, timeout: to2, bind }, replace) }
            </> }
        }
        Step::Shield { target, bind } => {
            let (t, b) = (*target, bind.clone());
            html! { <>
                { awaitable_field(ctx, "label.target", *target, move |target| Step::Shield { target, bind: b.clone() }, replace.clone()) }
                { var_field(ctx, "label.bind", bind, move |bind| Step::Shield { target: t, bind }, replace) }
            </> }
        }
        Step::Cancel { task, bind } => {
            let (t, b) = (*task, bind.clone());
            html! { <>
                { task_field(ctx, "label.task", *task, move |task| Step::Cancel { task, bind: b.clone() }, replace.clone()) }
                { var_field(ctx, "label.bind", bind, move |bind| Step::Cancel { task: t, bind }, replace) }
            </> }
        }
        Step::Try { handlers, .. } => {
            html! { <>
                { for handlers.iter().enumerate().map(|(i, h)| {
                    let s = s.clone();
                    exception_field(ctx, h.kind, move |kind| {
                        let mut n = s.clone();
                        if let Step::Try { handlers, .. } = &mut n {
                            handlers[i] = Handler { kind, body: handlers[i].body.clone() };
                        }
                        n
                    }, replace.clone())
                }) }
            </> }
        }
        Step::Reraise => html! {},
        Step::If { cond, .. } => expr_field(
            ctx,
            "label.condition",
            cond,
            move |c| {
                let mut n = s.clone();
                if let Step::If { cond, .. } = &mut n {
                    *cond = c
                }
                n
            },
            replace,
        ),
        Step::ForEach { var, list, .. } => {
            let (s1, s2) = (s.clone(), s.clone());
            html! { <>
                { var_field(ctx, "label.loop_var", &Some(var.clone()), move |v| { let mut n = s1.clone(); if let (Step::ForEach { var, .. }, Some(v)) = (&mut n, v) { *var = v } n }, replace.clone()) }
                { expr_field(ctx, "label.list", list, move |l| { let mut n = s2.clone(); if let Step::ForEach { list, .. } = &mut n { *list = l } n }, replace) }
            </> }
        }
        Step::WithLock { lock, body } => {
            let body = body.clone();
            object_field(
                ctx,
                "label.lock",
                *lock,
                p.locks.clone(),
                move |lock| Step::WithLock {
                    lock,
                    body: body.clone(),
                },
                replace,
            )
        }
        Step::WithSemaphore { semaphore, body } => {
            let body = body.clone();
            let names = p
                .semaphores
                .iter()
                .map(|s| format!("{} ({})", s.0, s.1))
                .collect();
            object_field(
                ctx,
                "label.semaphore",
                *semaphore,
                names,
                move |semaphore| Step::WithSemaphore {
                    semaphore,
                    body: body.clone(),
                },
                replace,
            )
        }
        Step::EventSet { event } => object_field(
            ctx,
            "label.event",
            *event,
            p.events.clone(),
            |event| Step::EventSet { event },
            replace,
        ),
        Step::EventClear { event } => object_field(
            ctx,
            "label.event",
            *event,
            p.events.clone(),
            |event| Step::EventClear { event },
            replace,
        ),
        Step::EventWait { event } => object_field(
            ctx,
            "label.event",
            *event,
            p.events.clone(),
            |event| Step::EventWait { event },
            replace,
        ),
        Step::QueuePut { queue, value } => {
            let (q, v) = (*queue, value.clone());
            let names = p.queues.iter().map(|q| q.0.clone()).collect();
            html! { <>
                { object_field(ctx, "label.queue", *queue, names, move |queue| Step::QueuePut { queue, value: v.clone() }, replace.clone()) }
                { expr_field(ctx, "label.value", value, move |value| Step::QueuePut { queue: q, value }, replace) }
            </> }
        }
        Step::QueueGet { queue, bind } => {
            let (q, b) = (*queue, bind.clone());
            let names = p.queues.iter().map(|q| q.0.clone()).collect();
            html! { <>
                { object_field(ctx, "label.queue", *queue, names, move |queue| Step::QueueGet { queue, bind: b.clone() }, replace.clone()) }
                { var_field(ctx, "label.bind", bind, move |bind| Step::QueueGet { queue: q, bind }, replace) }
            </> }
        }
        Step::QueueTaskDone { queue } => object_field(
            ctx,
            "label.queue",
            *queue,
            p.queues.iter().map(|q| q.0.clone()).collect(),
            |queue| Step::QueueTaskDone { queue },
            replace,
        ),
        Step::QueueJoin { queue } => object_field(
            ctx,
            "label.queue",
            *queue,
            p.queues.iter().map(|q| q.0.clone()).collect(),
            |queue| Step::QueueJoin { queue },
            replace,
        ),
        Step::SetResult { future, value } => {
            let (f, v) = (*future, value.clone());
            html! { <>
                { object_field(ctx, "label.future", *future, p.futures.clone(), move |future| Step::SetResult { future, value: v.clone() }, replace.clone()) }
                { expr_field(ctx, "label.value", value, move |value| Step::SetResult { future: f, value }, replace) }
            </> }
        }
        Step::SetException {
            future,
            kind,
            message,
        } => {
            let (f1, f2, k1, k2, m1, m2) = (
                *future,
                *future,
                *kind,
                *kind,
                message.clone(),
                message.clone(),
            );
            html! { <>
                { object_field(ctx, "label.future", *future, p.futures.clone(), move |future| Step::SetException { future, kind: k1, message: m1.clone() }, replace.clone()) }
                { exception_field(ctx, *kind, move |kind| Step::SetException { future: f1, kind, message: m2.clone() }, replace.clone()) }
                { message_field(ctx, message, move |message| Step::SetException { future: f2, kind: k2, message }, replace) }
            </> }
        }
        Step::AddDoneCallback { task, callback } => {
            let (t, c) = (*task, *callback);
            let names = p.callbacks.iter().map(|c| c.name.clone()).collect();
            html! { <>
                { task_field(ctx, "label.task", *task, move |task| Step::AddDoneCallback { task, callback: c }, replace.clone()) }
                { object_field(ctx, "label.callback", *callback, names, move |callback| Step::AddDoneCallback { task: t, callback }, replace) }
            </> }
        }
        Step::CallSoon { callback } => object_field(
            ctx,
            "label.callback",
            *callback,
            p.callbacks.iter().map(|c| c.name.clone()).collect(),
            |callback| Step::CallSoon { callback },
            replace,
        ),
        Step::CallSoonThreadsafe { callback } => object_field(
            ctx,
            "label.callback",
            *callback,
            p.callbacks.iter().map(|c| c.name.clone()).collect(),
            |callback| Step::CallSoonThreadsafe { callback },
            replace,
        ),
        Step::CallLater { delay, callback } => {
            let (d, c) = (*delay, *callback);
            let names = p.callbacks.iter().map(|c| c.name.clone()).collect();
            html! { <>
                { seconds_field(ctx, "label.seconds", *delay, move |delay| Step::CallLater { delay, callback: c }, replace.clone()) }
                { object_field(ctx, "label.callback", *callback, names, move |callback| Step::CallLater { delay: d, callback }, replace) }
            </> }
        }
    }
}
