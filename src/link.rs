//! Share links: the whole playground state in the URL fragment, so nothing
//! is sent to a server. A fragment is a version, a dot, and the base64url
//! (no padding) of the raw-deflated JSON of [`Shared`]:
//!
//! - `v1.`: deflated as is.
//! - `v2.` (made since): deflated after [`DICTIONARY`], text scenarios
//!   share (field names, step kinds), so a small scenario's link is short.
//!
//! Both are frozen: their decoders must keep reading every link ever made
//! (test vectors in `tests/links.rs`); `DICTIONARY` never changes. A change
//! of format is a new version with a decoder of its own.

use crate::engine::trace::Said;
use crate::engine::{validate, Program, Severity};
use crate::json::Json;

/// What a link carries: `{"program": ..., "lang": ..., "cursor": ...,
/// "speed": ...}`, the last three left out when absent.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    pub program: Program,
    /// The interface language's code (`en`, `zh-CN`).
    pub lang: Option<String>,
    /// A moment to show, in virtual seconds.
    pub cursor: Option<f64>,
    /// The live run's speed, virtual seconds per wall-clock second, within
    /// [`SPEED_RANGE`]; absent means 1x.
    pub speed: Option<f64>,
}

/// The speeds a link may ask the live run for (the player offers these
/// ends and steps between them).
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.1..=10.0;

impl Shared {
    /// The JSON a link deflates.
    pub fn to_json(&self) -> String {
        let mut members = vec![("program".to_string(), self.program.to_json_value())];
        if let Some(lang) = &self.lang {
            members.push(("lang".into(), Json::str(lang)));
        }
        if let Some(t) = self.cursor {
            members.push(("cursor".into(), Json::float(t)));
        }
        if let Some(speed) = self.speed {
            members.push(("speed".into(), Json::float(speed)));
        }
        Json::Obj(members).text()
    }

    fn from_json(text: &str) -> Result<Shared, String> {
        let json = Json::parse(text)?;
        let present = |key| json.get(key).filter(|j| **j != Json::Null);
        Ok(Shared {
            program: Program::from_json_value(present("program").ok_or("it lacks `program`")?)?,
            lang: match present("lang") {
                None => None,
                Some(j) => Some(j.as_str().ok_or("`lang` should be a string")?.to_string()),
            },
            cursor: match present("cursor") {
                None => None,
                Some(j) => Some(j.as_f64().ok_or("the moment to show is not a time")?),
            },
            speed: match present("speed") {
                None => None,
                Some(j) => Some(j.as_f64().ok_or("the speed is not a number")?),
            },
        })
    }
}

const V1: &str = "v1.";
const V2: &str = "v2.";

/// Version 2's preset dictionary: JSON every scenario repeats, the most
/// common last (deflate reaches nearer text with shorter codes). Frozen.
pub const DICTIONARY: &[u8] = br#"{"Raise":{"kind":"ValueError","message":"{"SetException":{"future":0,"kind":"{"AddDoneCallback":{"task":1,"callback":0}},{"CallLater":{"delay":{"CallSoon":{"callback":0}},"callbacks":[{"name":"callback","print":["futures":["fut"],"locks":["lock"],"semaphores":[["sem",2]],"events":["event"],"queues":[["queue",0]],{"QueuePut":{"queue":0,"value":{"QueueGet":{"queue":0,"bind":"item"}},{"EventSet":{"event":0}},{"EventWait":{"event":0}},{"WithLock":{"lock":0,"body":[{"WithSemaphore":{"semaphore":0,"body":[{"If":{"cond":{"then":[],"otherwise":[]}},{"Shield":{"target":{"WaitFor":{"target":{"Task":1},"timeout":1.0,"bind":"result"}},{"AsCompleted":{"items":[1,2,3],"timeout":"bind":"result","body":[{"Wait":{"items":[1,2,3],"timeout":"return_when":"FirstCompleted""FirstException""AllCompleted","done":"done","pending":"pending"}},{"Try":{"body":[],"handlers":[{"kind":"CancelledError","body":[{"Print":{"args":[{"Lit":{"Str":"cancelled"}}]}},"Reraise"]}],"finally":[]}},{"Cancel":{"task":1}},{"Block":{"seconds":1.0}},{"Await":{"target":{"Task":1},"bind":"result"}},{"Coro":1},{"Future":0},{"ForEach":{"var":"result","list":{"Var":"results"},"body":[{"Gather":{"items":[{"Task":1},{"Task":2},{"Task":3}],"return_exceptions":false,"bind":"results"}},"task_name":"{"Result":1},{"Done":1},{"Cancelled":1},{"Name":1},{"Len":"{"SortedResults":"done"},"ArgResult","LoopTime1","Time",{"Lit":{"Int":1}},{"Lit":{"Float":0.5}},{"Lit":"None"},"epilogue":[[{"Lit":{"Str":"elapsed"}},{"Time"}]],{"Return":{"value":{"Lit":{"Str":"done"}}}}]},{"name":"worker","body":[{"Print":{"args":[{"Lit":{"Str":"start"}}]}},{"Sleep":{"seconds":1.0}},{"Print":{"args":[{"Lit":{"Str":"end"}}]}}]},{"CreateTask":{"coro":1}},{"CreateTask":{"coro":2}},{"CreateTask":{"coro":3}},{"program":{"coroutines":[{"name":"main","body":[{"Print":{"args":[{"Lit":{"Str":"#;
/// The longest fragment decoded; longer ones are not links the app made.
const MAX_FRAGMENT: usize = 256 * 1024;
/// The most a link may inflate to (a decompression bomb stops here).
/// A program the page can draw (5,000 steps) is well under this as JSON;
/// decoding more would hold the page for a tenth of a second.
const MAX_INFLATED: usize = 512 * 1024;

