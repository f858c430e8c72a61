//! The fuzz harness's inputs, and what the page does with each: links and
//! JSON that are random or mutated from real scenarios, programs that are
//! valid by construction but hostile (numbers at the limits, sizes, await
//! cycles, deep nesting, inline chains, side loops), and edits made
//! through the editor. `exercise` runs an input through everything a page
//! runs on a link or an edit: decode, validate, export, simulate under the
//! page's budget, record, replay an earlier moment, cancel a task live,
//! and draw the views' data. `src/bin/fuzz.rs` drives it.

use crate::conform::Rng;
use crate::editor::{BlockAt, Edit, Editor, ObjectKind, StepAt, StepKind};
use crate::engine::snapshot::{await_tree, lanes, snapshot_at_with};
use crate::engine::{
    validate, Awaitable, Budget, CallbackFn, Coroutine, ExcKind, Expr, Handler, Job, Program,
    Severity, Simulation, Status, Step, TaskId, Value,
};
use crate::link::{self, Shared};

/// What kind of input, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Bytes that were never a link.
    RandomLink,
    /// A real scenario's link, damaged.
    DamagedLink,
    /// A real scenario's JSON, damaged, in a link and as an autosave.
    DamagedJson,
    /// A valid program made hostile.
    Hostile,
    /// A real scenario changed by random edits in the editor.
    Edits,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::RandomLink,
        Kind::DamagedLink,
        Kind::DamagedJson,
        Kind::Hostile,
        Kind::Edits,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::RandomLink => "random link",
            Kind::DamagedLink => "damaged link",
            Kind::DamagedJson => "damaged JSON",
            Kind::Hostile => "hostile program",
            Kind::Edits => "edits",
        }
    }
}

/// One input: a link's fragment or an autosave's JSON, or a program with
/// the edits to make to it.
#[derive(Clone, Debug)]
pub struct Input {
    pub kind: Kind,
    /// A link's fragment.
    pub text: Option<String>,
    /// The JSON an autosave holds (a damaged JSON input is tried both
    /// ways: in `text` as a link, and here).
    pub json: Option<String>,
    pub program: Option<Program>,
    pub edits: Vec<Edit>,
}

impl Input {
    /// The input as text a person can read and replay.
    pub fn describe(&self) -> String {
        let mut out = format!("kind: {}\n", self.kind.name());
        if let Some(text) = &self.text {
            out.push_str(&format!("link: #{text}\n"));
        }
        if let Some(json) = &self.json {
            out.push_str(&format!("json: {json}\n"));
        }
        if let Some(program) = &self.program {
            out.push_str(&format!("program: {}\n", program.to_json()));
        }
        for edit in &self.edits {
            out.push_str(&format!("edit: {edit:?}\n"));
        }
        out
    }
}

/// How an input ended, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ending {
    /// Not a link or a scenario: the page says why.
    Undecodable,
    /// A scenario the validator refuses, with its problems.
    Refused,
    Finished,
    Raised,
    Deadlock,
    Stopped,
}

impl Ending {
    pub fn name(self) -> &'static str {
        match self {
            Ending::Undecodable => "undecodable",
            Ending::Refused => "refused",
            Ending::Finished => "finished",
            Ending::Raised => "raised",
            Ending::Deadlock => "deadlock",
            Ending::Stopped => "stopped",
        }
    }
}

/// What exercising an input came to.
pub struct Exercised {
    pub ending: Ending,
    /// The Python of a program the validator accepted: CPython must
    /// compile it.
    pub accepted_python: Option<String>,
    /// A problem with the page's own promises (a link that does not give
    /// back what it holds, a message left empty); none is expected.
    pub broken: Option<String>,
}

/// The scenarios mutations start from: the gallery, the hostile programs
/// and a few generated ones.
pub struct Corpus {
    programs: Vec<Program>,
}

impl Default for Corpus {
    fn default() -> Corpus {
        let mut programs: Vec<Program> = crate::gallery::presets()
            .into_iter()
            .map(|p| p.program)
            .collect();
        programs.extend(crate::hostile::all().into_iter().map(|h| h.program));
        programs.extend((0..40).map(crate::conform::generate));
        Corpus { programs }
    }
}

