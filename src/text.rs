//! Text that came from outside, made safe to show and to read: control characters escaped
//! before they reach a terminal, long input cut, a byte-order mark dropped, and reads
//! capped so `/dev/zero` cannot fill the memory.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Read;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Quoted input is cut after this many characters (an invalid 1 MB line is not echoed).
pub const QUOTE_MAX: usize = 200;

/// The widest a headless table pads a column to (a longer value overflows it): `format!`
/// cannot pad past 65,535, and nothing CloudFront names is longer than 253.
pub const MAX_COLUMN: usize = 256;

/// Characters that change how the text around them reads without showing themselves:
/// bidirectional marks, embeddings, overrides and isolates, line and paragraph separators,
/// the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}' | '\u{feff}'
    )
}

/// One character as it may be shown on a terminal: controls (C0, DEL, C1) and the
/// bidirectional overrides become `\u{…}` escapes, so echoed input can neither move the
/// cursor, recolour the screen nor reorder what follows.
fn push_shown(out: &mut String, c: char) {
    if c.is_control() || invisible(c) {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    } else {
        out.push(c);
    }
}

/// A word for a shell command line: as it is when it is plain, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-~+,:@%=".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A piece of input for a message: control characters escaped, cut at [`QUOTE_MAX`]
/// characters with "…".
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(QUOTE_MAX * 2));
    let mut shown = 0;
    for c in s.chars() {
        let before = out.len();
        push_shown(&mut out, c);
        // Escapes count as what they take on screen.
        shown += if out.len() - before == c.len_utf8() {
            1
        } else {
            out.len() - before
        };
        if shown > QUOTE_MAX {
            out.truncate(before);
            out.push('…');
            break;
        }
    }
    out
}

/// `s` with every control and invisible character escaped, but line breaks when
/// `keep_lines`.
fn escaped(s: &str, keep_lines: bool) -> String {
    let kept = |c: char| keep_lines && c == '\n';
    if !s
        .chars()
        .any(|c| !kept(c) && (c.is_control() || invisible(c)))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if kept(c) {
            out.push(c);
        } else {
            push_shown(&mut out, c);
        }
    }
    out
}

/// A whole message for the terminal: every control character escaped but the line breaks,
/// which messages use for lists. The last guard on stderr, whatever the message quotes.
pub fn clean(s: &str) -> String {
    escaped(s, true)
}

/// A message on stderr, its control characters escaped (it may quote what came from
/// outside); a failed write (a closed pipe) is not worth dying for.
pub fn say(text: impl AsRef<str>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{}", clean(text.as_ref()));
}

/// A line of a table on stdout, every control character escaped, line breaks too: the
/// names, comments, ids and paths in it come from the account, and neither a terminal nor a
/// script reading rows may be fooled by them (a comment holding a line break would forge a
/// row). A closed pipe (`| head`) ends nothing.
pub fn print(text: impl AsRef<str>) {
    print_raw(one_line(text.as_ref()));
}

/// Text as one line: every control character escaped, line breaks included.
pub fn one_line(text: &str) -> String {
    escaped(text, false)
}

/// Text on stdout as it is: JSON, whose strings serde_json has escaped already.
pub fn print_raw(text: impl AsRef<str>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", text.as_ref());
    let _ = out.flush();
}

/// `s` cut to at most `width` terminal columns; a cut text ends in "…". Every view cuts
/// through here: ratatui cuts a cell or a title without saying so.
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    // A byte is at least a column's worth of text, so a short string fits as it is.
    if s.len() <= width || s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(width + 3);
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `s` in pieces for lines of `first` columns, then `rest` columns each (at least one
/// character a piece): how a long path wraps.
pub fn chunks(s: &str, first: usize, rest: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = 0;
    let mut room = first.max(1);
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room && i > start {
            out.push(&s[start..i]);
            start = i;
            used = 0;
            room = rest.max(1);
        }
        used += w;
    }
    if start < s.len() || out.is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// `s` wrapped into lines of at most `width` columns, broken at spaces (the space dropped)
/// where it can be, inside a word longer than a line where it cannot.
pub fn wrap(s: &str, width: usize) -> Vec<&str> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut rest = s;
    while s.width() > 0 && rest.width() > width {
        // The last space that leaves a line of at most `width` columns.
        let mut end = 0;
        let mut used = 0;
        let mut space = None;
        for (i, c) in rest.char_indices() {
            let w = c.width().unwrap_or(0);
            if c == ' ' {
                space = Some(i);
            }
            if used + w > width {
                break;
            }
            used += w;
            end = i + c.len_utf8();
        }
        match space.filter(|&i| i > 0) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => {
                let end = end.max(rest.chars().next().map_or(0, char::len_utf8));
                out.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
    out.push(rest);
    out
}

/// How many terminal columns `s` takes.
pub fn columns(s: &str) -> usize {
    s.width()
}

/// Text without the UTF-8 byte-order mark some editors put at its start.
pub fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// The most a paths file (or stdin) may hold: 64 MiB, far above CloudFront's 3,000 paths a
/// request of at most 4,000 characters each.
pub const PATHS_MAX_BYTES: u64 = 64 << 20;

/// Reads UTF-8 text of at most `max` bytes, without its byte-order mark. More than `max`
/// (a huge file, `/dev/zero`, an endless pipe) is an error naming `what`, the limit and
/// `hint` (what to do instead), found after reading only `max + 1` bytes; text that is not
/// UTF-8 is an error with the line and column where it stops being so.
pub fn read_capped(reader: impl Read, max: u64, what: &str, hint: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{what} is larger than {}, the most cfdash reads: {hint}",
            size(max)
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = line_column(valid, valid.len());
        format!("{what}: line {line}, column {column}: not UTF-8 text (save it as UTF-8)")
    })?;
    let bom = text.len() - strip_bom(&text).len();
    text.replace_range(..bom, "");
    Ok(text)
}

