//! Python values and exceptions as data, printed exactly as CPython prints
//! them (`str()` for `print`, `repr()` inside containers).

use std::fmt::Write;
use std::rc::Rc;

/// A Python value a scenario can produce: what coroutines return, what
/// `print` shows, what `gather` collects.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<[Value]>),
    /// An exception object used as a value (`gather(..., return_exceptions=True)`).
    Exc(PyExc),
}

/// The exception classes a scenario can raise or observe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExcKind {
    CancelledError,
    TimeoutError,
    ValueError,
    RuntimeError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    InvalidStateError,
    Exception,
    /// Raised by the loop, never by a program: a `cancel()` that calls
    /// itself forever (see `Loop::cancel_task`). A RuntimeError.
    RecursionError,
}

impl ExcKind {
    pub const ALL: [ExcKind; 9] = [
        ExcKind::CancelledError,
        ExcKind::TimeoutError,
        ExcKind::ValueError,
        ExcKind::RuntimeError,
        ExcKind::KeyError,
        ExcKind::TypeError,
        ExcKind::ZeroDivisionError,
        ExcKind::InvalidStateError,
        ExcKind::Exception,
    ];

    /// The class name as Python prints it.
    pub fn name(self) -> &'static str {
        match self {
            ExcKind::CancelledError => "CancelledError",
            ExcKind::TimeoutError => "TimeoutError",
            ExcKind::ValueError => "ValueError",
            ExcKind::RuntimeError => "RuntimeError",
            ExcKind::KeyError => "KeyError",
            ExcKind::TypeError => "TypeError",
            ExcKind::ZeroDivisionError => "ZeroDivisionError",
            ExcKind::InvalidStateError => "InvalidStateError",
            ExcKind::Exception => "Exception",
            ExcKind::RecursionError => "RecursionError",
        }
    }

    /// The expression that names the class in exported Python.
    pub fn python_name(self) -> &'static str {
        match self {
            ExcKind::CancelledError => "asyncio.CancelledError",
            ExcKind::InvalidStateError => "asyncio.InvalidStateError",
            other => other.name(),
        }
    }

    /// Whether `except self` catches an exception of class `raised`.
    /// CancelledError is a BaseException since 3.8: `except Exception` misses it.
    pub fn catches(self, raised: ExcKind) -> bool {
        self == raised
            || (self == ExcKind::Exception && raised != ExcKind::CancelledError)
            || (self == ExcKind::RuntimeError && raised == ExcKind::RecursionError)
    }

    pub fn from_name(name: &str) -> Option<ExcKind> {
        ExcKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A Python exception instance: its class and its single argument, if any.
/// `CancelledError()` and `CancelledError('')` differ in `repr`, so the
/// argument is optional rather than an empty string.
#[derive(Clone, Debug, PartialEq)]
pub struct PyExc {
    pub kind: ExcKind,
    pub arg: Option<Rc<str>>,
}

impl PyExc {
    pub fn new(kind: ExcKind) -> PyExc {
        PyExc { kind, arg: None }
    }

    pub fn with_arg(kind: ExcKind, arg: &str) -> PyExc {
        PyExc {
            kind,
            arg: Some(arg.into()),
        }
    }

    pub fn cancelled() -> PyExc {
        PyExc::new(ExcKind::CancelledError)
    }

    /// What CPython raises when calls nest too deeply, as a task's
    /// `cancel()` does: `in_c_call` when the limit is reached calling C
    /// code from C.
    pub fn recursion_error(in_c_call: bool) -> PyExc {
        PyExc::with_arg(
            ExcKind::RecursionError,
            if in_c_call {
                "maximum recursion depth exceeded while calling a Python object"
            } else {
                "maximum recursion depth exceeded"
            },
        )
    }

    pub fn is_cancelled(&self) -> bool {
        self.kind == ExcKind::CancelledError
    }

    /// `str(exc)`.
    pub fn py_str(&self) -> String {
        match &self.arg {
            // str(KeyError('k')) is "'k'": KeyError reprs its argument.
            Some(arg) if self.kind == ExcKind::KeyError => py_str_repr(arg),
            Some(arg) => arg.to_string(),
            None => String::new(),
        }
    }

    /// `repr(exc)`.
    pub fn py_repr(&self) -> String {
        match &self.arg {
            Some(arg) => format!("{}({})", self.kind.name(), py_str_repr(arg)),
            None => format!("{}()", self.kind.name()),
        }
    }

    /// `repr(exc)` for the views, cut as `Value::py_repr_brief` cuts.
    pub fn py_repr_brief(&self) -> String {
        let full = self.py_repr();
        match full.char_indices().nth(BRIEF) {
            Some((cut, _)) => format!("{}…", &full[..cut]),
            None => full,
        }
    }

    /// The last line of the traceback Python prints for it.
    pub fn traceback_line(&self) -> String {
        let qualified = match self.kind {
            ExcKind::CancelledError | ExcKind::InvalidStateError => {
                format!("asyncio.exceptions.{}", self.kind.name())
            }
            other => other.name().to_string(),
        };
        match self.arg.as_deref() {
            None | Some("") => qualified,
            Some(_) => format!("{qualified}: {}", self.py_str()),
        }
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    /// `str(value)`, what `print` shows.
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Exc(e) => e.py_str(),
            other => other.py_repr(),
        }
    }

    /// `repr(value)`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out, usize::MAX);
        out
    }

    /// `repr(value)` for the views: cut at `BRIEF` characters (a task may
    /// return a list of 10,000 items, and the story tells it at every
    /// step), ending in `…` when cut.
    pub fn py_repr_brief(&self) -> String {
        let mut out = String::new();
        if !self.write_repr(&mut out, BRIEF) {
            let cut = out.char_indices().nth(BRIEF).map_or(out.len(), |(i, _)| i);
            out.truncate(cut);
            out.push('…');
        }
        out
    }

    /// Writes `str(value)` to `out`, as `write_repr` writes.
    pub fn write_str(&self, out: &mut String, limit: usize) -> bool {
        match self {
            Value::Str(s) => out.push_str(s),
            Value::Exc(e) => out.push_str(&e.py_str()),
            other => return other.write_repr(out, limit),
        }
        out.len() <= limit
    }

    /// Writes `repr(value)` to `out`; returns false once `out` holds more
    /// than `limit` bytes, having stopped there.
    fn write_repr(&self, out: &mut String, limit: usize) -> bool {
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&py_float_repr(*f)),
            Value::Str(s) => return write_str_repr(out, s, limit),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if !item.write_repr(out, limit) {
                        return false;
                    }
                }
                out.push(']');
            }
            Value::Exc(e) => out.push_str(&e.py_repr()),
        }
        out.len() <= limit
    }
}

