//! Share links: every state survives encode/decode, v1 links decode
//! forever, and damaged or hostile links give a readable error, never a
//! panic, never a scenario that should not run.
#![cfg(not(target_arch = "wasm32"))]

use asyncio_playground::conform::generate;
use asyncio_playground::engine::{Coroutine, Program, Simulation, Step};
use asyncio_playground::examples::tutorial_examples;
use asyncio_playground::i18n::{say, Lang};
use asyncio_playground::link::{
    base64url_encode, decode, encode, encode_v1, reopen, DecodeError, Shared,
};

fn shared(program: Program) -> Shared {
    Shared {
        program,
        lang: Some("zh-CN".into()),
        cursor: Some(3.5),
        speed: Some(2.0),
    }
}

/// A v1 link of raw JSON, as a hostile page could craft one.
fn craft(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6);
    format!("v1.{}", base64url_encode(&packed))
}

#[test]
fn every_example_and_random_scenario_round_trips() {
    let programs = tutorial_examples()
        .into_iter()
        .map(|(_, p)| p)
        .chain((1..=300).map(generate));
    for program in programs {
        let state = shared(program);
        assert!(encode(&state).starts_with("v2."));
        assert_eq!(decode(&encode(&state)), Ok(state.clone()));
        assert_eq!(decode(&encode_v1(&state)), Ok(state.clone()));
        assert_eq!(
            decode(&format!("https://example.org/play/#{}", encode(&state))),
            Ok(state)
        );
    }
}

/// Made by the first release; it must open forever, with the same output.
const FROZEN_V1_FUTURE_SET_RESULT: &str = "v1.fY9BT8MwDIX_i88V2jj00BtC4sQB0YnLVE1e65VoaVISZwhV-e84yVaJA7vZz5_9nheYnR0dTtAs0FtnAytDHpr9AgYnggYmVAYqYPTnQ5FM0LqCox1-MvfsCJl2Mr8dgWYbY7XA0zcqTiKjGylXBdtG2VdmKLf-Y18CByd-m5WGARkh829OmUwJXvJ-oFsJAV7LuZaTipy2YKckfxdjl4Drf574gCcmd_fJVhPN6Z6n3ppBHB8fNjlIS_xOPujsdrpFruCCOlDS_gSp61qSpARdBT1qfcT-nPJLW5ZTk0oQRdt16GnC-dOWufR0IcPX-itQWPVZaTsm5708-gs";

#[test]
fn a_frozen_v1_link_still_opens_with_the_same_output() {
    let state = decode(FROZEN_V1_FUTURE_SET_RESULT).expect("v1 links decode forever");
    let mut sim = Simulation::new(state.program).unwrap();
    sim.run_to_end();
    assert_eq!(sim.output_text(), "666 at 2.0\n");
}

/// Made by the first release with version 2 links; it must open forever.
const FROZEN_V2_FUTURE_SET_RESULT: &str = "v2.nZa7DQAhCEB3ufqqK9jmYkjUBaR1dz9oIioW1hoS4D3gIqCez0E67X2QrQNukfBRysyy8Y93qjpWlRmaX4IQHBn0JFlY2_u19uaF1V0Sl8AePQBo5JW5NW3nGBM";

#[test]
fn a_frozen_v2_link_still_opens_with_the_same_output() {
    let state = decode(FROZEN_V2_FUTURE_SET_RESULT).expect("v2 links decode forever");
    let mut sim = Simulation::new(state.program).unwrap();
    sim.run_to_end();
    assert_eq!(sim.output_text(), "666 at 2.0\n");
}

/// Whether a decode error is the one a damaged link should give.
type Expectation = fn(&DecodeError) -> bool;

