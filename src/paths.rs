//! Invalidation path rules (CloudFront's, as its documentation gives them), shared by the
//! form and the headless commands: parse a path list, normalise each item and say what
//! changed, reject what CloudFront would refuse (with the reason), find duplicates and
//! items a wildcard already covers, estimate the price, and split into batches that
//! respect the per-request and in-progress quotas.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Most items in one CreateInvalidation.
pub const MAX_ITEMS_PER_REQUEST: usize = 3000;
/// Most file paths in progress at once on one distribution.
pub const MAX_FILES_IN_PROGRESS: usize = 3000;
/// Most wildcard paths in progress at once on one distribution.
pub const MAX_WILDCARDS_IN_PROGRESS: usize = 15;
/// Longest path CloudFront takes.
pub const MAX_PATH_LEN: usize = 4000;
/// Longest cache tag.
pub const MAX_TAG_LEN: usize = 256;
/// USD per path past the monthly free tier.
pub const PRICE_PER_PATH: f64 = 0.005;
/// Paths free each month, per account.
pub const FREE_PATHS_PER_MONTH: usize = 1000;

/// RFC 1738's unsafe characters, which CloudFront wants percent-encoded.
const UNSAFE: &[char] = &[
    ' ', '"', '<', '>', '#', '%', '{', '}', '|', '\\', '^', '~', '[', ']', '`',
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Path,
    /// `#product:electronics`: a cache tag, billed as one path.
    Tag,
}

/// Something cfdash changed or wants the operator to know; the item is still sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// Surrounding whitespace was removed.
    Trimmed,
    /// The line held several paths and was split.
    SplitFromList,
    /// A leading `/` was added.
    AddedSlash,
    /// These characters were percent-encoded (spaces among them, for a line with spaces).
    Encoded(String),
    /// `/docs/` and `/docs` are different objects.
    Directory,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Trimmed => f.write_str("surrounding spaces removed"),
            Note::SplitFromList => f.write_str("split from a space-separated list"),
            Note::AddedSlash => f.write_str("leading / added"),
            Note::Encoded(chars) => write!(f, "encoded {chars}"),
            Note::Directory => f.write_str(
                "a directory: /docs/ and /docs are different objects; add the other too?",
            ),
        }
    }
}

/// Why an item cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    WildcardNotLast,
    TooLong(usize),
    /// The first control character of the item (a NUL of pasted binary data, a tab).
    ControlCharacter(char),
    /// A line of paths with a space inside one of them (`/docs/my file.html /index.html`):
    /// where one path ends and the next begins cannot be known (see [`shape`]).
    SpaceInList,
    TagWildcard,
    TagComma,
    TagCharacters,
    TagTooLong(usize),
    EmptyTag,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::WildcardNotLast => f.write_str("* is only allowed as the last character"),
            Problem::TooLong(n) => write!(f, "{n} characters: a path has at most {MAX_PATH_LEN}"),
            Problem::ControlCharacter(c) => {
                let name = match c {
                    '\0' => " (NUL: binary data pasted?)",
                    '\t' => " (tab)",
                    '\u{1b}' => " (Esc)",
                    '\u{7f}' => " (DEL)",
                    _ => "",
                };
                write!(
                    f,
                    "control character U+{:04X}{name}: not allowed in a path",
                    *c as u32
                )
            }
            Problem::SpaceInList => {
                f.write_str("a space inside a path: send it as %20, or one path per line")
            }
            Problem::TagWildcard => f.write_str("a cache tag cannot hold a wildcard"),
            Problem::TagComma => f.write_str("a cache tag cannot hold a comma"),
            Problem::TagCharacters => {
                f.write_str("a cache tag holds printable ASCII only (no spaces)")
            }
            Problem::TagTooLong(n) => {
                write!(f, "{n} characters: a cache tag has at most {MAX_TAG_LEN}")
            }
            Problem::EmptyTag => f.write_str("# alone is not a cache tag"),
        }
    }
}

/// One item of a path list, as typed and as it would be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The 1-based line of the text it came from.
    pub line: usize,
    pub kind: Kind,
    /// As typed (trimmed token).
    pub raw: String,
    /// What would be sent.
    pub value: String,
    pub notes: Vec<Note>,
    pub problem: Option<Problem>,
    /// Index of the earlier item it repeats.
    pub duplicate_of: Option<usize>,
    /// Index of the wildcard item that already covers it.
    pub covered_by: Option<usize>,
}

impl Item {
    pub fn is_wildcard(&self) -> bool {
        self.kind == Kind::Path && self.value.ends_with('*')
    }

    /// Sent unless it has a problem or repeats an earlier item (covered items are sent
    /// unless the operator drops them: see [`Analysis::to_send`]).
    pub fn is_sendable(&self) -> bool {
        self.problem.is_none() && self.duplicate_of.is_none()
    }
}

/// A path list, item by item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    pub items: Vec<Item>,
}

/// Count and price of what would be sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub paths: usize,
    pub wildcards: usize,
    pub tags: usize,
    pub batches: usize,
    /// USD, if the account is past its free tier this month.
    pub usd: f64,
}

impl Estimate {
    /// Every item sent, each one a path of the month's count.
    pub fn items(&self) -> usize {
        self.paths + self.wildcards + self.tags
    }
}

