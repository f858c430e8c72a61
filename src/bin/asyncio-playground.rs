//! The native command-line tool: `asyncio-playground <command>`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(asyncio_playground::cli::run(&args));
}