#[test]
fn damaged_links_say_what_is_wrong() {
    let good = encode(&shared(tutorial_examples().remove(0).1));
    let cases: Vec<(String, Expectation)> = vec![
        (String::new(), |e| *e == DecodeError::Empty),
        ("#".into(), |e| *e == DecodeError::Empty),
        ("hello".into(), |e| *e == DecodeError::UnknownFormat),
        (
            "v3.AAAA".into(),
            |e| matches!(e, DecodeError::FutureVersion(v) if v == "v3"),
        ),
        ("v1.not base64!".into(), |e| *e == DecodeError::NotBase64),
        ("v2.not base64!".into(), |e| *e == DecodeError::NotBase64),
        ("v2.AAAA".into(), |e| *e == DecodeError::Corrupt),
        // Cut short: the data does not unpack, or its last character is
        // half of one.
        (good[..good.len() / 2].to_string(), |e| {
            matches!(e, DecodeError::Corrupt | DecodeError::NotBase64)
        }),
        (good[..good.len() / 2 + 1].to_string(), |e| {
            matches!(e, DecodeError::Corrupt | DecodeError::NotBase64)
        }),
        (
            format!(
                "{}{}{}",
                &good[..40],
                if &good[40..41] == "A" { "B" } else { "A" },
                &good[41..]
            ),
            |e| matches!(e, DecodeError::Corrupt | DecodeError::NotAScenario(_)),
        ),
        (format!("v1.{}", "A".repeat(300_000)), |e| {
            matches!(e, DecodeError::TooLong(_))
        }),
    ];
    for (link, expected) in cases {
        let err = decode(&link).expect_err(&link);
        assert!(expected(&err), "{link:.60}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn a_decompression_bomb_stops_at_the_limit() {
    let bomb = vec![b' '; 50 * 1024 * 1024];
    let link = format!(
        "v1.{}",
        base64url_encode(&miniz_oxide::deflate::compress_to_vec(&bomb, 9))
    );
    assert!(link.len() < 256 * 1024, "the bomb link itself is small");
    assert_eq!(decode(&link), Err(DecodeError::TooLarge));
}

#[test]
fn hostile_scenarios_are_refused_with_their_problems() {
    let markup = shared(Program {
        coroutines: vec![
            Coroutine::new("main", vec![]),
            Coroutine::new("<script>alert(1)</script>", vec![]),
        ],
        ..Program::default()
    });
    assert!(
        matches!(decode(&encode(&markup)), Err(DecodeError::Invalid(p)) if p.iter().any(|m| say(Lang::En, m).contains("not a Python name")))
    );

    let huge = shared(Program {
        coroutines: vec![Coroutine::new("main", vec![Step::sleep(1e300)])],
        ..Program::default()
    });
    assert!(
        matches!(decode(&encode(&huge)), Err(DecodeError::Invalid(p)) if p.iter().any(|m| say(Lang::En, m).starts_with("1e+300 seconds is more than 30 days")))
    );

    // JSON has no NaN: a crafted one is not a scenario.
    let nan = craft(
        r#"{"program":{"coroutines":[{"name":"main","task_name":null,"body":[{"Sleep":{"seconds":NaN}}]}],"callbacks":[],"futures":[],"locks":[],"semaphores":[],"events":[],"queues":[],"epilogue":[]}}"#,
    );
    assert!(matches!(decode(&nan), Err(DecodeError::NotAScenario(_))));

    let many = shared(Program {
        coroutines: (0..100_000)
            .map(|i| Coroutine::new(&format!("c{i}"), vec![]))
            .collect(),
        ..Program::default()
    });
    assert!(matches!(
        decode(&encode(&many)),
        Err(DecodeError::TooLong(_) | DecodeError::TooLarge | DecodeError::Invalid(_))
    ));

    let mut deep =
        String::from(r#"{"program":{"coroutines":[{"name":"main","task_name":null,"body":"#);
    for _ in 0..5000 {
        deep.push_str(r#"[{"ForEach":{"var":"x","list":{"Var":"x"},"body":"#);
    }
    let deep = decode(&craft(&deep));
    assert!(
        matches!(deep, Err(DecodeError::NotAScenario(_))),
        "{deep:?}"
    );

    for speed in [0.0, -1.0, 0.05, 10.5, 1e308] {
        let too = Shared {
            speed: Some(speed),
            ..shared(tutorial_examples().remove(0).1)
        };
        match decode(&encode(&too)) {
            Err(DecodeError::NotAScenario(e)) => assert!(
                e.contains("speed") && e.contains("between 0.1x and 10x"),
                "{speed}: {e}"
            ),
            other => panic!("{speed}: {other:?}"),
        }
    }
    let words = decode(&craft(
        r#"{"program":{"coroutines":[{"name":"main","task_name":null,"body":[]}]},"speed":"fast"}"#,
    ));
    assert_eq!(
        words,
        Err(DecodeError::NotAScenario(
            "the speed is not a number".into()
        ))
    );

    let bad_cursor = Shared {
        cursor: Some(-1.0),
        ..shared(tutorial_examples().remove(0).1)
    };
    assert!(matches!(
        decode(&encode(&bad_cursor)),
        Err(DecodeError::NotAScenario(_))
    ));
}

#[test]
fn the_users_own_work_reopens_from_the_address_bar_with_its_problems() {
    // Mid-edit, a coroutine named `my task` (not a Python name): the
    // address bar and the autosave both hold it.
    let mut work = tutorial_examples().remove(0).1;
    work.coroutines[1].name = "my task".into();
    let link = encode(&shared(work.clone()));
    let reopened = reopen(&link, Some(&work)).expect("the user's own work reopens");
    assert_eq!(reopened, shared(work.clone()));

    // The same link is still refused as anyone else's scenario, or when
    // the autosaved work has moved on since.
    assert!(
        matches!(reopen(&link, None), Err(DecodeError::Invalid(p)) if p.iter().any(|m| say(Lang::En, m).contains("not a Python name")))
    );
    let moved_on = tutorial_examples().remove(0).1;
    assert!(matches!(
        reopen(&link, Some(&moved_on)),
        Err(DecodeError::Invalid(_))
    ));

    // Only the problems are forgiven: a bad speed still is not.
    let fast = Shared {
        speed: Some(50.0),
        ..shared(work.clone())
    };
    assert!(matches!(
        reopen(&encode(&fast), Some(&work)),
        Err(DecodeError::NotAScenario(_))
    ));
}

#[test]
fn random_bytes_never_panic_the_decoder() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..20_000 {
        let len = (next() % 300) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Raw text, base64 of random bytes, and base64 of deflated random bytes.
        let _ = decode(&String::from_utf8_lossy(&bytes));
        let _ = decode(&format!("v1.{}", base64url_encode(&bytes)));
        if round % 10 == 0 {
            let _ = decode(&format!(
                "v1.{}",
                base64url_encode(&miniz_oxide::deflate::compress_to_vec(&bytes, 1))
            ));
        }
    }
}

#[test]
fn scenario_text_round_trips_for_every_step_kind_and_damage_never_panics() {
    use asyncio_playground::editor::StepKind;
    let base = tutorial_examples().remove(0).1;
    let every_kind = Program {
        coroutines: vec![Coroutine::new(
            "main",
            StepKind::ALL.iter().map(|k| k.template(&base, 0)).collect(),
        )],
        ..base.clone()
    };
    let programs = std::iter::once(every_kind)
        .chain(tutorial_examples().into_iter().map(|(_, p)| p))
        .chain((1..=40).map(generate));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for program in programs {
        let text = program.to_json();
        assert_eq!(Program::from_json(&text).as_ref(), Ok(&program));
        assert_eq!(
            Program::from_json(&program.to_json_value().pretty()).as_ref(),
            Ok(&program)
        );
        // Cut short anywhere, or with one byte changed: an error or some
        // program, never a panic.
        for cut in (0..text.len())
            .filter(|i| text.is_char_boundary(*i))
            .step_by(3)
        {
            assert!(Program::from_json(&text[..cut]).is_err());
        }
        let mut bytes = text.into_bytes();
        for _ in 0..200 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % bytes.len() as u64) as usize;
            let old = bytes[at];
            let damage = b"{}[]\":,0-.eE\\ux9nt";
            bytes[at] = damage[(state >> 40) as usize % damage.len()];
            let _ = Program::from_json(&String::from_utf8_lossy(&bytes));
            bytes[at] = old;
        }
    }
    assert!(
        Program::from_json(r#"{"coroutines":[{"name":"main","body":[{"Teleport":{}}]}]}"#)
            .unwrap_err()
            .contains("unknown step kind `Teleport`")
    );
    assert!(
        Program::from_json(r#"{"coroutines":[{"name":"main","body":[{"Sleep":{}}]}]}"#)
            .unwrap_err()
            .contains("lacks `seconds`")
    );
}

#[test]
fn a_code_link_carries_the_program_exactly_and_damage_gets_a_message() {
    use asyncio_playground::link::{decode_code, encode_code, is_code_link};
    let source = "import asyncio\n\nasync def main():\n\u{a0}\u{a0}\u{a0}\u{a0}print('协程 😀')\n\nasyncio.run(main())\n";
    let fragment = encode_code(source);
    assert!(is_code_link(&fragment) && is_code_link(&format!("https://x/#{fragment}")));
    assert!(!is_code_link(&encode(&shared(
        tutorial_examples().remove(0).1
    ))));
    assert_eq!(decode_code(&format!("#{fragment}")).as_deref(), Ok(source));
    // A tutorial's program fits a link a chat app keeps.
    let tutorial =
        std::fs::read_to_string("tests/programs/tutorials/01_gather_downloads.py").unwrap();
    assert!(
        encode_code(&tutorial).len() < 1500,
        "{}",
        encode_code(&tutorial).len()
    );
    // Damage: cut short, characters no link has, nothing, a bomb.
    let cut = &fragment[..fragment.len() / 2];
    assert!(decode_code(cut).is_err());
    assert_eq!(decode_code("py1.a*b"), Err(DecodeError::NotBase64));
    assert_eq!(decode_code("py1."), Err(DecodeError::Empty));
    let bomb = encode_code(&"x".repeat(2 << 20));
    assert_eq!(decode_code(&bomb), Err(DecodeError::TooLarge));
    for e in [decode_code(cut).unwrap_err(), DecodeError::TooLarge] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn a_code_link_can_carry_the_moment_shown() {
    use asyncio_playground::link::{decode_code, decode_code_at, encode_code_at};
    let source = "import asyncio\nasyncio.run(asyncio.sleep(1))\n";
    let at = encode_code_at(source, Some(12));
    assert!(at.ends_with(".12"), "{at}");
    assert_eq!(decode_code_at(&at), Ok((source.to_string(), Some(12))));
    assert_eq!(decode_code(&at).as_deref(), Ok(source));
    assert_eq!(
        decode_code_at(&encode_code_at(source, None)),
        Ok((source.to_string(), None))
    );
    // A moment that is not a plain number is damage, not a program.
    let body = at.rsplit_once('.').unwrap().0;
    for moment in ["x2", "+3", "0003", "", "1.2", "99999999999999999999999"] {
        assert_eq!(
            decode_code_at(&format!("{body}.{moment}")),
            Err(DecodeError::BadMoment),
            "{moment:?}"
        );
    }
    assert_eq!(
        decode_code_at(&format!("{body}.0")).map(|(_, at)| at),
        Ok(Some(0))
    );
}

#[test]
fn a_program_too_big_to_unpack_from_a_link_is_not_offered_one() {
    use asyncio_playground::link::{code_link_fits, decode_code, encode_code};
    let small = "print('hi')\n";
    assert!(code_link_fits(small, &encode_code(small)));
    // 600 KB of one line compresses to a short fragment, but no link
    // unpacks it: the page and link-py say so instead of offering it.
    let big = "x = 1\n".repeat(100_000);
    let fragment = encode_code(&big);
    assert!(fragment.len() < 8_000, "{}", fragment.len());
    assert!(!code_link_fits(&big, &fragment));
    assert_eq!(decode_code(&fragment), Err(DecodeError::TooLarge));
}