/// The input number `index` of a run with `seed`.
pub fn input(corpus: &Corpus, seed: u64, index: u64) -> Input {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let base = corpus.programs[rng.below(corpus.programs.len() as u64) as usize].clone();
    let kind = match rng.below(20) {
        0 => Kind::RandomLink,
        1..=3 => Kind::DamagedLink,
        4..=7 => Kind::DamagedJson,
        8..=16 => Kind::Hostile,
        _ => Kind::Edits,
    };
    let nothing = Input {
        kind,
        text: None,
        json: None,
        program: None,
        edits: Vec::new(),
    };
    match kind {
        Kind::RandomLink => Input {
            text: Some(random_link(&mut rng)),
            ..nothing
        },
        Kind::DamagedLink => Input {
            text: Some(damaged_link(&mut rng, &base)),
            ..nothing
        },
        Kind::DamagedJson => {
            let json = damage_text(&mut rng, &shared(base).to_json());
            Input {
                text: Some(link_of_text(&json)),
                json: Some(json),
                ..nothing
            }
        }
        Kind::Hostile => Input {
            program: Some(hostile(&mut rng, base, corpus)),
            ..nothing
        },
        Kind::Edits => {
            let edits = (0..1 + rng.below(12))
                .map(|_| random_edit(&mut rng, &base))
                .collect();
            Input {
                program: Some(base),
                edits,
                ..nothing
            }
        }
    }
}

fn shared(program: Program) -> Shared {
    Shared {
        program,
        lang: None,
        cursor: None,
        speed: None,
    }
}

/// A fragment as the page's v1 links are made, of any text.
fn link_of_text(text: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 6);
    format!("v1.{}", link::base64url_encode(&packed))
}

fn random_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.below(256) as u8).collect()
}

fn random_link(rng: &mut Rng) -> String {
    let n = rng.below(300) as usize;
    match rng.below(5) {
        0 => format!("v2.{}", link::base64url_encode(&random_bytes(rng, n))),
        1 => format!("v1.{}", link::base64url_encode(&random_bytes(rng, n))),
        2 => link_of_text(&String::from_utf8_lossy(&random_bytes(rng, n))),
        3 => format!("v{}.{}", rng.below(20), "A".repeat(n)),
        _ => random_bytes(rng, n)
            .into_iter()
            .map(|b| (b % 95 + 32) as char)
            .collect(),
    }
}

fn damaged_link(rng: &mut Rng, program: &Program) -> String {
    let mut shared = shared(program.clone());
    if rng.chance(30) {
        shared.cursor = Some(hostile_number(rng));
        shared.speed = Some(hostile_number(rng));
        shared.lang = Some(hostile_string(rng));
    }
    let fragment = link::encode(&shared);
    match rng.below(3) {
        // The deflated bytes damaged: flipped bits, cut, spliced.
        0 => {
            let mut bytes = link::base64url_decode(&fragment[3..]).unwrap_or_default();
            for _ in 0..1 + rng.below(4) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.below(bytes.len() as u64) as usize;
                match rng.below(3) {
                    0 => bytes[at] ^= 1 << rng.below(8),
                    1 => bytes.truncate(at),
                    _ => {
                        let tail = bytes[at..].to_vec();
                        bytes.extend_from_slice(&tail);
                    }
                }
            }
            format!("{}{}", &fragment[..3], link::base64url_encode(&bytes))
        }
        // The text damaged, as a mail client or a chat might.
        1 => damage_text(rng, &fragment),
        // Whole, with something around it.
        _ => format!("https://example.org/play?lang=zh-CN#{fragment}"),
    }
}