/// Normalises one path: trims, adds a leading `/`, percent-encodes the unsafe characters
/// and non-ASCII (never a valid `%XX` again), and checks the rules. Idempotent.
pub fn normalise_path(raw: &str) -> (String, Vec<Note>, Option<Problem>) {
    let mut notes = Vec::new();
    let trimmed = raw.trim();
    if trimmed.len() != raw.len() {
        notes.push(Note::Trimmed);
    }
    let mut out = String::with_capacity(trimmed.len() + 1);
    if !trimmed.starts_with('/') {
        out.push('/');
        notes.push(Note::AddedSlash);
    }
    let mut encoded = BTreeSet::new();
    let mut problem = None;
    let bytes = trimmed.as_bytes();
    for (i, c) in trimmed.char_indices() {
        if c.is_control() {
            problem.get_or_insert(Problem::ControlCharacter(c));
            out.push(c);
            continue;
        }
        let valid_escape = c == '%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if valid_escape || (c.is_ascii() && !UNSAFE.contains(&c)) {
            out.push(c);
        } else {
            encoded.insert(c);
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if !encoded.is_empty() {
        let list = encoded
            .iter()
            .map(|c| {
                if *c == ' ' {
                    "spaces".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        notes.push(Note::Encoded(list));
    }
    if problem.is_none() {
        if out[..out.len() - 1].contains('*') {
            problem = Some(Problem::WildcardNotLast);
        } else if out.chars().count() > MAX_PATH_LEN {
            problem = Some(Problem::TooLong(out.chars().count()));
        }
    }
    if problem.is_none() && out.len() > 1 && out.ends_with('/') {
        notes.push(Note::Directory);
    }
    (out, notes, problem)
}

/// Checks a cache tag (`#name`). Tags are case-insensitive; they are sent as written.
pub fn check_tag(raw: &str) -> (String, Vec<Note>, Option<Problem>) {
    let mut notes = Vec::new();
    let tag = raw.trim();
    if tag.len() != raw.len() {
        notes.push(Note::Trimmed);
    }
    let name = &tag[1..];
    let problem = if let Some(c) = tag.chars().find(|c| c.is_control()) {
        Some(Problem::ControlCharacter(c))
    } else if name.is_empty() {
        Some(Problem::EmptyTag)
    } else if name.contains('*') {
        Some(Problem::TagWildcard)
    } else if name.contains(',') {
        Some(Problem::TagComma)
    } else if !name.bytes().all(|b| (33..=126).contains(&b)) {
        Some(Problem::TagCharacters)
    } else if name.len() > MAX_TAG_LEN {
        Some(Problem::TagTooLong(name.len()))
    } else {
        None
    };
    (tag.to_string(), notes, problem)
}

/// How a line of a path list reads, by the whitespace inside it (after trimming). One rule
/// for a line typed, pasted or read from a paths file:
///
/// - no whitespace inside: one item;
/// - whitespace-separated parts that each start with `/` (a path) or `#` (a cache tag): a
///   list, an item a part. A deploy step's `aws cloudfront create-invalidation --paths
///   /index.html /images/*` is one: the AWS CLI reference gives `--paths` as "the
///   space-separated paths to be invalidated"
///   (<https://docs.aws.amazon.com/cli/latest/reference/cloudfront/create-invalidation.html>).
///   A part starting with `*` does not count: CloudFront's API wants every invalidation
///   path to begin with `/`, and a stray `*` read as `/*` would be every object of the
///   distribution;
/// - else, if a part after the first starts with `/` or `#`: a list with a space inside one
///   of its paths (`/docs/my file.html /index.html`), which cannot be read without guessing
///   where a path ends: refused ([`Problem::SpaceInList`]), since CloudFront wants a space
///   in a path URL-encoded as `%20`;
/// - else one path with spaces in it (`/my file.html`), sent with them encoded.
///
/// CloudFront's rules, from the Developer Guide's "What you need to know when invalidating
/// paths"
/// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html>):
/// "When you use the CloudFront API directly, invalidation paths must begin with a leading
/// slash"; non-ASCII and RFC 1738's unsafe characters (the space among them) must be
/// URL-encoded; the `*` wildcard must be the last character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    One,
    List,
    SpaceInList,
}

/// A part that starts an item of a list: a path or a cache tag.
fn starts_item(part: &str) -> bool {
    part.starts_with('/') || part.starts_with('#')
}

/// The [`Shape`] of one line.
pub fn shape(line: &str) -> Shape {
    let trimmed = line.trim();
    if !trimmed.contains(char::is_whitespace) {
        return Shape::One;
    }
    let mut parts = trimmed.split_whitespace();
    let first = parts.next().is_some_and(starts_item);
    let (mut all, mut later) = (first, false);
    for part in parts {
        let starts = starts_item(part);
        all &= starts;
        later |= starts;
    }
    if all {
        Shape::List
    } else if later {
        Shape::SpaceInList
    } else {
        Shape::One
    }
}

/// A paste laid out one item a line: each list line (see [`Shape`]) becomes a line per item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfolded {
    /// The text, its line endings `\n`.
    pub text: String,
    /// How many lines were lists, and how many items they held.
    pub lists: usize,
    pub items: usize,
}

/// `text` with every list line split into a line per item, so that each item has a line of
/// its own (its own mark and note, and a repeat names the line it repeats); `None` when no
/// line is a list. Other lines are kept as they are. Linear in the text.
pub fn one_item_a_line(text: &str) -> Option<Unfolded> {
    let text: Cow<'_, str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let mut out = String::with_capacity(text.len());
    let (mut lists, mut items) = (0, 0);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if shape(line) != Shape::List {
            out.push_str(line);
            continue;
        }
        lists += 1;
        for (j, part) in line.split_whitespace().enumerate() {
            if j > 0 {
                out.push('\n');
            }
            out.push_str(part);
            items += 1;
        }
    }
    (lists > 0).then_some(Unfolded {
        text: out,
        lists,
        items,
    })
}

/// How a token was read from its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The whole line.
    Line,
    /// One part of a list line.
    List,
    /// The whole line, a list with a space inside a path.
    SpaceInList,
}