/// Why a link could not be opened; `Display` says it for people.
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    Empty,
    UnknownFormat,
    FutureVersion(String),
    TooLong(usize),
    NotBase64,
    /// A code link's moment is not a plain iteration number.
    BadMoment,
    Corrupt,
    TooLarge,
    /// What the JSON reader found wrong (its words are the reader's).
    NotAScenario(String),
    /// The scenario's problems, as data (`Problem::said`).
    Invalid(Vec<Said>),
}

/// Says it in English; the page words it in the learner's language
/// (`i18n::link_error_words`).
impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::link_error_words(crate::i18n::Lang::En, self))
    }
}

/// The fragment (without `#`) for a state, in the newest version.
pub fn encode(shared: &Shared) -> String {
    let packed = deflate_after_dictionary(shared.to_json().as_bytes());
    format!("{V2}{}", base64url_encode(&packed))
}

/// The fragment in version 1, for the tests that keep old links working.
pub fn encode_v1(shared: &Shared) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(shared.to_json().as_bytes(), 9);
    format!("{V1}{}", base64url_encode(&packed))
}

/// A compressor at level 9 that has taken in `DICTIONARY` and flushed it
/// to a byte boundary (not a final block), with the bytes it wrote.
fn after_dictionary() -> (miniz_oxide::deflate::core::CompressorOxide, Vec<u8>) {
    use miniz_oxide::deflate::core::{
        compress_to_output, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush,
    };
    let mut compressor = CompressorOxide::new(create_comp_flags_from_zip_params(9, 0, 0));
    let mut out = Vec::new();
    compress_to_output(
        &mut compressor,
        DICTIONARY,
        TDEFLFlush::Sync,
        |b: &[u8]| {
            out.extend_from_slice(b);
            true
        },
    );
    (compressor, out)
}

/// Deflates `data` as if it followed `DICTIONARY`, keeping only what `data`
/// adds: its matches may reach back into the dictionary.
fn deflate_after_dictionary(data: &[u8]) -> Vec<u8> {
    use miniz_oxide::deflate::core::{compress_to_output, TDEFLFlush};
    let (mut compressor, mut out) = after_dictionary();
    let dictionary_bytes = out.len();
    compress_to_output(&mut compressor, data, TDEFLFlush::Finish, |b: &[u8]| {
        out.extend_from_slice(b);
        true
    });
    out.split_off(dictionary_bytes)
}

/// Inflates a v2 body behind the compressed dictionary, then drops the
/// dictionary from the text.
fn inflate_after_dictionary(packed: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let (_, mut stream) = after_dictionary();
    stream.extend_from_slice(packed);
    let mut text = inflate(&stream, MAX_INFLATED + DICTIONARY.len())?;
    if text.len() < DICTIONARY.len() {
        return Err(DecodeError::Corrupt);
    }
    Ok(text.split_off(DICTIONARY.len()))
}

fn inflate(packed: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(packed, limit).map_err(|e| {
        if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
            DecodeError::TooLarge
        } else {
            DecodeError::Corrupt
        }
    })
}

/// A code-mode link: the program's Python, as UTF-8, raw-deflated.
const CODE_V1: &str = "py1.";

/// Whether a link (a fragment, with or without `#`, or a URL ending in one)
/// holds a program's Python for code mode.
pub fn is_code_link(link: &str) -> bool {
    let fragment = link.rsplit_once('#').map_or(link, |(_, f)| f);
    fragment.trim().starts_with(CODE_V1)
}

/// The fragment (without `#`) for a program's Python, for code mode.
pub fn encode_code(source: &str) -> String {
    encode_code_at(source, None)
}

