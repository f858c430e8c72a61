//! The engine benchmark: `asyncio-playground bench --tasks N` runs the
//! standard workload and prints throughput and memory per task.
//!
//! The workload: N tasks; task i sleeps d = ((i*7919) % 1000) ms, then d/2,
//! then 0, and returns i; all gathered by main; the trace recorded as in
//! normal use.

use crate::engine::{Awaitable, Budget, Coroutine, Expr, Program, Simulation, Status, Step};

/// The standard workload as a program.
pub fn workload(tasks: usize) -> Program {
    let mut coroutines = Vec::with_capacity(tasks + 1);
    coroutines.push(Coroutine::new(
        "main",
        vec![Step::Gather {
            items: (1..=tasks as u32).map(Awaitable::Coro).collect(),
            return_exceptions: false,
            bind: None,
        }],
    ));
    for i in 0..tasks {
        let d = ((i * 7919) % 1000) as f64 / 1000.0;
        coroutines.push(Coroutine::new(
            &format!("work_{i}"),
            vec![
                Step::sleep(d),
                Step::sleep(d / 2.0),
                Step::sleep(0.0),
                Step::ret(Expr::int(i as i64)),
            ],
        ));
    }
    Program {
        coroutines,
        ..Program::default()
    }
}

/// What one benchmark run measured.
#[derive(Clone)]
pub struct Figures {
    pub tasks: usize,
    pub seconds: f64,
    /// Of `seconds`, how long checking the program and setting up the
    /// loop took, before the first callback ran.
    pub setup_seconds: f64,
    pub events: usize,
    pub bytes: usize,
}

impl Figures {
    /// One run's line: its time, and how much of it was setup, then
    /// [`line`](Self::line).
    pub fn run_line(&self, run: usize) -> String {
        format!(
            "run {run}: seconds={:.3} setup_seconds={:.3} {}",
            self.seconds,
            self.setup_seconds,
            self.line()
        )
    }

    pub fn line(&self) -> String {
        format!(
            "tasks_per_s={} events_per_s={} bytes_per_task={}",
            (self.tasks as f64 / self.seconds) as u64,
            (self.events as f64 / self.seconds) as u64,
            self.bytes / self.tasks.max(1)
        )
    }
}

/// A budget large enough for the workload, so the benchmark measures the
/// engine rather than the limits.
pub fn budget_for(tasks: usize) -> Budget {
    Budget {
        max_coroutines: tasks + 100,
        max_program_steps: 10 * tasks + 1_000,
        max_callbacks: 100 * tasks as u64 + 1_000,
        max_steps: 100 * tasks as u64 + 1_000,
        max_tasks: tasks + 100,
        max_trace_events: 100 * tasks + 1_000,
        ..Budget::large()
    }
}

/// Runs the workload once with `now` as the clock; returns the figures.
pub fn measure(tasks: usize, now: impl Fn() -> f64) -> Result<Figures, String> {
    let program = workload(tasks);
    let start = now();
    let mut sim = Simulation::with_budget(program, budget_for(tasks))
        .map_err(|problems| format!("the workload is invalid: {problems:?}"))?;
    let set_up = now();
    match sim.run_to_end() {
        Status::Finished => {}
        other => return Err(format!("the workload did not finish: {other:?}")),
    }
    let seconds = (now() - start).max(1e-9);
    let (events, bytes) = sim.with_loop(|l| (l.trace.len(), l.approx_bytes()));
    Ok(Figures {
        tasks,
        seconds,
        setup_seconds: set_up - start,
        events,
        bytes,
    })
}

/// How many times the benchmark runs the workload. This machine's speed
/// drifts by a third from one run to the next, so one run says little;
/// the figures reported are the median run's. The first run also pays for
/// the memory the system hands over; later runs reuse it, as a page that
/// runs one scenario after another does.
pub const RUNS: usize = 5;

/// A short warm-up, then the workload [`RUNS`] times: each run's figures,
/// and the median run's.
pub fn measure_runs(
    tasks: usize,
    now: impl Fn() -> f64,
) -> Result<(Vec<Figures>, Figures), String> {
    let _ = measure(tasks.min(1_000), &now);
    let runs = (0..RUNS)
        .map(|_| measure(tasks, &now))
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_time: Vec<&Figures> = runs.iter().collect();
    by_time.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let median = by_time[RUNS / 2].clone();
    Ok((runs, median))
}

