//! Property tests of the path rules: whatever is typed or pasted, `paths` never panics,
//! normalising is idempotent, what it accepts obeys CloudFront's rules, and nothing it
//! rejects is sent.

use cfdash::paths::{self, Kind, MAX_PATH_LEN};
use proptest::prelude::*;

/// Text a person might type or paste: path-like pieces, unsafe and non-ASCII characters,
/// control characters, wildcards, tags, spaces, several lines.
fn path_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_string()),
        Just("*".to_string()),
        Just("#".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("%".to_string()),
        Just("%2F".to_string()),
        Just("?v=1&x".to_string()),
        "[a-z0-9._-]{1,8}",
        "[\"<>{}|\\\\^~\\[\\]`,]",
        "[\\u{80}-\\u{10FFFF}]",
        "[\\u{0}-\\u{1F}\\u{7F}]",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics_on_any_string(text in any::<String>()) {
        let a = paths::analyse(&text);
        let _ = a.estimate(true);
        let _ = a.to_send(true);
    }

    #[test]
    fn never_panics_on_path_like_text(text in path_text()) {
        let a = paths::analyse(&text);
        let _ = a.estimate(false);
    }

    #[test]
    fn normalising_twice_is_normalising_once(text in path_text()) {
        for item in paths::analyse(&text).items {
            if item.kind != Kind::Path || item.problem.is_some() {
                continue;
            }
            let (again, notes, problem) = paths::normalise_path(&item.value);
            prop_assert_eq!(&again, &item.value);
            prop_assert_eq!(problem, None);
            prop_assert!(notes.iter().all(|n| *n == paths::Note::Directory), "{:?}", notes);
        }
    }

    #[test]
    fn every_accepted_path_obeys_the_rules(text in path_text()) {
        let a = paths::analyse(&text);
        for item in a.items.iter().filter(|i| i.problem.is_none()) {
            let v = &item.value;
            match item.kind {
                Kind::Path => {
                    prop_assert!(v.starts_with('/'), "{v}");
                    prop_assert!(v.chars().count() <= MAX_PATH_LEN);
                    prop_assert!(!v[..v.len() - 1].contains('*'), "{v}");
                    let b = v.as_bytes();
                    for (i, &c) in b.iter().enumerate() {
                        prop_assert!((33..=126).contains(&c), "{v}: byte {c}");
                        prop_assert!(!b"\"<>#{}|\\^~[]`".contains(&c), "{v}: {}", c as char);
                        if c == b'%' {
                            prop_assert!(
                                b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit),
                                "{v}: bare %"
                            );
                        }
                    }
                }
                Kind::Tag => {
                    prop_assert!(v.starts_with('#') && v.len() > 1);
                    prop_assert!(v[1..].bytes().all(|b| (33..=126).contains(&b) && b != b',' && b != b'*'), "{v}");
                }
            }
        }
    }

    #[test]
    fn nothing_rejected_is_sent(text in path_text()) {
        let a = paths::analyse(&text);
        match a.to_send(false) {
            None => prop_assert!(a.has_problems()),
            Some(send) => {
                prop_assert!(!a.has_problems());
                prop_assert!(send.iter().all(|i| i.problem.is_none() && i.duplicate_of.is_none()));
                let plan = paths::plan(&send, paths::InProgress::default());
                let planned: usize = plan.batches.iter().map(Vec::len).sum();
                prop_assert_eq!(planned, send.len());
                prop_assert!(plan.batches.iter().all(|b| b.len() <= paths::MAX_ITEMS_PER_REQUEST));
            }
        }
    }
}

/// One edit of the path editor, as keys and pastes make them.
#[derive(Clone, Debug)]
enum Edit {
    Char(char),
    Paste(String),
    Newline,
    Backspace,
    Delete,
    DeleteLine,
    Move(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        prop::sample::select(vec!['/', '*', '#', ' ', 'a', 'b', 'é', '%']).prop_map(Edit::Char),
        path_text().prop_map(Edit::Paste),
        Just(Edit::Newline),
        Just(Edit::Backspace),
        Just(Edit::Delete),
        Just(Edit::DeleteLine),
        (0..12usize, 0..12usize).prop_map(|(r, c)| Edit::Move(r, c)),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// The form re-reads only the edited lines; whatever the edits, the result is the
    /// analysis of the whole text read afresh.
    #[test]
    fn an_edit_read_incrementally_is_the_text_read_afresh(
        start in path_text(),
        edits in prop::collection::vec(edit(), 1..30),
    ) {
        use cfdash::app::editor::Editor;
        let mut editor = Editor::from_text(&start);
        let mut analysis = paths::Analysis::default();
        let mut stamps: Vec<u64> = Vec::new();
        analysis.update_lines(editor.lines(), editor.stamps(), &stamps);
        stamps = editor.stamps().to_vec();
        for e in edits {
            match e {
                Edit::Char(c) => editor.insert_char(c),
                Edit::Paste(t) => editor.insert_str(&t),
                Edit::Newline => editor.newline(),
                Edit::Backspace => editor.backspace(),
                Edit::Delete => editor.delete(),
                Edit::DeleteLine => editor.delete_line(),
                Edit::Move(r, c) => editor.set_cursor(r, c),
            }
            analysis.update_lines(editor.lines(), editor.stamps(), &stamps);
            stamps = editor.stamps().to_vec();
            let afresh = paths::analyse_lines(editor.lines().iter().map(String::as_str));
            prop_assert_eq!(&analysis, &afresh, "text {:?}", editor.text());
        }
    }
}
