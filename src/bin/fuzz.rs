//! The fuzz harness: `fuzz [--count N] [--seed S] [--out DIR]` runs N
//! inputs (see `asyncio_playground::fuzz`) through everything a page does
//! with a link or an edit, and reports panics, aborts, hangs, programs
//! CPython refuses to compile, the slowest inputs and the most memory one
//! used. `fuzz --one S:I` replays input I of seed S.
//!
//! The inputs run in a child process, on a thread with the browser's
//! stack (1 MiB), so an abort or a stack overflow ends only the child: the
//! parent records the input that was running and starts a new child after
//! it. A child silent for 20 s is killed and its input reported as a hang.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

// The harness is native: it runs children and CPython.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::collections::BTreeMap;
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, ExitCode, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use std::time::{Duration, Instant};

    use asyncio_playground::fuzz::{exercise, input, Corpus, Ending, Kind};
    use asyncio_playground::python::cpython as oracle;

    /// Counts the bytes allocated, and the most held at once since `reset`.
    struct Counting;

    static HELD: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    // SAFETY: every call is passed on to the system allocator unchanged; the
    // counters only observe sizes.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let held = HELD.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(held, Relaxed);
            System.alloc(layout)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            HELD.fetch_sub(layout.size(), Relaxed);
            System.dealloc(ptr, layout)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if new_size > layout.size() {
                let held =
                    HELD.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
                PEAK.fetch_max(held, Relaxed);
            } else {
                HELD.fetch_sub(layout.size() - new_size, Relaxed);
            }
            System.realloc(ptr, layout, new_size)
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// The browser's stack for a wasm32 program (Rust's default there).
    const STACK: usize = 1 << 20;
    /// A child that says nothing for this long is stuck.
    const SILENCE: Duration = Duration::from_secs(20);
    /// The goals the report checks the figures against.
    const SLOW_MS: f64 = 100.0;
    const MEMORY_LIMIT: usize = 500 << 20;

    struct Options {
        count: u64,
        seed: u64,
        out: std::path::PathBuf,
    }

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            ["--worker", seed, from, to] => {
                let (Ok(seed), Ok(from), Ok(to)) = (seed.parse(), from.parse(), to.parse()) else {
                    return ExitCode::from(2);
                };
                worker(seed, from, to)
            }
            ["--one", which] => match which.split_once(':').map(|(s, i)| (s.parse(), i.parse())) {
                Some((Ok(seed), Ok(index))) => one(seed, index),
                _ => usage("--one takes SEED:INDEX"),
            },
            rest => match options(rest) {
                Ok(options) => parent(&options),
                Err(message) => usage(&message),
            },
        }
    }

    fn usage(message: &str) -> ExitCode {
        eprintln!(
            "{message}\nusage: fuzz [--count N] [--seed S] [--out DIR] | fuzz --one SEED:INDEX"
        );
        ExitCode::from(2)
    }

    fn options(args: &[&str]) -> Result<Options, String> {
        let mut options = Options {
            count: 10_000,
            seed: 1,
            out: "target/fuzz".into(),
        };
        for pair in args.chunks(2) {
            let [name, value] = pair else {
                return Err(format!("{} needs a value", pair[0]));
            };
            match *name {
                "--count" => options.count = value.parse().map_err(|_| "--count takes a number")?,
                "--seed" => options.seed = value.parse().map_err(|_| "--seed takes a number")?,
                "--out" => options.out = value.into(),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }

    /// Replays one input and says what it did.
    fn one(seed: u64, index: u64) -> ExitCode {
        let corpus = Corpus::default();
        let input = input(&corpus, seed, index);
        print!("{}", input.describe());
        let start = Instant::now();
        let done = exercise(&input);
        println!(
            "ending: {} in {:.1} ms{}",
            done.ending.name(),
            start.elapsed().as_secs_f64() * 1e3,
            done.broken
                .map(|b| format!("; broken: {b}"))
                .unwrap_or_default()
        );
        if let Some(python) = done.accepted_python {
            println!("--- the Python it exports\n{python}");
        }
        ExitCode::SUCCESS
    }

    /// The child: runs inputs `from..to`, one line per event on stdout.
    fn worker(seed: u64, from: u64, to: u64) -> ExitCode {
        // A panic is reported as a line, not as a message on stderr.
        std::panic::set_hook(Box::new(|_| {}));
        let run = std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || {
                let corpus = Corpus::default();
                let mut compiler = oracle::Compiler::start().ok();
                let stdout = std::io::stdout();
                for index in from..to {
                    let input = input(&corpus, seed, index);
                    {
                        let mut out = stdout.lock();
                        let _ = writeln!(out, "start {index}");
                        let _ = out.flush();
                    }
                    let base = HELD.load(Relaxed);
                    PEAK.store(base, Relaxed);
                    let start = Instant::now();
                    let result = std::panic::catch_unwind(|| exercise(&input));
                    let micros = start.elapsed().as_micros();
                    let peak = PEAK.load(Relaxed).saturating_sub(base);
                    let mut out = stdout.lock();
                    match result {
                        Ok(done) => {
                            if let (Some(python), Some(c)) =
                                (&done.accepted_python, compiler.as_mut())
                            {
                                let _ = c.check(index as usize, python);
                            }
                            if let Some(broken) = done.broken {
                                let _ = writeln!(out, "broken {index} {}", one_line(&broken));
                            }
                            let _ = writeln!(
                                out,
                                "done {index} {} {micros} {peak} {}",
                                kind_code(input.kind),
                                ending_code(done.ending)
                            );
                        }
                        Err(panic) => {
                            let message = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            let _ = writeln!(out, "panic {index} {}", one_line(&message));
                            let _ = writeln!(
                                out,
                                "done {index} {} {micros} {peak} -",
                                kind_code(input.kind)
                            );
                        }
                    }
                }
                if let Some(c) = compiler {
                    let sent = c.sent();
                    match c.finish() {
                        Ok(failures) => {
                            let mut out = stdout.lock();
                            let _ = writeln!(out, "compiled {sent}");
                            for (index, error) in failures {
                                let _ = writeln!(out, "refused {index} {}", one_line(&error));
                            }
                        }
                        Err(e) => println!("compiler-error {}", one_line(&e)),
                    }
                }
            });
        match run.map(|t| t.join()) {
            Ok(Ok(())) => ExitCode::SUCCESS,
            _ => ExitCode::from(3),
        }
    }

    fn one_line(text: &str) -> String {
        text.replace('\n', " | ")
    }

    fn kind_code(kind: Kind) -> usize {
        Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    }

    const ENDINGS: [Ending; 6] = [
        Ending::Undecodable,
        Ending::Refused,
        Ending::Finished,
        Ending::Raised,
        Ending::Deadlock,
        Ending::Stopped,
    ];

    fn ending_code(ending: Ending) -> usize {
        ENDINGS.iter().position(|e| *e == ending).unwrap_or(0)
    }

    /// What went wrong with an input.
    struct Fault {
        index: u64,
        what: &'static str,
        detail: String,
    }

    #[derive(Default)]
    struct Tally {
        done: u64,
        by_kind: BTreeMap<usize, u64>,
        by_ending: BTreeMap<String, u64>,
        faults: Vec<Fault>,
        /// The slowest inputs, `(microseconds, index, kind)`, slowest first.
        slowest: Vec<(u128, u64, usize)>,
        over_slow: u64,
        /// The most memory an input used, and which.
        peak: (usize, u64),
        compiled: u64,
        micros: u128,
    }

    impl Tally {
        fn line(&mut self, line: &str) -> Option<u64> {
            let mut parts = line.splitn(3, ' ');
            let (what, index) = (parts.next()?, parts.next()?.parse::<u64>().ok());
            let rest = parts.next().unwrap_or("");
            match (what, index) {
                ("start", Some(i)) => return Some(i),
                ("done", Some(i)) => {
                    let f: Vec<&str> = rest.split(' ').collect();
                    let kind = f.first()?.parse().ok()?;
                    let micros: u128 = f.get(1)?.parse().ok()?;
                    let peak: usize = f.get(2)?.parse().ok()?;
                    self.done += 1;
                    self.micros += micros;
                    *self.by_kind.entry(kind).or_default() += 1;
                    let ending = f
                        .get(3)
                        .and_then(|e| e.parse::<usize>().ok())
                        .map_or("panicked", |e| ENDINGS[e].name());
                    *self.by_ending.entry(ending.into()).or_default() += 1;
                    if micros as f64 > SLOW_MS * 1e3 {
                        self.over_slow += 1;
                    }
                    self.slowest.push((micros, i, kind));
                    self.slowest.sort_by(|a, b| b.cmp(a));
                    self.slowest.truncate(10);
                    if peak > self.peak.0 {
                        self.peak = (peak, i);
                    }
                }
                ("panic", Some(i)) => self.fault(i, "panic", rest),
                ("broken", Some(i)) => self.fault(i, "broken promise", rest),
                ("refused", Some(i)) => self.fault(i, "CPython refused its Python", rest),
                ("compiled", Some(n)) => self.compiled += n,
                _ => {}
            }
            None
        }

        fn fault(&mut self, index: u64, what: &'static str, detail: &str) {
            self.faults.push(Fault {
                index,
                what,
                detail: detail.to_string(),
            });
        }
    }

    fn parent(options: &Options) -> ExitCode {
        let started = Instant::now();
        let exe = std::env::current_exe().expect("the harness's own path");
        let mut tally = Tally::default();
        let mut next = 0;
        while next < options.count {
            let mut child = match Command::new(&exe)
                .args([
                    "--worker",
                    &options.seed.to_string(),
                    &next.to_string(),
                    &options.count.to_string(),
                ])
                .stdout(Stdio::piped())
                .spawn()
            {
                Ok(child) => child,
                Err(e) => {
                    eprintln!("cannot start a worker: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let stdout = child.stdout.take().expect("a piped stdout");
            let (send, lines) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
            let mut running = None;
            let mut hung = false;
            loop {
                match lines.recv_timeout(SILENCE) {
                    Ok(line) => {
                        if let Some(i) = tally.line(&line) {
                            running = Some(i);
                            if i % 100_000 == 0 && i > 0 {
                                eprintln!("  {i} inputs, {:.0} s", started.elapsed().as_secs_f64());
                            }
                        } else if line.starts_with("done ") {
                            running = None;
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        hung = true;
                        let _ = child.kill();
                        break;
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            let status = child.wait();
            match running {
                // It ended, or was ended, in the middle of an input.
                Some(i) => {
                    let what = if hung { "hang" } else { "abort" };
                    let detail = format!("{status:?}");
                    tally.fault(i, what, &detail);
                    next = i + 1;
                }
                None => next = options.count,
            }
        }
        report(options, &tally, started.elapsed())
    }

    fn report(options: &Options, tally: &Tally, took: Duration) -> ExitCode {
        let corpus = Corpus::default();
        println!(
            "fuzz: {} inputs, seed {}, in {:.0} s ({:.2} ms each on average)",
            tally.done,
            options.seed,
            took.as_secs_f64(),
            tally.micros as f64 / 1e3 / tally.done.max(1) as f64
        );
        let kinds: Vec<String> = tally
            .by_kind
            .iter()
            .map(|(k, n)| format!("{} {n}", Kind::ALL[*k].name()))
            .collect();
        println!("  inputs: {}", kinds.join(", "));
        let endings: Vec<String> = tally
            .by_ending
            .iter()
            .map(|(e, n)| format!("{e} {n}"))
            .collect();
        println!("  endings: {}", endings.join(", "));
        let count = |what: &str| tally.faults.iter().filter(|f| f.what == what).count();
        println!(
            "  panics {}, aborts {}, hangs {}, broken promises {}; CPython compiled {} exports and refused {}",
            count("panic"),
            count("abort"),
            count("hang"),
            count("broken promise"),
            tally.compiled,
            count("CPython refused its Python")
        );
        println!(
            "  inputs over {SLOW_MS} ms: {}; slowest (replay with `fuzz --one {}:INDEX`):",
            tally.over_slow, options.seed
        );
        for (micros, index, kind) in &tally.slowest {
            println!(
                "    {:>8.1} ms  {:<15} {index}",
                *micros as f64 / 1e3,
                Kind::ALL[*kind].name()
            );
        }
        println!(
            "  most memory one input used: {:.1} MB (input {})",
            tally.peak.0 as f64 / (1 << 20) as f64,
            tally.peak.1
        );
        if !tally.faults.is_empty() {
            let _ = std::fs::create_dir_all(&options.out);
            for fault in &tally.faults {
                let file = options
                    .out
                    .join(format!("{}-{}.txt", options.seed, fault.index));
                let text = format!(
                    "{}: {}\nreplay: fuzz --one {}:{}\n{}",
                    fault.what,
                    fault.detail,
                    options.seed,
                    fault.index,
                    input(&corpus, options.seed, fault.index).describe()
                );
                let _ = std::fs::write(&file, text);
                println!(
                    "  {} at input {}: {} (saved in {})",
                    fault.what,
                    fault.index,
                    fault.detail,
                    file.display()
                );
            }
        }
        let failed =
            !tally.faults.is_empty() || tally.peak.0 > MEMORY_LIMIT || tally.done < options.count;
        println!("fuzz: {}", if failed { "FAILED" } else { "ok" });
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}