/// The fragment for a program's Python and a moment of its run: the
/// iteration shown, after a `.` (base64url has none).
pub fn encode_code_at(source: &str, iteration: Option<usize>) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(source.as_bytes(), 9);
    let body = base64url_encode(&packed);
    match iteration {
        Some(at) => format!("{CODE_V1}{body}.{at}"),
        None => format!("{CODE_V1}{body}"),
    }
}

/// Whether a program's link opens again: its fragment is short enough,
/// and the program unpacks within what a link may hold.
pub fn code_link_fits(source: &str, fragment: &str) -> bool {
    fragment.len() <= MAX_FRAGMENT && source.len() <= MAX_INFLATED
}

/// Opens a code-mode link: the program's Python, exactly as it was shared
/// (page spaces and all: the page cleans what comes in).
pub fn decode_code(link: &str) -> Result<String, DecodeError> {
    decode_code_at(link).map(|(source, _)| source)
}

/// Opens a code-mode link: the program's Python and the moment shown, if
/// the link holds one.
pub fn decode_code_at(link: &str) -> Result<(String, Option<usize>), DecodeError> {
    let fragment = link.rsplit_once('#').map_or(link, |(_, f)| f).trim();
    if fragment.len() > MAX_FRAGMENT {
        return Err(DecodeError::TooLong(fragment.len()));
    }
    let body = fragment
        .strip_prefix(CODE_V1)
        .ok_or(DecodeError::UnknownFormat)?;
    let (body, at) = match body.split_once('.') {
        Some((body, at)) => (body, Some(moment(at).ok_or(DecodeError::BadMoment)?)),
        None => (body, None),
    };
    if body.is_empty() {
        return Err(DecodeError::Empty);
    }
    let bytes = inflate(
        &base64url_decode(body).ok_or(DecodeError::NotBase64)?,
        MAX_INFLATED,
    )?;
    let source =
        String::from_utf8(bytes).map_err(|_| DecodeError::NotAScenario("it is not text".into()))?;
    Ok((source, at))
}

/// A code link's moment: digits only, as `encode_code_at` writes them.
fn moment(text: &str) -> Option<usize> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

/// Opens a fragment (with or without `#`), or a whole URL ending in one.
/// The scenario comes back only if it is valid to run.
pub fn decode(link: &str) -> Result<Shared, DecodeError> {
    reopen(link, None)
}

/// [`decode`], except that a link holding `own`, the user's autosaved
/// work, opens even while that work has problems: the address bar follows
/// every edit, so reloading the page mid-edit must give the work back as
/// it was, for the editor to show its problems, not refuse it as a bad link.
pub fn reopen(link: &str, own: Option<&Program>) -> Result<Shared, DecodeError> {
    let fragment = match link.rsplit_once('#') {
        Some((_, f)) => f,
        None => link,
    }
    .trim();
    if fragment.is_empty() {
        return Err(DecodeError::Empty);
    }
    if fragment.len() > MAX_FRAGMENT {
        return Err(DecodeError::TooLong(fragment.len()));
    }
    let json = if let Some(body) = fragment.strip_prefix(V2) {
        inflate_after_dictionary(&base64url_decode(body).ok_or(DecodeError::NotBase64)?)?
    } else if let Some(body) = fragment.strip_prefix(V1) {
        inflate(
            &base64url_decode(body).ok_or(DecodeError::NotBase64)?,
            MAX_INFLATED,
        )?
    } else {
        return Err(match fragment.split_once('.') {
            Some((v, _)) if v.starts_with('v') && v[1..].parse::<u32>().is_ok_and(|n| n > 2) => {
                DecodeError::FutureVersion(v.to_string())
            }
            _ => DecodeError::UnknownFormat,
        });
    };
    let text =
        String::from_utf8(json).map_err(|_| DecodeError::NotAScenario("it is not text".into()))?;
    let shared = Shared::from_json(&text).map_err(DecodeError::NotAScenario)?;
    if own != Some(&shared.program) {
        let errors: Vec<Said> = validate(&shared.program, &crate::engine::Budget::default())
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.said)
            .collect();
        if !errors.is_empty() {
            return Err(DecodeError::Invalid(errors));
        }
    }
    if shared.cursor.is_some_and(|c| !c.is_finite() || c < 0.0) {
        return Err(DecodeError::NotAScenario(
            "the moment to show is not a time".into(),
        ));
    }
    if let Some(speed) = shared.speed.filter(|s| !SPEED_RANGE.contains(s)) {
        return Err(DecodeError::NotAScenario(format!(
            "its speed ({speed}x) is not between {}x and {}x",
            SPEED_RANGE.start(),
            SPEED_RANGE.end()
        )));
    }
    Ok(shared)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..chunk.len() + 1 {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url with or without padding; `None` for anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