/// The line and column (1-based, in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

/// A control character in a TOML text: where it is (a byte offset), which, and what holds
/// it ("the file", "the value of profiles.prod.endpoint_url").
#[derive(Debug, PartialEq, Eq)]
pub struct Control {
    pub at: usize,
    pub char: char,
    pub what: String,
}

/// The first control character (C0, DEL, C1) written raw in a TOML text, comments
/// included, but the tab and the line ends (`\n`, `\r\n`). Checked before the text is
/// parsed: none of cfdash's files has a use for one, and each would reach a terminal or an
/// XML answer.
pub fn raw_control(text: &str) -> Option<Control> {
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let allowed = match c {
            '\t' | '\n' => true,
            '\r' => chars.peek().is_some_and(|(_, n)| *n == '\n'),
            c => !c.is_control(),
        };
        if !allowed {
            let what = "the file".into();
            return Some(Control { at, char: c, what });
        }
    }
    None
}

/// The first control character in a key or string of a parsed TOML document once its
/// escapes are read (`"\u001b"`, a tab inside a string).
pub fn toml_control(root: &toml_edit::Table) -> Option<Control> {
    table_control(root, "")
}

fn table_control(table: &dyn toml_edit::TableLike, prefix: &str) -> Option<Control> {
    table.iter().find_map(|(name, _)| {
        let (key, item) = table.get_key_value(name)?;
        let path = if prefix.is_empty() {
            quote(name)
        } else {
            format!("{prefix}.{}", quote(name))
        };
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            let at = key.span().map_or(0, |s| s.start);
            let what = format!("the key {path}");
            return Some(Control { at, char: c, what });
        }
        match item {
            toml_edit::Item::Value(v) => value_control(v, &path),
            toml_edit::Item::Table(t) => table_control(t, &path),
            toml_edit::Item::ArrayOfTables(a) => a.iter().find_map(|t| table_control(t, &path)),
            toml_edit::Item::None => None,
        }
    })
}

fn value_control(value: &toml_edit::Value, path: &str) -> Option<Control> {
    match value {
        toml_edit::Value::String(s) => s.value().chars().find(|c| c.is_control()).map(|c| {
            let at = s.span().map_or(0, |s| s.start);
            let what = format!("the value of {path}");
            Control { at, char: c, what }
        }),
        toml_edit::Value::Array(a) => a.iter().find_map(|v| value_control(v, path)),
        toml_edit::Value::InlineTable(t) => table_control(t, path),
        _ => None,
    }
}