/// Splits text into items: one a line, blank lines skipped, a list line an item a part
/// (see [`Shape`]). `first` is the 0-based number of the first line given.
fn tokens<'a>(lines: impl Iterator<Item = &'a str>, first: usize) -> Vec<(usize, &'a str, Origin)> {
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let line_no = first + n + 1;
        match shape(trimmed) {
            Shape::List => out.extend(
                trimmed
                    .split_whitespace()
                    .map(|p| (line_no, p, Origin::List)),
            ),
            Shape::SpaceInList => out.push((line_no, line, Origin::SpaceInList)),
            Shape::One => out.push((line_no, line, Origin::Line)),
        }
    }
    out
}

/// One token read: normalised, checked, its notes.
fn item((line, token, from): (usize, &str, Origin)) -> Item {
    let is_tag = token.trim_start().starts_with('#');
    let (value, mut notes, mut problem) = if is_tag {
        check_tag(token)
    } else {
        normalise_path(token)
    };
    match from {
        Origin::Line => {}
        Origin::List => {
            notes.insert(0, Note::SplitFromList);
            notes.retain(|n| *n != Note::Trimmed);
        }
        // A control character says more (binary data); anything else found in the line
        // read as one path (a `*` not last, its length) is beside the point.
        Origin::SpaceInList => {
            if !matches!(problem, Some(Problem::ControlCharacter(_))) {
                problem = Some(Problem::SpaceInList);
            }
        }
    }
    Item {
        line,
        kind: if is_tag { Kind::Tag } else { Kind::Path },
        raw: token.trim().to_string(),
        value,
        notes,
        problem,
        duplicate_of: None,
        covered_by: None,
    }
}

/// Reads a whole path list.
pub fn analyse(text: &str) -> Analysis {
    analyse_lines(text.lines())
}

/// Reads a path list already split into lines (the form's editor holds lines).
pub fn analyse_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Analysis {
    let mut items: Vec<Item> = tokens(lines, 0).into_iter().map(item).collect();
    mark_duplicates(&mut items);
    mark_covered(&mut items);
    Analysis { items }
}

impl Analysis {
    /// The analysis of `lines` after an edit, from this analysis of the text before it.
    /// `keys` name the lines now and `old_keys` the lines this analysis read, equal keys
    /// meaning equal text (the editor's stamps). The items of the lines before the first
    /// changed key and after the last are kept (only their line numbers move), the lines
    /// between are read again, and the whole-list marks (repeats, covered) are redone:
    /// the same result as [`analyse_lines`] for a fraction of the work on a long list.
    pub fn update_lines(&mut self, lines: &[String], keys: &[u64], old_keys: &[u64]) {
        debug_assert_eq!(lines.len(), keys.len());
        let prefix = keys
            .iter()
            .zip(old_keys)
            .take_while(|(a, b)| a == b)
            .count();
        let room = keys.len().min(old_keys.len()) - prefix;
        let suffix = keys
            .iter()
            .rev()
            .zip(old_keys.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        let (old_end, new_end) = (old_keys.len() - suffix, keys.len() - suffix);
        // Item lines are 1-based: the items of lines prefix..old_end (0-based) go.
        let start = self.items.partition_point(|i| i.line <= prefix);
        let end = self.items.partition_point(|i| i.line <= old_end);
        let read = tokens(lines[prefix..new_end].iter().map(String::as_str), prefix);
        if new_end != old_end {
            for it in &mut self.items[end..] {
                it.line = it.line + new_end - old_end;
            }
        }
        self.items.splice(start..end, read.into_iter().map(item));
        for it in &mut self.items {
            it.duplicate_of = None;
            it.covered_by = None;
        }
        mark_duplicates(&mut self.items);
        mark_covered(&mut self.items);
    }
}

fn mark_duplicates(items: &mut [Item]) {
    // Keys borrowed from the items (tags compare without case): no copy of every path.
    let mut first: HashMap<Cow<'_, str>, usize> = HashMap::with_capacity(items.len());
    let mut repeats = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.problem.is_some() {
            continue;
        }
        let key = match item.kind {
            Kind::Path => Cow::Borrowed(item.value.as_str()),
            Kind::Tag => Cow::Owned(item.value.to_ascii_lowercase()),
        };
        match first.entry(key) {
            Entry::Occupied(e) => repeats.push((i, *e.get())),
            Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    drop(first);
    for (i, j) in repeats {
        items[i].duplicate_of = Some(j);
    }
}

/// Marks paths a wildcard of the same list covers (`/images/*` covers `/images/a.png` and
/// `/images/b/*`; `/*` covers every path). Tags are never covered.
fn mark_covered(items: &mut [Item]) {
    // The wildcard prefixes no other wildcard covers: a prefix-free set, so the only one
    // that can cover a path is the greatest not above it.
    let mut prefixes: Vec<(&str, usize)> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.is_sendable() && it.is_wildcard())
        .map(|(i, it)| (&it.value[..it.value.len() - 1], i))
        .collect();
    prefixes.sort();
    let mut minimal: Vec<(String, usize)> = Vec::new();
    for (p, i) in prefixes {
        if minimal
            .last()
            .is_none_or(|(m, _)| !p.starts_with(m.as_str()))
        {
            minimal.push((p.to_string(), i));
        }
    }
    if minimal.is_empty() {
        return;
    }
    for (i, it) in items.iter_mut().enumerate() {
        if !it.is_sendable() || it.kind != Kind::Path {
            continue;
        }
        let at = minimal.partition_point(|(p, _)| p.as_str() <= it.value.as_str());
        if at == 0 {
            continue;
        }
        let (prefix, by) = &minimal[at - 1];
        if *by != i && it.value.starts_with(prefix.as_str()) {
            it.covered_by = Some(*by);
        }
    }
}

impl Analysis {
    pub fn problems(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.problem.is_some())
    }

