//! The web app's entry point: mounts the playground. Trunk builds it for wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {
    asyncio_playground::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "playground-web is the browser build; serve it with `scripts/serve`. \
         For the command-line tool, run `cargo run --bin asyncio-playground -- --help`."
    );
    std::process::exit(2);
}