/// 64 MiB, 16 MiB, 512 KiB.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("open the demo", 20), vec!["open the demo"]);
        assert_eq!(wrap("open the demo now", 8), vec!["open the", "demo now"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }

    #[test]
    fn chunks_fill_the_first_line_then_the_others() {
        assert_eq!(chunks("/abcdefgh", 4, 3), vec!["/abc", "def", "gh"]);
        assert_eq!(chunks("/a", 4, 3), vec!["/a"]);
        assert_eq!(chunks("", 4, 3), vec![""]);
        assert_eq!(chunks("日本語", 2, 2), vec!["日", "本", "語"]);
        let long = "x".repeat(150);
        assert_eq!(chunks(&long, 156, 154).len(), 1);
        assert_eq!(chunks(&long, 36, 34).len(), 5);
    }

    #[test]
    fn fit_cuts_with_an_ellipsis_to_the_columns_given() {
        assert_eq!(fit("www.example.com", 15), "www.example.com");
        assert_eq!(fit("www.example.com", 10), "www.examp…");
        assert_eq!(columns(&fit("www.example.com", 10)), 10);
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit("abc", 0), "");
        // Wide characters count two columns; a cut never overflows the width.
        assert_eq!(fit("日本語のテキスト", 7), "日本語…");
        assert_eq!(columns(&fit("日本語のテキスト", 6)), 5);
    }

    #[test]
    fn controls_are_escaped_and_long_input_cut() {
        assert_eq!(quote("/a\u{1b}[2Jb\0c"), "/a\\u{1b}[2Jb\\u{0}c");
        assert_eq!(quote("tab\there\r\n"), "tab\\there\\r\\n");
        assert_eq!(quote("\u{9b}\u{7f}\u{202e}x"), "\\u{9b}\\u{7f}\\u{202e}x");
        let long = "é".repeat(1_000_000);
        let q = quote(&long);
        assert_eq!(q.chars().count(), QUOTE_MAX + 1);
        assert!(q.ends_with('…'));
        assert_eq!(quote(&"a".repeat(QUOTE_MAX)), "a".repeat(QUOTE_MAX));
        // Escaped characters count as the room they take: a line of ESC stays short.
        let escapes = quote(&"\u{1b}".repeat(1_000_000));
        assert!(
            escapes.chars().count() <= QUOTE_MAX + 1,
            "{}",
            escapes.len()
        );
        assert!(escapes.ends_with("\\u{1b}…"), "{escapes}");
        assert_eq!(quote("/index.html"), "/index.html");
    }

    #[test]
    fn a_table_row_stays_one_row() {
        assert_eq!(
            one_line("E1  prod\nE0FORGED  www.bank.example\r"),
            "E1  prod\\nE0FORGED  www.bank.example\\r"
        );
    }

    #[test]
    fn invisible_characters_are_shown_too() {
        assert_eq!(
            quote("a\u{200f}b\u{2028}c\u{feff}"),
            "a\\u{200f}b\\u{2028}c\\u{feff}"
        );
    }

    #[test]
    fn a_message_keeps_its_lines_and_loses_its_escapes() {
        assert_eq!(clean("one\ntwo"), "one\ntwo");
        assert_eq!(clean("a\u{1b}]52;c;x\u{7}\nb"), "a\\u{1b}]52;c;x\\u{7}\nb");
        assert_eq!(clean("bidi \u{2066}x"), "bidi \\u{2066}x");
    }

    #[test]
    fn a_byte_order_mark_is_dropped_once() {
        assert_eq!(strip_bom("\u{feff}/a"), "/a");
        assert_eq!(strip_bom("/a\u{feff}"), "/a\u{feff}");
        assert_eq!(strip_bom("\u{feff}\u{feff}/a"), "\u{feff}/a");
        let read = read_capped(&b"\xef\xbb\xbf/index.html\n"[..], 100, "x", "").unwrap();
        assert_eq!(read, "/index.html\n");
    }

    #[test]
    fn control_characters_in_toml_are_found_where_they_are() {
        let toml_control = |text: &str| {
            raw_control(text).or_else(|| {
                let doc = toml_edit::Document::parse(text).ok()?;
                super::toml_control(doc.as_table())
            })
        };
        assert_eq!(toml_control("a = \"x\"\t# ok\r\n"), None);
        let c = toml_control("a = 1\n# bell \u{7}\n").unwrap();
        assert_eq!((c.at, c.char, c.what.as_str()), (13, '\u{7}', "the file"));
        let c = toml_control("[p.q]\nurl = \"http://x\\u001b[2J\"\n").unwrap();
        assert_eq!((c.at, c.char), (12, '\u{1b}'));
        assert_eq!(c.what, "the value of p.q.url");
        let c = toml_control("x = [\"ok\", { \"k\\u0000\" = 1 }]").unwrap();
        assert_eq!(c.what, "the key x.k\\u{0}");
        assert_eq!(toml_control("not toml ="), None);
    }

    #[test]
    fn reads_stop_at_the_cap() {
        let endless = std::io::repeat(0);
        let err = read_capped(endless, 1 << 20, "the paths file z", "split it").unwrap_err();
        assert!(err.contains("larger than 1 MiB"), "{err}");
        assert!(err.contains("the paths file z"), "{err}");
        assert!(err.ends_with("split it"), "{err}");
        assert_eq!(read_capped(&b"abc"[..], 3, "x", "").unwrap(), "abc");
        assert!(read_capped(&b"abcd"[..], 3, "x", "").is_err());
        let err = read_capped(&b"/a\n/b\xffc"[..], 10, "f", "").unwrap_err();
        assert!(err.contains("f: line 2, column 3: not UTF-8"), "{err}");
    }
}