    pub fn has_problems(&self) -> bool {
        self.problems().next().is_some()
    }

    /// What would be sent, in order, without duplicates, and without covered paths if
    /// `drop_covered`. Nothing is sent while any item has a problem.
    pub fn to_send(&self, drop_covered: bool) -> Option<Vec<&Item>> {
        (!self.has_problems()).then(|| self.sendable(drop_covered))
    }

    /// The items that would be sent once every problem is fixed.
    fn sendable(&self, drop_covered: bool) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| i.is_sendable() && !(drop_covered && i.covered_by.is_some()))
            .collect()
    }

    /// Counts and price of what would be sent.
    pub fn estimate(&self, drop_covered: bool) -> Estimate {
        let send = self.sendable(drop_covered);
        let wildcards = send.iter().filter(|i| i.is_wildcard()).count();
        let tags = send.iter().filter(|i| i.kind == Kind::Tag).count();
        let paths = send.len() - wildcards - tags;
        Estimate {
            paths,
            wildcards,
            tags,
            batches: batch_ends(&send).len(),
            usd: send.len() as f64 * PRICE_PER_PATH,
        }
    }
}

/// A price in dollars: tenths of a cent below a dollar (one path costs $0.005).
pub fn format_usd(usd: f64) -> String {
    if usd < 1.0 {
        format!("${usd:.3}")
    } else {
        format!("${usd:.2}")
    }
}

/// What is already in progress on a distribution, from the data cfdash has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InProgress {
    pub files: usize,
    pub wildcards: usize,
}

impl InProgress {
    /// The file paths and wildcard paths of a path list (a tag counts as a file).
    pub fn of(paths: &[String]) -> Self {
        let wildcards = paths.iter().filter(|p| p.ends_with('*')).count();
        Self {
            files: paths.len() - wildcards,
            wildcards,
        }
    }

    pub fn add(&mut self, more: Self) {
        self.files += more.files;
        self.wildcards += more.wildcards;
    }

    /// `batch` on top of this stays within the in-progress quotas of a distribution.
    pub fn fits(self, batch: Self) -> bool {
        self.files + batch.files <= MAX_FILES_IN_PROGRESS
            && self.wildcards + batch.wildcards <= MAX_WILDCARDS_IN_PROGRESS
    }
}

/// Items split into batches, each its own CreateInvalidation, in the order to send them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub batches: Vec<Vec<String>>,
    /// How many of the first batches fit the in-progress quotas now; the rest wait for
    /// earlier invalidations to complete.
    pub now: usize,
}

/// Where each batch of `items` ends: at most 3,000 items and 15 wildcards a batch.
fn batch_ends(items: &[&Item]) -> Vec<usize> {
    let mut ends: Vec<usize> = Vec::new();
    let (mut in_batch, mut wild_in_batch) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let wildcard = item.is_wildcard();
        let full = in_batch >= MAX_ITEMS_PER_REQUEST
            || (wildcard && wild_in_batch >= MAX_WILDCARDS_IN_PROGRESS);
        if full {
            ends.push(i);
            (in_batch, wild_in_batch) = (0, 0);
        }
        in_batch += 1;
        if wildcard {
            wild_in_batch += 1;
        }
    }
    if in_batch > 0 {
        ends.push(items.len());
    }
    ends
}