pub fn run_cli(args: &[&str]) -> i32 {
    let tasks = match args {
        [] => 100_000,
        ["--tasks", n] => match n.parse::<usize>() {
            Ok(n) if (1..=5_000_000).contains(&n) => n,
            _ => {
                eprintln!("--tasks takes a whole number from 1 to 5000000, not `{n}`");
                return 2;
            }
        },
        _ => {
            eprintln!("usage: asyncio-playground bench [--tasks N]");
            return 2;
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        let origin = std::time::Instant::now();
        let now = || origin.elapsed().as_secs_f64();
        match measure_runs(tasks, now) {
            Ok((runs, median)) => {
                for (i, f) in runs.iter().enumerate() {
                    println!("{}", f.run_line(i + 1));
                }
                println!(
                    "tasks={} runs={RUNS} median seconds={:.3} events={}",
                    median.tasks, median.seconds, median.events
                );
                println!("{}", median.line());
                0
            }
            Err(e) => {
                eprintln!("{e}");
                1
            }
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = tasks;
        eprintln!("the native benchmark does not run on wasm32");
        2
    }
}

/// The tracer's benchmark: `asyncio-playground bench-tracer` runs every
/// gallery preset's Python, and the standard workload's at 100 and 1,000
/// tasks, under CPython with the tracer recording and without, and prints
/// how long each took (the median of `repeat` runs, in CPython, not
/// counting its start) and how long the recording takes per iteration.
/// The tracer will run on every edit in the browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn tracer_cli(args: &[&str]) -> i32 {
    let repeat = match args {
        [] => 5,
        ["--repeat", n] => match n.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                eprintln!("--repeat takes a whole number from 1 to 100, not `{n}`");
                return 2;
            }
        },
        _ => {
            eprintln!("usage: asyncio-playground bench-tracer [--repeat N]");
            return 2;
        }
    };
    let mut programs: Vec<(String, String)> = crate::gallery::presets()
        .into_iter()
        .map(|p| (p.id.to_string(), crate::python::export(&p.program)))
        .collect();
    let presets = programs.len();
    for tasks in [100, 1000] {
        let name = format!("workload_{tasks}_tasks");
        programs.push((name, crate::python::export(&workload(tasks))));
    }
    match measure_tracer(&programs, repeat) {
        Ok(figures) => {
            for f in &figures {
                println!("{}", f.line());
            }
            let largest = figures[..presets]
                .iter()
                .max_by_key(|f| f.iterations)
                .expect("the gallery has presets");
            println!("largest preset: {}", largest.line());
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
struct TracerFigures {
    name: String,
    iterations: usize,
    traced_seconds: f64,
    untraced_seconds: f64,
}

#[cfg(not(target_arch = "wasm32"))]
impl TracerFigures {
    fn line(&self) -> String {
        let per_iteration =
            (self.traced_seconds - self.untraced_seconds).max(0.0) / self.iterations.max(1) as f64;
        format!(
            "tracer bench {}: iterations={} traced_ms={:.2} untraced_ms={:.2} \
             recording_us_per_iteration={:.1} traced_us_per_iteration={:.1}",
            self.name,
            self.iterations,
            self.traced_seconds * 1e3,
            self.untraced_seconds * 1e3,
            per_iteration * 1e6,
            self.traced_seconds * 1e6 / self.iterations.max(1) as f64,
        )
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn measure_tracer(
    programs: &[(String, String)],
    repeat: usize,
) -> Result<Vec<TracerFigures>, String> {
    use crate::python::cpython::{run_batch, trace_batch};
    let sources: Vec<String> = programs.iter().map(|(_, s)| s.clone()).collect();
    let mut traced = vec![Vec::new(); sources.len()];
    let mut untraced = vec![Vec::new(); sources.len()];
    let mut iterations = vec![0; sources.len()];
    for _ in 0..repeat {
        for (i, run) in trace_batch(&sources)?.into_iter().enumerate() {
            let trace = run.trace.ok_or("the tracer recorded nothing")?;
            iterations[i] = trace.iterations.len();
            traced[i].push(run.seconds.ok_or("the tracer gave no time")?);
        }
        for (i, run) in run_batch(&sources)?.into_iter().enumerate() {
            untraced[i].push(run.seconds.ok_or("the tracer gave no time")?);
        }
    }
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    Ok(programs
        .iter()
        .enumerate()
        .map(|(i, (name, _))| TracerFigures {
            name: name.clone(),
            iterations: iterations[i],
            traced_seconds: median(std::mem::take(&mut traced[i])),
            untraced_seconds: median(std::mem::take(&mut untraced[i])),
        })
        .collect())
}