/// How many characters of a value's repr the views show.
pub const BRIEF: usize = 80;

/// `repr(str)`: single quotes unless the text has a single quote and no
/// double quote; printable non-ASCII (Chinese included) stays as it is.
pub fn py_str_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str_repr(&mut out, s, usize::MAX);
    out
}

/// Writes `repr(s)` to `out`, stopping once `out` holds more than
/// `limit` bytes (then it returns false): a view that shows 80 characters
/// of a 10,000-character string escapes only those.
fn write_str_repr(out: &mut String, s: &str, limit: usize) -> bool {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        if out.len() > limit {
            return false;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out.len() <= limit
}

/// `repr(float)`: the shortest digits that round-trip (Rust and CPython
/// agree on those), laid out by CPython's rule: scientific notation when
/// the exponent is below -4 or at least 16, otherwise fixed with at least
/// one decimal.
pub fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if !(-4..16).contains(&exp) {
        let mut out = format!("{sign}{}", &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return out;
    }
    let point = exp + 1; // digits before the decimal point
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        // Expected strings are CPython 3.11's repr() of the same floats.
        let cases = [
            (5.0, "5.0"),
            (3.5, "3.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (-2.5e-7, "-2.5e-07"),
            (123456.789, "123456.789"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
        ];
        for (f, want) in cases {
            assert_eq!(py_float_repr(f), want, "repr({f:?})");
        }
    }

    #[test]
    fn strings_and_exceptions_repr_like_python() {
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_str_repr("协程"), "'协程'");
        let list = Value::List(
            vec![
                Value::str("a"),
                Value::Int(3),
                Value::Exc(PyExc::with_arg(ExcKind::ValueError, "boom")),
                Value::Exc(PyExc::with_arg(ExcKind::CancelledError, "")),
                Value::Exc(PyExc::new(ExcKind::TimeoutError)),
            ]
            .into(),
        );
        assert_eq!(
            list.py_str(),
            "['a', 3, ValueError('boom'), CancelledError(''), TimeoutError()]"
        );
    }
}