/// Splits items into batches of at most 3,000 items and 15 wildcards, and says how many
/// fit the distribution's in-progress quotas now.
pub fn plan(items: &[&Item], in_progress: InProgress) -> Plan {
    let mut start = 0;
    let batches: Vec<Vec<String>> = batch_ends(items)
        .into_iter()
        .map(|end| {
            let batch = items[start..end].iter().map(|i| i.value.clone()).collect();
            start = end;
            batch
        })
        .collect();
    let mut running = in_progress;
    let mut now = 0;
    for batch in &batches {
        let batch = InProgress::of(batch);
        if !running.fits(batch) {
            break;
        }
        running.add(batch);
        now += 1;
    }
    Plan { batches, now }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Item {
        let a = analyse(line);
        assert_eq!(a.items.len(), 1, "{line:?}");
        a.items.into_iter().next().unwrap()
    }

    #[test]
    fn normalising_says_what_changed() {
        let it = one("  index.html ");
        assert_eq!(it.value, "/index.html");
        assert_eq!(it.notes, vec![Note::Trimmed, Note::AddedSlash]);

        let it = one("/my file.html");
        assert_eq!(it.value, "/my%20file.html");
        assert_eq!(it.notes, vec![Note::Encoded("spaces".into())]);

        let it = one("/café/{x}|~");
        assert_eq!(it.value, "/caf%C3%A9/%7Bx%7D%7C%7E");
        assert_eq!(it.problem, None);
    }

    #[test]
    fn query_strings_and_valid_escapes_stay() {
        assert_eq!(one("/a.jpg?v=2&w=3;x:y@z").value, "/a.jpg?v=2&w=3;x:y@z");
        assert_eq!(one("/a%20b").value, "/a%20b");
        assert_eq!(one("/a%20b").notes, vec![]);
        assert_eq!(one("/100%").value, "/100%25");
        assert_eq!(one("/%zz").value, "/%25zz");
    }

    #[test]
    fn rejected_lines_say_why() {
        assert_eq!(one("/a*/b").problem, Some(Problem::WildcardNotLast));
        assert_eq!(one("/images/*").problem, None);
        assert_eq!(
            one("/a\u{7}b").problem,
            Some(Problem::ControlCharacter('\u{7}'))
        );
        let long = format!("/{}", "a".repeat(4000));
        assert_eq!(one(&long).problem, Some(Problem::TooLong(4001)));
        assert_eq!(one("#a*").problem, Some(Problem::TagWildcard));
        assert_eq!(one("#a,b").problem, Some(Problem::TagComma));
        assert_eq!(one("#caf\u{e9}").problem, Some(Problem::TagCharacters));
        assert_eq!(
            one(&format!("#{}", "t".repeat(257))).problem,
            Some(Problem::TagTooLong(257))
        );
        assert_eq!(one("#").problem, Some(Problem::EmptyTag));
        assert_eq!(one("#product:electronics").problem, None);
        assert!(
            Problem::WildcardNotLast
                .to_string()
                .contains("last character")
        );
    }

    #[test]
    fn a_pasted_list_is_split_and_a_line_with_spaces_is_one_path() {
        let a = analyse("/index.html /images/* #tag:a\nnot a list\n\n");
        let values: Vec<&str> = a.items.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(
            values,
            vec!["/index.html", "/images/*", "#tag:a", "/not%20a%20list"]
        );
        assert_eq!(a.items[0].notes, vec![Note::SplitFromList]);
        assert_eq!(a.items[2].kind, Kind::Tag);
        assert_eq!(a.items[3].line, 2);
    }

    #[test]
    fn a_line_reads_as_one_item_a_list_or_a_list_with_a_space_inside() {
        for (line, want) in [
            ("/index.html", Shape::One),
            ("  /index.html\t", Shape::One),
            ("", Shape::One),
            ("/my file.html", Shape::One),
            ("my file.html", Shape::One),
            ("/index.html /images/*", Shape::List),
            ("/a\t/b   #tag", Shape::List),
            ("#a #b", Shape::List),
            ("  /a /b  ", Shape::List),
            ("/docs/my file.html /index.html", Shape::SpaceInList),
            ("index.html /about.html", Shape::SpaceInList),
            ("/a b #c", Shape::SpaceInList),
            // A stray `*` is not a path of a list: it would read as /*, everything.
            ("/images/ *", Shape::One),
            ("* /a", Shape::SpaceInList),
        ] {
            assert_eq!(shape(line), want, "{line:?}");
        }
    }

    #[test]
    fn a_list_with_a_space_inside_a_path_is_refused_with_the_reason() {
        let a = analyse("/docs/my file.html /index.html");
        assert_eq!(a.items.len(), 1, "nothing is guessed");
        let it = &a.items[0];
        assert_eq!(it.problem, Some(Problem::SpaceInList));
        assert_eq!(it.raw, "/docs/my file.html /index.html");
        assert!(a.to_send(false).is_none());
        assert!(it.problem.as_ref().unwrap().to_string().contains("%20"));
        // Not the wildcard error the line would give read as one path, nor its length.
        let a = analyse("/docs/my file.html /images/*");
        assert_eq!(a.items[0].problem, Some(Problem::SpaceInList));
        let long = format!("/{} /b", "a b".repeat(2000));
        assert_eq!(analyse(&long).items[0].problem, Some(Problem::SpaceInList));
        // A control character says more.
        let a = analyse("/a\0 b /c");
        assert_eq!(a.items[0].problem, Some(Problem::ControlCharacter('\0')));
        // Fixed either way, it is sent.
        let a = analyse("/docs/my%20file.html /index.html");
        assert_eq!(a.items.len(), 2);
        assert!(a.to_send(false).is_some());
        let a = analyse("/docs/my file.html\n/index.html");
        let values: Vec<&str> = a.items.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(values, ["/docs/my%20file.html", "/index.html"]);
    }

    #[test]
    fn a_control_character_is_named() {
        let junk = "\0".repeat(200_000);
        let a = analyse(&junk);
        assert_eq!(a.items.len(), 1);
        assert_eq!(a.items[0].problem, Some(Problem::ControlCharacter('\0')));
        assert_eq!(
            one("/a\u{1b}[31mb\u{7}").problem,
            Some(Problem::ControlCharacter('\u{1b}')),
            "the first one"
        );
        assert_eq!(
            one("#tag\u{7f}").problem,
            Some(Problem::ControlCharacter('\u{7f}'))
        );
    }

    #[test]
    fn a_paste_is_laid_out_one_item_a_line() {
        let u = one_item_a_line("/index.html /images/* /index.html").unwrap();
        assert_eq!(u.text, "/index.html\n/images/*\n/index.html");
        assert_eq!((u.lists, u.items), (1, 3));
        // Other lines stay as they are; line endings become \n; a final one stays.
        let u = one_item_a_line("  /keep \r\n/a\t/b #t\r/my file.html\n\n/c /d\n").unwrap();
        assert_eq!(u.text, "  /keep \n/a\n/b\n#t\n/my file.html\n\n/c\n/d\n");
        assert_eq!((u.lists, u.items), (2, 5));
        // Nothing to split: the paste goes in as it is.
        for text in [
            "",
            "/a\n/b",
            "/my file.html",
            "/docs/my file.html /index.html",
            "\n",
        ] {
            assert_eq!(one_item_a_line(text), None, "{text:?}");
        }
        // What the lines read as afterwards is what the list read as before.
        let text = "/a /b/* #T /a\n/b/c";
        let before = analyse(text);
        let after = analyse(&one_item_a_line(text).unwrap().text);
        let values = |a: &Analysis| {
            a.items
                .iter()
                .map(|i| (i.value.clone(), i.duplicate_of, i.covered_by))
                .collect::<Vec<_>>()
        };
        assert_eq!(values(&before), values(&after));
        assert_eq!(
            after.items.iter().map(|i| i.line).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn a_pasted_200_kb_list_is_read_in_one_pass() {
        let text: String = (0..20_000).map(|i| format!("/p/{i}.html ")).collect();
        assert!(text.len() > 200_000);
        let u = one_item_a_line(&text).unwrap();
        assert_eq!(u.items, 20_000);
        assert_eq!(u.text.lines().count(), 20_000);
        let a = analyse(&u.text);
        assert_eq!(a.items.len(), 20_000);
        assert_eq!(a.items[19_999].line, 20_000);
    }

    #[test]
    fn directories_get_a_hint() {
        assert_eq!(one("/docs/").notes, vec![Note::Directory]);
        assert_eq!(one("/").notes, vec![]);
    }

    #[test]
    fn duplicates_and_covered_paths_are_found() {
        let a = analyse(
            "/images/*\n/images/logo.png\n/index.html\n/index.html\n/images/x/*\n#Tag\n#tag\n/imagesque",
        );
        let i = &a.items;
        assert_eq!(i[1].covered_by, Some(0));
        assert_eq!(i[3].duplicate_of, Some(2));
        assert_eq!(
            i[4].covered_by,
            Some(0),
            "a narrower wildcard is covered too"
        );
        assert_eq!(i[6].duplicate_of, Some(5), "tags compare without case");
        assert_eq!(i[7].covered_by, None, "/images/* does not cover /imagesque");
    }

    #[test]
    fn everything_under_the_root_wildcard() {
        let a = analyse("/a\n/b/*\n/*\n#tag");
        assert_eq!(a.items[0].covered_by, Some(2));
        assert_eq!(a.items[1].covered_by, Some(2));
        assert_eq!(a.items[2].covered_by, None);
        assert_eq!(a.items[3].covered_by, None, "tags are not paths");
        let send = a.to_send(true).unwrap();
        assert_eq!(send.len(), 2);
    }

    #[test]
    fn nothing_is_sent_while_a_line_is_wrong() {
        let a = analyse("/ok\n/bad*/x");
        assert!(a.to_send(false).is_none());
    }

    #[test]
    fn estimate_counts_and_prices() {
        let a = analyse("/a\n/b\n/c/*\n#t\n/a");
        let e = a.estimate(false);
        assert_eq!((e.paths, e.wildcards, e.tags, e.batches), (2, 1, 1, 1));
        assert!((e.usd - 0.02).abs() < 1e-9);
    }

    #[test]
    fn nothing_to_send_is_no_batch() {
        for text in ["", "\n  \n", "/a*/b"] {
            let a = analyse(text);
            assert_eq!(a.estimate(false).batches, 0, "{text:?}");
            let send = a.sendable(false);
            if send.is_empty() {
                assert_eq!(plan(&send, InProgress::default()).batches.len(), 0);
            }
        }
    }

    #[test]
    fn batches_respect_request_and_in_progress_quotas() {
        let text: String = (0..7000).map(|i| format!("/p{i}\n")).collect();
        let a = analyse(&text);
        let send = a.to_send(false).unwrap();
        let p = plan(&send, InProgress::default());
        assert_eq!(
            p.batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3000, 3000, 1000]
        );
        assert_eq!(p.now, 1, "3,000 file paths in progress at most");
        let p = plan(
            &send,
            InProgress {
                files: 10,
                wildcards: 0,
            },
        );
        assert_eq!(p.now, 0, "the first batch waits for 10 paths in progress");

        let wild: String = (0..20).map(|i| format!("/w{i}/*\n")).collect();
        let a = analyse(&wild);
        let send = a.to_send(false).unwrap();
        let p = plan(
            &send,
            InProgress {
                files: 0,
                wildcards: 3,
            },
        );
        assert_eq!(
            p.batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![15, 5]
        );
        assert_eq!(p.now, 0, "3 wildcards in progress leave room for 12");
        assert_eq!(plan(&send, InProgress::default()).now, 1);
        assert_eq!(a.estimate(false).batches, 2);
    }

    #[test]
    fn notes_and_problems_read_as_sentences() {
        let notes = [
            (Note::Trimmed, "surrounding spaces removed"),
            (Note::SplitFromList, "split from a space-separated list"),
            (Note::AddedSlash, "leading / added"),
            (Note::Encoded("spaces ~".into()), "encoded spaces ~"),
            (
                Note::Directory,
                "a directory: /docs/ and /docs are different objects; add the other too?",
            ),
        ];
        for (note, text) in notes {
            assert_eq!(note.to_string(), text);
        }
        let problems = [
            (
                Problem::WildcardNotLast,
                "* is only allowed as the last character",
            ),
            (
                Problem::TooLong(4001),
                "4001 characters: a path has at most 4000",
            ),
            (
                Problem::ControlCharacter('\u{7}'),
                "control character U+0007: not allowed in a path",
            ),
            (
                Problem::ControlCharacter('\0'),
                "control character U+0000 (NUL: binary data pasted?): not allowed in a path",
            ),
            (
                Problem::ControlCharacter('\t'),
                "control character U+0009 (tab): not allowed in a path",
            ),
            (
                Problem::ControlCharacter('\u{1b}'),
                "control character U+001B (Esc): not allowed in a path",
            ),
            (
                Problem::ControlCharacter('\u{7f}'),
                "control character U+007F (DEL): not allowed in a path",
            ),
            (
                Problem::SpaceInList,
                "a space inside a path: send it as %20, or one path per line",
            ),
            (Problem::TagWildcard, "a cache tag cannot hold a wildcard"),
            (Problem::TagComma, "a cache tag cannot hold a comma"),
            (
                Problem::TagCharacters,
                "a cache tag holds printable ASCII only (no spaces)",
            ),
            (
                Problem::TagTooLong(257),
                "257 characters: a cache tag has at most 256",
            ),
            (Problem::EmptyTag, "# alone is not a cache tag"),
        ];
        for (problem, text) in problems {
            assert_eq!(problem.to_string(), text);
        }
    }

    #[test]
    fn only_a_percent_and_two_hex_digits_is_an_escape() {
        // The escape well inside the path: the digits are the two bytes after the `%`,
        // not the ones before it or further on.
        let it = one("/docs/my%20file.txt");
        assert_eq!(it.value, "/docs/my%20file.txt");
        assert_eq!(it.notes, vec![]);
        assert_eq!(one("/docs/a%2fb").value, "/docs/a%2fb", "lowercase hex");
        assert_eq!(one("/%g1").value, "/%25g1", "the first digit is not hex");
        assert_eq!(one("/%1g").value, "/%251g", "the second digit is not hex");
        assert_eq!(one("/%1").value, "/%251", "one digit");
        assert_eq!(one("/%g1").notes, vec![Note::Encoded("%".into())]);
    }

    #[test]
    fn the_longest_path_is_4000_characters() {
        let at_most = format!("/{}", "a".repeat(MAX_PATH_LEN - 1));
        let it = one(&at_most);
        assert_eq!((it.value.len(), it.problem), (MAX_PATH_LEN, None));
        let over = format!("/{}", "a".repeat(MAX_PATH_LEN));
        assert_eq!(one(&over).problem, Some(Problem::TooLong(MAX_PATH_LEN + 1)));
        // The length is of what is sent: each space becomes three characters.
        let spaces = format!("/ab{}c", " ".repeat(1332));
        assert_eq!(one(&spaces).value.len(), MAX_PATH_LEN);
        assert_eq!(one(&spaces).problem, None);
        let spaces = format!("/{}c", " ".repeat(1333));
        assert_eq!(one(&spaces).problem, Some(Problem::TooLong(4001)));
    }

    #[test]
    fn the_longest_cache_tag_is_256_characters() {
        let at_most = format!("#{}", "t".repeat(MAX_TAG_LEN));
        assert_eq!(one(&at_most).problem, None);
        let over = format!("#{}", "t".repeat(MAX_TAG_LEN + 1));
        assert_eq!(
            one(&over).problem,
            Some(Problem::TagTooLong(MAX_TAG_LEN + 1))
        );
    }

    #[test]
    fn a_tag_is_sent_as_written_and_only_trimming_is_noted() {
        let it = one("#Product:Electronics");
        assert_eq!(it.kind, Kind::Tag);
        assert_eq!(it.value, "#Product:Electronics");
        assert_eq!(it.notes, vec![]);
        let it = one("  #product:electronics\t");
        assert_eq!(it.value, "#product:electronics");
        assert_eq!(it.raw, "#product:electronics");
        assert_eq!(it.notes, vec![Note::Trimmed]);
    }

    /// Lines as the editor holds them, each with its stamp.
    type Stamped<'a> = [(u64, &'a str)];

    /// Reads `before`, updates the analysis to `after` (the stamps of the lines the edit
    /// left alone unchanged), and checks both against the text read afresh.
    fn check_update(before: &Stamped, after: &Stamped) {
        let lines = |v: &Stamped| v.iter().map(|(_, l)| l.to_string()).collect::<Vec<_>>();
        let keys = |v: &Stamped| v.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        let mut a = Analysis::default();
        a.update_lines(&lines(before), &keys(before), &[]);
        assert_eq!(
            a,
            analyse_lines(before.iter().map(|(_, l)| *l)),
            "{before:?}"
        );
        a.update_lines(&lines(after), &keys(after), &keys(before));
        assert_eq!(
            a,
            analyse_lines(after.iter().map(|(_, l)| *l)),
            "{before:?} -> {after:?}"
        );
    }

    #[test]
    fn an_edit_read_incrementally_is_the_text_read_afresh() {
        let abc: &Stamped = &[(1, "/a"), (2, "/b/*"), (3, "/b/c /d")];
        check_update(abc, abc);
        check_update(&[], &[]);
        check_update(&[], abc);
        check_update(abc, &[]);
        // One line changed: first, middle, last.
        check_update(abc, &[(4, "/x"), (2, "/b/*"), (3, "/b/c /d")]);
        check_update(abc, &[(1, "/a"), (4, "/x /y"), (3, "/b/c /d")]);
        check_update(abc, &[(1, "/a"), (2, "/b/*"), (4, "/x")]);
        // Lines inserted: first, middle, last; one line becoming several.
        check_update(abc, &[(4, "/x /y"), (1, "/a"), (2, "/b/*"), (3, "/b/c /d")]);
        check_update(abc, &[(1, "/a"), (4, "/x /y"), (2, "/b/*"), (3, "/b/c /d")]);
        check_update(abc, &[(1, "/a"), (2, "/b/*"), (3, "/b/c /d"), (4, "/x")]);
        check_update(
            abc,
            &[(1, "/a"), (4, "/x"), (5, ""), (6, "/y"), (3, "/b/c /d")],
        );
        // Lines deleted: first, middle, last, all but one.
        check_update(abc, &[(2, "/b/*"), (3, "/b/c /d")]);
        check_update(abc, &[(1, "/a"), (3, "/b/c /d")]);
        check_update(abc, &[(1, "/a"), (2, "/b/*")]);
        check_update(abc, &[(3, "/b/c /d")]);
        // Blank lines around the edit; marks made and undone by lines the edit left alone.
        let blanks: &Stamped = &[(1, ""), (2, "/a"), (3, ""), (4, "/a"), (5, "")];
        check_update(blanks, &[(1, ""), (2, "/a"), (6, "/*"), (4, "/a"), (5, "")]);
        check_update(blanks, &[(1, ""), (2, "/a"), (4, "/a"), (5, "")]);
        check_update(
            blanks,
            &[(6, "/a /b"), (7, ""), (2, "/a"), (3, ""), (4, "/a")],
        );
        check_update(
            &[(1, "/*"), (2, "/a"), (3, "/a")],
            &[(4, "/x/*"), (2, "/a"), (3, "/a")],
        );
    }

    #[test]
    fn a_price_shows_tenths_of_a_cent_below_a_dollar() {
        assert_eq!(format_usd(0.0), "$0.000");
        assert_eq!(format_usd(PRICE_PER_PATH), "$0.005");
        assert_eq!(format_usd(0.995), "$0.995");
        assert_eq!(format_usd(1.0), "$1.00");
        assert_eq!(format_usd(15.0), "$15.00");
        // 199 paths cost 99.5 cents, 200 a dollar, 1,000 (a month's free tier) $5.
        let price = |n: usize| {
            let text: String = (0..n).map(|i| format!("/p{i}\n")).collect();
            format_usd(analyse(&text).estimate(false).usd)
        };
        assert_eq!(price(199), "$0.995");
        assert_eq!(price(200), "$1.00");
        assert_eq!(price(FREE_PATHS_PER_MONTH), "$5.00");
    }

    #[test]
    fn in_progress_counts_wildcards_and_everything_else_as_files() {
        let paths = ["/a", "/b/*", "#tag", "/c", "/*"].map(String::from);
        assert_eq!(
            InProgress::of(&paths),
            InProgress {
                files: 3,
                wildcards: 2
            }
        );
        let mut running = InProgress {
            files: 5,
            wildcards: 1,
        };
        running.add(InProgress::of(&paths));
        assert_eq!(
            running,
            InProgress {
                files: 8,
                wildcards: 3
            }
        );
    }

    #[test]
    fn in_progress_quotas_are_3000_files_and_15_wildcards() {
        let files = |files| InProgress {
            files,
            wildcards: 0,
        };
        let wildcards = |wildcards| InProgress {
            files: 0,
            wildcards,
        };
        assert!(files(0).fits(files(MAX_FILES_IN_PROGRESS)));
        assert!(!files(0).fits(files(MAX_FILES_IN_PROGRESS + 1)));
        assert!(files(2000).fits(files(1000)));
        assert!(!files(2001).fits(files(1000)));
        assert!(wildcards(0).fits(wildcards(MAX_WILDCARDS_IN_PROGRESS)));
        assert!(!wildcards(0).fits(wildcards(MAX_WILDCARDS_IN_PROGRESS + 1)));
        assert!(wildcards(5).fits(wildcards(10)));
        assert!(!wildcards(6).fits(wildcards(10)));
        // Files and wildcards are separate quotas.
        assert!(files(MAX_FILES_IN_PROGRESS).fits(wildcards(MAX_WILDCARDS_IN_PROGRESS)));

        // A batch of 10 files and 5 wildcards goes now only if both fit.
        let files_then_wildcards = (0..10).map(|i| format!("/p{i}\n"));
        let text: String = files_then_wildcards
            .chain((0..5).map(|i| format!("/w{i}/*\n")))
            .collect();
        let a = analyse(&text);
        let send = a.to_send(false).unwrap();
        assert_eq!(send.len(), 15);
        let now = |files, wildcards| plan(&send, InProgress { files, wildcards }).now;
        assert_eq!(now(2990, 10), 1);
        assert_eq!(now(2991, 10), 0);
        assert_eq!(now(2990, 11), 0);
    }

    #[test]
    fn batches_end_at_3000_items_and_15_wildcards() {
        let sizes = |text: &str| {
            let a = analyse(text);
            let send = a.to_send(false).unwrap();
            let p = plan(&send, InProgress::default());
            assert_eq!(a.estimate(false).batches, p.batches.len());
            p.batches.iter().map(Vec::len).collect::<Vec<_>>()
        };
        let files = |n: usize| (0..n).map(|i| format!("/p{i}\n")).collect::<String>();
        let wild = |n: usize| (0..n).map(|i| format!("/w{i}/*\n")).collect::<String>();
        assert_eq!(sizes(&files(MAX_ITEMS_PER_REQUEST)), vec![3000]);
        assert_eq!(sizes(&files(MAX_ITEMS_PER_REQUEST + 1)), vec![3000, 1]);
        assert_eq!(sizes(&wild(MAX_WILDCARDS_IN_PROGRESS)), vec![15]);
        assert_eq!(sizes(&wild(MAX_WILDCARDS_IN_PROGRESS + 1)), vec![15, 1]);
        // Files after the 15th wildcard still go in its batch; the 16th wildcard does not.
        let text = format!("{}{}/last/*\n/f\n", wild(15), files(100));
        assert_eq!(sizes(&text), vec![115, 2]);
    }

    #[test]
    fn a_repeat_or_a_rejected_path_is_not_marked_covered() {
        let a = analyse("/*\n/a\n/a\n/b*/c\n#t");
        let i = &a.items;
        assert_eq!(i[1].covered_by, Some(0));
        assert_eq!((i[2].duplicate_of, i[2].covered_by), (Some(1), None));
        assert_eq!(i[3].problem, Some(Problem::WildcardNotLast));
        assert_eq!(i[3].covered_by, None);
        assert_eq!(i[4].covered_by, None, "a tag is never covered");
    }
}
