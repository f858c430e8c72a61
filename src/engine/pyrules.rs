//! What CPython 3.11 accepts in the Python the playground exports: names
//! and how deeply blocks nest. The validator holds programs to these rules
//! and the exporter relies on them, so they live below both.

use super::program::Step;
use super::trace::Said;

/// The names the exported program cannot give to a user's thing: Python's
/// keywords, and the names the exported program itself uses. A `match`,
/// which compares by length first: every coroutine's name passes through
/// here when a program is checked.
pub fn is_reserved(name: &str) -> bool {
    matches!(
        name,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
            | "asyncio"
            | "time"
            | "begin"
            | "print"
            | "len"
            | "sorted"
            | "threading"
            | "side_loop"
            | "side_thread"
            | "next_done"
            | "_done"
            | "_pending"
            | "float"
            | "Exception"
            | "ValueError"
            | "TimeoutError"
            | "RuntimeError"
            | "KeyError"
            | "TypeError"
            | "ZeroDivisionError"
            | "RecursionError"
    )
}

/// The longest name the playground accepts, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// Why `name` cannot be used as it is in the exported Python, if it cannot.
#[inline]
pub fn name_problem(name: &str) -> Option<String> {
    name_said(name).map(|said| crate::i18n::say(crate::i18n::Lang::En, &said))
}

/// What is wrong with a name, as data for the page to word.
pub fn name_said(name: &str) -> Option<Said> {
    // The common case, a short ASCII name, in one pass over its bytes.
    let b = name.as_bytes();
    let plain = b.len() <= MAX_NAME_CHARS
        && b.first().is_some_and(|c| !c.is_ascii_digit())
        && b.iter().all(|c| IDENTIFIER_BYTE[*c as usize])
        && !is_reserved(name);
    if plain {
        None
    } else {
        unusual_name_problem(name)
    }
}

/// The ASCII bytes a Python identifier may contain: one load a byte, for
/// the 100,000 names of a benchmark's program.
static IDENTIFIER_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

#[cold]
fn unusual_name_problem(name: &str) -> Option<Said> {
    if name.is_empty() {
        return Some(Said::new("problem.name_empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Some(
            Said::new("problem.name_too_long")
                .with(
                    "name",
                    name.chars().take(MAX_NAME_CHARS).collect::<String>(),
                )
                .with("max", MAX_NAME_CHARS),
        );
    }
    for (i, c) in name.chars().enumerate() {
        match char_kind(c) {
            CharKind::Changed => {
                return Some(
                    Said::new("problem.name_normalized")
                        .with("name", name)
                        .with("c", format!("{c:?}"))
                        .with("code", format!("{:04X}", c as u32)),
                )
            }
            CharKind::Anywhere => {}
            CharKind::NotFirst if i > 0 => {}
            CharKind::NotFirst | CharKind::Never => {
                return Some(Said::new("problem.not_a_name").with("name", name))
            }
        }
    }
    if is_reserved(name) {
        return Some(Said::new("problem.reserved_name").with("name", name));
    }
    None
}

/// Where a character may stand in a name, as CPython 3.11 reads names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CharKind {
    Never,
    /// Letters' companions: digits, combining marks Python keeps.
    NotFirst,
    Anywhere,
    /// Python accepts it but reads the name in NFKC form, where this
    /// character becomes another (`ｍ` is `m`, `²` is `2`) or joins the
    /// one before it.
    Changed,
}

/// The table is generated from CPython 3.11 itself (see
/// `scripts/gen-identifier-table`): Unicode libraries carry newer
/// versions than the 14.0 that 3.11 reads names by, and none says which
/// characters NFKC keeps in a name. Packed (2,029 runs in 2.3 KB, a
/// fourth of what a plain table takes in the page's download), it is read
/// from the start, which only names outside ASCII pay for.
fn char_kind(c: char) -> CharKind {
    let cp = c as u32;
    let (mut start, mut kind) = (0u32, 0u32);
    let mut bytes = super::identifier_table::RUNS.iter();
    loop {
        let (mut value, mut shift) = (0u32, 0);
        for &b in bytes.by_ref() {
            value |= u32::from(b & 0x7F) << shift;
            shift += 7;
            if b < 0x80 {
                break;
            }
        }
        if shift == 0 || start + (value >> 2) > cp {
            break;
        }
        start += value >> 2;
        kind = value & 3;
    }
    match kind {
        0 => CharKind::Never,
        1 => CharKind::NotFirst,
        2 => CharKind::Anywhere,
        _ => CharKind::Changed,
    }
}

/// CPython's compiler keeps a stack of the blocks a statement is inside
/// (`CO_MAXBLOCKS`) and refuses code that needs more than 20: "too many
/// statically nested blocks".
pub const MAX_PYTHON_BLOCKS: u32 = 20;

/// The compiler's blocks a step's sub-blocks sit inside, as the exporter
/// writes the step (`if` needs none; `for` and `async with` one; `try`
/// one for its body, plus one when it has a `finally`; an `except`
/// handler two, inside the `finally`'s one), in `Step::blocks` order;
/// and the most the step itself needs, which can exceed what its
/// sub-blocks sit inside (an empty handler still needs its two).
pub fn python_blocks(step: &Step) -> (Vec<u32>, u32) {
    match step {
        Step::Try {
            handlers, finally, ..
        } => {
            // The exporter writes a `finally` when there is one or when
            // there is no handler.
            let wrapped = u32::from(!finally.is_empty() || handlers.is_empty());
            let mut depths = Vec::with_capacity(handlers.len() + 2);
            if handlers.is_empty() {
                depths.push(wrapped);
            } else {
                depths.push(wrapped + 1);
                depths.extend(handlers.iter().map(|_| wrapped + 2));
            }
            depths.push(1);
            let most = depths.iter().copied().max().unwrap_or(0);
            (depths, most)
        }
        Step::If { .. } => (vec![0, 0], 0),
        Step::ForEach { .. }
        | Step::AsCompleted { .. }
        | Step::WithLock { .. }
        | Step::WithSemaphore { .. } => (vec![1], 1),
        _ => (Vec::new(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_as_cpython_reads_them() {
        for good in ["main", "_x", "任务", "über", "x1", "café", "Δt", "ゆっくり"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for (bad, words) in [
            ("a²", "not a Python name"),
            ("ªb", "another character"),
            ("ｍａｉｎ", "another character"),
            ("ﬁx", "another character"),
            ("1st", "not a Python name"),
            ("a-b", "not a Python name"),
            ("a b", "not a Python name"),
            ("class", "reserved"),
            ("", "empty"),
        ] {
            let problem = name_problem(bad).unwrap_or_default();
            assert!(problem.contains(words), "{bad}: {problem:?}");
        }
    }
}
