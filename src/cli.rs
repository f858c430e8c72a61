//! The command-line interface: parses arguments and dispatches to commands.
//! Every command returns an exit code instead of panicking on bad input.

const USAGE: &str = "\
asyncio-playground: run asyncio task graphs natively

USAGE:
    asyncio-playground <COMMAND> [OPTIONS]

COMMANDS:
    version     Print the version
    help        Print this message
";

/// Runs the command line given without the program name; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            0
        }
        Some("version" | "--version" | "-V") => {
            println!("asyncio-playground {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some(other) => {
            eprintln!("unknown command `{other}`\n\n{USAGE}");
            2
        }
    }
}
