//! Code that comes in from a web page. Tutorials' pages indent with
//! non-breaking spaces (U+00A0) and, in Chinese ones, ideographic spaces
//! (U+3000); copied into Python they stop it with `SyntaxError: invalid
//! non-printable character`. Outside string literals they become plain
//! spaces; inside one they are the program's own text and stay.

/// The spaces a web page leaves in code that Python refuses.
const PAGE_SPACES: [char; 2] = ['\u{a0}', '\u{3000}'];

/// A program with its page spaces made plain, and how many were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleaned {
    pub text: String,
    pub replaced: usize,
}

enum State {
    Code,
    Comment,
    Str {
        quote: char,
        triple: bool,
        raw: bool,
    },
}

/// Replaces page spaces outside string literals with plain spaces.
pub fn clean_page_spaces(source: &str) -> Cleaned {
    if !source.contains(PAGE_SPACES) {
        return Cleaned {
            text: source.to_string(),
            replaced: 0,
        };
    }
    let chars: Vec<char> = source.chars().collect();
    let mut text = String::with_capacity(source.len());
    let mut replaced = 0;
    let mut state = State::Code;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match state {
            State::Code | State::Comment if PAGE_SPACES.contains(&c) => {
                text.push(' ');
                replaced += 1;
                i += 1;
                continue;
            }
            State::Code => match c {
                '#' => state = State::Comment,
                '\'' | '"' => {
                    let triple = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                    state = State::Str {
                        quote: c,
                        triple,
                        raw: raw_prefix(&chars[..i]),
                    };
                    if triple {
                        text.push(c);
                        text.push(c);
                        i += 2;
                    }
                }
                _ => {}
            },
            State::Comment => {
                if c == '\n' {
                    state = State::Code;
                }
            }
            State::Str { quote, triple, raw } => {
                if c == '\\' && !raw {
                    // The escaped character is the string's, whatever it is.
                    text.push(c);
                    if let Some(&next) = chars.get(i + 1) {
                        text.push(next);
                    }
                    i += 2;
                    continue;
                }
                if c == quote
                    && (!triple
                        || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote)))
                {
                    if triple {
                        text.push(c);
                        text.push(c);
                        i += 2;
                    }
                    state = State::Code;
                } else if c == '\n' && !triple {
                    // An unterminated string ends with its line (Python
                    // will say so); the next line is code again.
                    state = State::Code;
                }
            }
        }
        text.push(c);
        i += 1;
    }
    Cleaned { text, replaced }
}

/// Whether the string starting after `before` has an `r` in its prefix
/// (`r'…'`, `Rb"…"`, `fr'…'`): backslashes are then its own characters.
fn raw_prefix(before: &[char]) -> bool {
    let prefix: Vec<char> = before
        .iter()
        .rev()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .copied()
        .collect();
    prefix.len() <= 3
        && prefix
            .iter()
            .all(|c| matches!(c, 'r' | 'R' | 'b' | 'B' | 'f' | 'F' | 'u' | 'U'))
        && prefix.iter().any(|c| matches!(c, 'r' | 'R'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_spaces_in_code_become_plain_and_are_counted() {
        let pasted = "async def main():\n\u{a0}\u{a0}\u{a0}\u{a0}await asyncio.sleep(1)\u{3000}# 等一秒\u{3000}\n";
        let cleaned = clean_page_spaces(pasted);
        assert_eq!(
            cleaned.text,
            "async def main():\n    await asyncio.sleep(1) # 等一秒 \n"
        );
        assert_eq!(cleaned.replaced, 6);
    }

    #[test]
    fn inside_a_string_literal_they_are_the_programs_own() {
        let pasted = "print('a\u{a0}b', \"\u{3000}\", '''x\n\u{a0}''', r'\\'\u{a0}, 'q\\'\u{a0}')\n\u{a0}x = f\"{1}\u{a0}\"";
        let cleaned = clean_page_spaces(pasted);
        assert_eq!(
            cleaned.text,
            "print('a\u{a0}b', \"\u{3000}\", '''x\n\u{a0}''', r'\\' , 'q\\'\u{a0}')\n x = f\"{1}\u{a0}\""
        );
        assert_eq!(cleaned.replaced, 2);
    }

    #[test]
    fn an_unterminated_string_ends_with_its_line() {
        let cleaned = clean_page_spaces("s = 'oops\n\u{a0}x = 1\n");
        assert_eq!(cleaned.text, "s = 'oops\n x = 1\n");
        assert_eq!(cleaned.replaced, 1);
    }

    #[test]
    fn clean_code_is_left_as_it_is() {
        let source = "import asyncio\n";
        assert_eq!(
            clean_page_spaces(source),
            Cleaned {
                text: source.into(),
                replaced: 0
            }
        );
    }
}
