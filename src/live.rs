//! The browser driver: runs a simulation live. Loop iterations run on the
//! microtask queue (wasm-bindgen-futures); a gap until the next timer is
//! waited with gloo-timers, scaled by the speed factor. This is the only
//! module that touches JS time.
//!
//! It steps the same engine the virtual driver steps and only decides
//! *when*, so a live run's trace is the virtual run's trace.

use std::cell::{Cell, RefCell};

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_futures::JsFuture;

use crate::engine::Simulation;

/// Work done before yielding to the browser, so it can render and take
/// input: half a 60 Hz frame.
const SLICE_MS: f64 = 8.0;
/// Callbacks run between clock checks inside a slice.
const CALLBACKS_PER_CHECK: usize = 256;
/// Long timer waits are split so a pause takes effect quickly.
const MAX_WAIT_MS: f64 = 100.0;

/// What the page controls while a run is live.
pub struct LiveControl {
    /// Virtual seconds per wall-clock second (0.1 to 10 in the UI).
    pub speed: Cell<f64>,
    pub paused: Cell<bool>,
    /// Virtual seconds waited so far toward the next timer (0 when not
    /// waiting): the page's clock and timers move on while the loop waits.
    pub waited: Cell<f64>,
}

impl Default for LiveControl {
    fn default() -> LiveControl {
        LiveControl {
            speed: Cell::new(1.0),
            paused: Cell::new(false),
            waited: Cell::new(0.0),
        }
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Lets queued microtasks (and yew's scheduler) run before continuing.
async fn next_microtask() {
    let _ = JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL)).await;
}

/// Runs `sim` until it ends or `control` pauses it, calling `on_slice`
/// after each slice of work so views can follow.
pub async fn drive(sim: &RefCell<Simulation>, control: &LiveControl, on_slice: impl FnMut()) {
    drive_watching(sim, control, on_slice, || {}).await
}

/// As `drive`, and calls `on_wait` as each chunk of a wait for a timer
/// passes (`control.waited` says how far it got).
pub async fn drive_watching(
    sim: &RefCell<Simulation>,
    control: &LiveControl,
    mut on_slice: impl FnMut(),
    mut on_wait: impl FnMut(),
) {
    while !control.paused.get() && sim.borrow().is_running() {
        let waited = wait_for_next_timer(sim, control, &mut on_wait).await;
        control.waited.set(0.0);
        if !waited {
            return;
        }
        run_slice(sim).await;
        on_slice();
        // Give the browser a turn (rendering, input) after every slice.
        TimeoutFuture::new(0).await;
    }
}

/// When nothing is ready, waits the wall time the gap to the next timer
/// takes at the current speed, in short chunks so a pause or a change of
/// speed takes effect quickly. Returns false if paused meanwhile.
async fn wait_for_next_timer(
    sim: &RefCell<Simulation>,
    control: &LiveControl,
    on_wait: &mut impl FnMut(),
) -> bool {
    let gap = {
        let sim = sim.borrow();
        if !sim.is_idle() {
            return true;
        }
        match sim.next_deadline() {
            Some(deadline) => (deadline - sim.now()).max(0.0),
            None => return true,
        }
    };
    let mut waited = 0.0;
    loop {
        let speed = control.speed.get().max(0.01);
        let remaining_ms = (gap - waited) * 1000.0 / speed;
        if remaining_ms < 1.0 {
            return true;
        }
        let chunk_ms = remaining_ms.min(MAX_WAIT_MS);
        TimeoutFuture::new(chunk_ms as u32).await;
        waited += chunk_ms * speed / 1000.0;
        if control.paused.get() {
            return false;
        }
        control.waited.set(waited.min(gap));
        on_wait();
    }
}

/// Runs loop iterations, one per microtask, until the slice's time is up
/// or the loop must wait for a timer. An iteration with many callbacks is
/// itself cut into chunks, so no slice runs long.
async fn run_slice(sim: &RefCell<Simulation>) {
    let start = now_ms();
    loop {
        {
            let mut sim = sim.borrow_mut();
            sim.advance(CALLBACKS_PER_CHECK);
            if !sim.is_running() || sim.is_idle() {
                return;
            }
        }
        if now_ms() - start >= SLICE_MS {
            return;
        }
        next_microtask().await;
    }
}