/// Damage to a text: cuts, repeats, stray characters, hostile numbers.
fn damage_text(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(5) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len() as u64) as usize;
        let len = (rng.below(40) as usize).min(chars.len() - at);
        match rng.below(6) {
            0 => {
                chars.drain(at..at + len);
            }
            1 => {
                let piece: Vec<char> = chars[at..at + len].to_vec();
                for _ in 0..1 + rng.below(50) {
                    chars.splice(at..at, piece.iter().copied());
                }
            }
            2 => chars.insert(
                at,
                ['{', '}', '[', ']', ',', ':', '"', '\\', '0', 'e'][rng.below(10) as usize],
            ),
            3 => chars.truncate(at),
            4 => {
                // A number, replaced by a hostile one.
                if let Some(start) = (at..chars.len()).find(|i| chars[*i].is_ascii_digit()) {
                    let end = (start..chars.len())
                        .find(|i| !matches!(chars[*i], '0'..='9' | '.' | 'e' | '-' | '+'))
                        .unwrap_or(chars.len());
                    let number = crate::json::Json::float(hostile_number(rng)).text();
                    let number = match rng.below(4) {
                        0 => "1e400".to_string(),
                        1 => "99999999999999999999".to_string(),
                        2 => "-1".to_string(),
                        _ => number,
                    };
                    chars.splice(start..end, number.chars());
                }
            }
            _ => {
                let s = hostile_string(rng);
                chars.splice(at..at, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

const HOSTILE_NUMBERS: [f64; 16] = [
    0.0,
    -0.0,
    -1.0,
    1e-9,
    5e-324,
    0.1,
    2_592_000.0,
    2_592_000.000_001,
    8_388_608.0,
    16_777_216.0,
    31_536_000.0,
    4_294_967_296.0,
    1e300,
    f64::MAX,
    f64::INFINITY,
    f64::NAN,
];

fn hostile_number(rng: &mut Rng) -> f64 {
    if rng.chance(30) {
        return rng.below(100) as f64 / 10.0;
    }
    HOSTILE_NUMBERS[rng.below(HOSTILE_NUMBERS.len() as u64) as usize]
}

fn hostile_string(rng: &mut Rng) -> String {
    const PIECES: [&str; 12] = [
        "<script>alert(1)</script>",
        "\"'\\",
        "任务",
        "ｍａｉｎ",
        "a²",
        "\u{0}",
        "\u{202e}",
        "😀",
        "\n",
        "class",
        "x",
        "_",
    ];
    let n = match rng.below(10) {
        0 => 1000 + rng.below(20_000),
        _ => 1 + rng.below(4),
    };
    let piece = PIECES[rng.below(PIECES.len() as u64) as usize];
    piece.repeat(n as usize)
}

fn hostile_name(rng: &mut Rng, i: usize) -> String {
    match rng.below(8) {
        0 => hostile_string(rng),
        1 => format!("任务{i}"),
        2 => format!("n{i}_{}", "x".repeat(rng.below(45) as usize)),
        _ => format!("c{i}"),
    }
}

fn literal(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 25 { 4 } else { 6 }) {
        0 => Value::Int(rng.next_u64() as i64),
        1 => Value::Float(hostile_number(rng)),
        2 => Value::str(&hostile_string(rng)),
        3 => Value::None,
        4 => Value::List(
            (0..rng.below(3))
                .map(|_| literal(rng, depth + 1))
                .collect::<Vec<_>>()
                .into(),
        ),
        _ => Value::List(
            (0..[10, 100, 1000, 20_000][rng.below(4) as usize])
                .map(Value::Int)
                .collect::<Vec<_>>()
                .into(),
        ),
    }
}

fn expr(rng: &mut Rng, coroutines: u32) -> Expr {
    let c = rng.below(coroutines as u64 + 2) as u32;
    match rng.below(9) {
        0 => Expr::Lit(literal(rng, 0)),
        1 => Expr::Time,
        2 => Expr::LoopTime1,
        3 => Expr::Result(c),
        4 => Expr::Done(c),
        5 => Expr::Name(c),
        6 => Expr::Var("x0".into()),
        7 => Expr::ArgResult,
        _ => Expr::str("tick"),
    }
}

/// A program made hostile in one or more ways, most of them still valid.
fn hostile(rng: &mut Rng, base: Program, corpus: &Corpus) -> Program {
    let mut p = base;
    for _ in 0..1 + rng.below(3) {
        let n = p.coroutines.len().max(1) as u32;
        match rng.below(14) {
            // Steps inside loops over big lists, nested.
            0 => {
                let c = rng.below(n as u64) as usize;
                if let Some(coro) = p.coroutines.get_mut(c) {
                    for level in 0..1 + rng.below(8) {
                        let items = [2, 10, 100, 1000][rng.below(4) as usize];
                        coro.body = vec![Step::ForEach {
                            var: format!("x{level}"),
                            list: Expr::Lit(Value::List(
                                (0..items).map(Value::Int).collect::<Vec<_>>().into(),
                            )),
                            body: std::mem::take(&mut coro.body),
                        }];
                    }
                }
            }
            // Two tasks that wait for each other.
            1 if n >= 3 => {
                let (a, b) = (
                    1 + rng.below(n as u64 - 1) as u32,
                    1 + rng.below(n as u64 - 1) as u32,
                );
                let wait = |rng: &mut Rng, t: u32| match rng.below(4) {
                    0 => Step::Gather {
                        items: vec![Awaitable::Task(t)],
                        return_exceptions: rng.chance(50),
                        bind: None,
                    },
                    1 => Step::WaitFor {
                        target: Awaitable::Task(t),
                        timeout: rng.chance(50).then_some(1.0),
                        bind: None,
                    },
                    2 => Step::Shield {
                        target: Awaitable::Task(t),
                        bind: None,
                    },
                    _ => Step::Await {
                        target: Awaitable::Task(t),
                        bind: None,
                    },
                };
                let (wa, wb) = (wait(rng, b), wait(rng, a));
                p.coroutines[a as usize].body.insert(0, wa);
                p.coroutines[b as usize].body.insert(0, wb);
                for t in [a, b] {
                    p.coroutines[0].body.insert(0, Step::CreateTask { coro: t });
                }
                if rng.chance(50) {
                    p.coroutines[0].body.push(Step::Cancel {
                        task: a,
                        bind: None,
                    });
                }
            }
            // Numbers at and past the limits.
            2 => {
                for coro in &mut p.coroutines {
                    for step in &mut coro.body {
                        match step {
                            Step::Sleep { seconds } | Step::Block { seconds } => {
                                *seconds = hostile_number(rng)
                            }
                            Step::WaitFor { timeout, .. } => *timeout = Some(hostile_number(rng)),
                            _ => {}
                        }
                    }
                }
                p.coroutines[0].body.push(Step::sleep(hostile_number(rng)));
            }
            // Many coroutines, gathered at once.
            3 => {
                let extra = [10, 100, 1000, 1200][rng.below(4) as usize];
                let first = p.coroutines.len() as u32;
                for i in 0..extra {
                    p.coroutines.push(Coroutine::new(
                        &format!("w{i}_{first}"),
                        vec![
                            Step::sleep(rng.below(3) as f64),
                            Step::ret(Expr::int(i as i64)),
                        ],
                    ));
                }
                p.coroutines[0].body.push(Step::Gather {
                    items: (first..first + extra).map(Awaitable::Coro).collect(),
                    return_exceptions: false,
                    bind: None,
                });
            }
            // Blocks nested deep, of every kind.
            4 => {
                let c = rng.below(n as u64) as usize;
                if let Some(coro) = p.coroutines.get_mut(c) {
                    let mut body = std::mem::take(&mut coro.body);
                    for _ in 0..rng.below(40) {
                        body = vec![match rng.below(5) {
                            0 => Step::If {
                                cond: Expr::int(1),
                                then: body,
                                otherwise: vec![],
                            },
                            1 => Step::Try {
                                body,
                                handlers: vec![Handler {
                                    kind: ExcKind::ValueError,
                                    body: vec![],
                                }],
                                finally: vec![Step::print([Expr::str("finally")])],
                            },
                            2 => Step::Try {
                                body: vec![],
                                handlers: vec![Handler {
                                    kind: ExcKind::Exception,
                                    body,
                                }],
                                finally: vec![],
                            },
                            3 => Step::ForEach {
                                var: "x0".into(),
                                list: Expr::Lit(Value::List(vec![Value::Int(1)].into())),
                                body,
                            },
                            _ => Step::AsCompleted {
                                items: vec![],
                                timeout: None,
                                bind: None,
                                body,
                            },
                        }];
                    }
                    coro.body = body;
                }
            }
            // A chain of coroutines awaiting the next inline, some twice.
            5 => {
                let first = p.coroutines.len() as u32;
                let length = 1 + rng.below(150) as u32;
                let twice = rng.chance(30);
                for i in 0..length {
                    let next = Step::Await {
                        target: Awaitable::Coro(first + i + 1),
                        bind: None,
                    };
                    let body = if i + 1 == length {
                        vec![Step::print([Expr::str("end of the chain")])]
                    } else if twice {
                        vec![next.clone(), next]
                    } else {
                        vec![next]
                    };
                    p.coroutines
                        .push(Coroutine::new(&format!("link{i}_{first}"), body));
                }
                p.coroutines[0].body.push(Step::Await {
                    target: Awaitable::Coro(first),
                    bind: None,
                });
            }
            // Big values printed, returned, put.
            6 => {
                let c = rng.below(n as u64) as usize;
                let e = Expr::Lit(literal(rng, 0));
                p.coroutines[c].body.insert(0, Step::print([e.clone(), e]));
            }
            // Names of every kind.
            7 => {
                for (i, coro) in p.coroutines.iter_mut().enumerate().skip(1) {
                    if rng.chance(30) {
                        coro.name = hostile_name(rng, i);
                    }
                    if rng.chance(10) {
                        coro.task_name = Some(hostile_string(rng));
                    }
                }
                if rng.chance(30) {
                    p.futures.push(hostile_name(rng, 0));
                }
            }
            // Work handed to the side loop.
            8 if n >= 2 => {
                let c = 1 + rng.below(n as u64 - 1) as u32;
                p.coroutines[0].body.push(Step::Await {
                    target: Awaitable::SideLoop(c),
                    bind: None,
                });
            }
            // Lines after asyncio.run, callbacks and timers.
            9 => {
                p.epilogue
                    .push((0..1 + rng.below(3)).map(|_| expr(rng, n)).collect());
                p.callbacks.push(CallbackFn {
                    name: format!("cb{}", p.callbacks.len()),
                    print: vec![expr(rng, n)],
                });
                let callback = p.callbacks.len() as u32 - 1;
                p.coroutines[0].body.push(Step::CallLater {
                    delay: hostile_number(rng),
                    callback,
                });
            }
            // Jobs on the executor's threads.
            10 => {
                p.jobs.push(Job::new(
                    &format!("job{}", p.jobs.len()),
                    vec![
                        Step::Block {
                            seconds: hostile_number(rng),
                        },
                        Step::print([expr(rng, n)]),
                        Step::ret(expr(rng, n)),
                    ],
                ));
                let job = p.jobs.len() as u32 - 1;
                p.coroutines[0].body.push(Step::Gather {
                    items: vec![Awaitable::Job(job), Awaitable::Job(job)],
                    return_exceptions: true,
                    bind: None,
                });
            }
            // Layers of tasks, each gathering every task of the next layer
            // (the same one twice, sometimes): one cancel goes down every
            // path; results repeat children.
            11 => {
                let (layers, width) = (1 + rng.below(40) as u32, 1 + rng.below(3) as u32);
                let first = p.coroutines.len() as u32;
                let task = |layer: u32, i: u32| first + layer * width + i;
                for layer in 0..layers {
                    for i in 0..width {
                        let body = if layer + 1 == layers {
                            vec![Step::sleep(1.0), Step::ret(Expr::Lit(literal(rng, 0)))]
                        } else {
                            let mut items: Vec<Awaitable> = (0..width)
                                .map(|j| Awaitable::Task(task(layer + 1, j)))
                                .collect();
                            if rng.chance(50) {
                                items.extend(items.clone());
                            }
                            vec![
                                Step::Gather {
                                    items,
                                    return_exceptions: rng.chance(50),
                                    bind: Some("r".into()),
                                },
                                Step::ret(Expr::var("r")),
                            ]
                        };
                        p.coroutines
                            .push(Coroutine::new(&format!("l{layer}_{i}_{first}"), body));
                    }
                }
                for t in (0..layers * width).rev() {
                    p.coroutines[0]
                        .body
                        .insert(0, Step::CreateTask { coro: first + t });
                }
                p.coroutines[0].body.push(Step::sleep(0.5));
                if rng.chance(50) {
                    p.coroutines[0].body.push(Step::Cancel {
                        task: first,
                        bind: None,
                    });
                }
                let top = Expr::Result(first);
                p.coroutines[0].body.push(Step::Await {
                    target: Awaitable::Task(first),
                    bind: None,
                });
                p.coroutines[0]
                    .body
                    .push(Step::print(vec![top; 1 + rng.below(100) as usize]));
            }
            // Big values printed again and again.
            12 => {
                let e = Expr::Lit(Value::str(&"x".repeat(10_000)));
                let c = rng.below(n as u64) as usize;
                p.coroutines[c].body.insert(
                    0,
                    Step::ForEach {
                        var: "x0".into(),
                        list: Expr::Lit(Value::List(
                            (0..1000).map(Value::Int).collect::<Vec<_>>().into(),
                        )),
                        body: vec![Step::print(vec![e; 100])],
                    },
                );
            }
            // Another scenario's coroutines, references and all.
            _ => {
                let other = &corpus.programs[rng.below(corpus.programs.len() as u64) as usize];
                p.coroutines
                    .extend(other.coroutines.iter().skip(1).cloned().map(|mut c| {
                        c.name = format!("{}_{}", c.name, rng.below(1000));
                        c
                    }));
            }
        }
    }
    p
}

fn random_path(rng: &mut Rng, p: &Program) -> StepAt {
    let coro = rng.below(p.coroutines.len() as u64 + 1) as u32;
    let len = p.coroutines.get(coro as usize).map_or(1, |c| c.body.len());
    let mut path = vec![rng.below(len as u64 + 1) as u32];
    if rng.chance(20) {
        path.extend([rng.below(3) as u32, rng.below(3) as u32]);
    }
    StepAt { coro, path }
}

fn random_edit(rng: &mut Rng, p: &Program) -> Edit {
    let coro = rng.below(p.coroutines.len() as u64 + 1) as u32;
    match rng.below(16) {
        0 => Edit::AddCoroutine,
        1 => Edit::RenameCoroutine {
            coro,
            name: hostile_name(rng, coro as usize),
        },
        2 => Edit::SetTaskName {
            coro,
            task_name: rng.chance(50).then(|| hostile_string(rng)),
        },
        3 => Edit::DuplicateCoroutine { coro },
        4 => Edit::RemoveCoroutine { coro },
        5 => Edit::MoveCoroutine {
            coro,
            delta: rng.below(5) as i32 - 2,
        },
        6 | 7 => {
            let kind = StepKind::ALL[rng.below(StepKind::ALL.len() as u64) as usize];
            let at = random_path(rng, p);
            let index = at.path[0];
            Edit::InsertStep {
                block: BlockAt {
                    coro: at.coro,
                    path: at.path[1..].to_vec(),
                },
                index,
                step: kind.template(p, at.coro.min(p.coroutines.len().saturating_sub(1) as u32)),
            }
        }
        8 => {
            let kind = StepKind::ALL[rng.below(StepKind::ALL.len() as u64) as usize];
            let at = random_path(rng, p);
            let step = kind.template(p, at.coro.min(p.coroutines.len().saturating_sub(1) as u32));
            Edit::ReplaceStep { at, step }
        }
        9 => Edit::RemoveStep {
            at: random_path(rng, p),
        },
        10 => Edit::DuplicateStep {
            at: random_path(rng, p),
        },
        11 => Edit::MoveStep {
            at: random_path(rng, p),
            delta: rng.below(5) as i32 - 2,
        },
        12 => Edit::AddCallback,
        13 => Edit::AddJob,
        14 => Edit::AddObject {
            kind: [
                ObjectKind::Future,
                ObjectKind::Lock,
                ObjectKind::Semaphore,
                ObjectKind::Event,
                ObjectKind::Queue,
            ][rng.below(5) as usize],
        },
        _ => Edit::SetEpilogue {
            lines: vec![vec![expr(rng, p.coroutines.len() as u32)]],
        },
    }
}

/// Runs an input through what a page does with a link or an edit.
pub fn exercise(input: &Input) -> Exercised {
    let mut broken = None;
    let program = match (&input.text, &input.program) {
        (Some(text), _) => {
            if let Some(json) = &input.json {
                let _ = Program::from_json(json);
            }
            match link::decode(text) {
                Ok(shared) => shared.program,
                Err(e) => {
                    if e.to_string().trim().is_empty() {
                        broken = Some("a link was refused with an empty message".into());
                    }
                    return Exercised {
                        ending: Ending::Undecodable,
                        accepted_python: None,
                        broken,
                    };
                }
            }
        }
        (None, Some(program)) => {
            let mut editor = Editor::new(program.clone());
            for edit in &input.edits {
                let _ = editor.apply(edit.clone());
            }
            for _ in 0..input.edits.len() / 3 {
                editor.undo();
            }
            editor.program
        }
        (None, None) => Program::default(),
    };
    // The page shows the Python of any program, problems and all.
    let (python, _lines) = crate::python::export_with_lines(&program);
    let budget = Budget::default();
    let problems = validate(&program, &budget);
    if problems.iter().any(|p| p.severity == Severity::Error) {
        if problems.iter().any(|p| p.message.trim().is_empty()) {
            broken = Some("a problem with an empty message".into());
        }
        return Exercised {
            ending: Ending::Refused,
            accepted_python: None,
            broken,
        };
    }
    // A valid program's link opens to the same program.
    match link::decode(&link::encode(&shared(program.clone()))) {
        Ok(back) if back.program == program => {}
        Ok(_) => broken = Some("a link gave back another program".into()),
        Err(e) => broken = Some(format!("a valid program's link was refused: {e}")),
    }
    let ending = run_as_the_page_does(&program);
    Exercised {
        ending,
        accepted_python: Some(python),
        broken,
    }
}

/// What the page runs for a program: the run behind the output panel, the
/// player's recording with positions, the views of its last moment, an
/// earlier moment replayed, and the same moment with a task cancelled.
fn run_as_the_page_does(program: &Program) -> Ending {
    let Ok(mut sim) = Simulation::new(program.clone()) else {
        return Ending::Refused;
    };
    let status = sim.run_to_end().clone();
    let raised = sim.uncaught().is_some();
    let _ = sim.output_text();
    drop(sim);
    let Ok(mut player) = Simulation::new(program.clone()) else {
        return Ending::Refused;
    };
    player.track_positions();
    let recording = player.record();
    let snapshot = player.snapshot();
    let _ = await_tree(&snapshot);
    player.with_loop(|l| {
        let _ = lanes(l);
        // The story's last sentences, in the words the page shows.
        let told = l.narrative();
        for t in &told[told.len().saturating_sub(300)..] {
            let _ = crate::i18n::say(crate::i18n::Lang::Zh, &l.said(t));
        }
    });
    if let Some(mark) = recording.marks.get(recording.marks.len() / 2) {
        let _ = snapshot_at_with(program, mark.iteration, &[]);
        let task = TaskId((mark.iteration % 7).min(snapshot.tasks.len() as u32));
        let _ = snapshot_at_with(program, mark.iteration + 1, &[(mark.iteration, task)]);
    }
    match status {
        Status::Finished if raised => Ending::Raised,
        Status::Finished | Status::Running => Ending::Finished,
        Status::Deadlock(_) => Ending::Deadlock,
        Status::Stopped(_) => Ending::Stopped,
    }
}
