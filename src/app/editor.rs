//! A small multi-line text model for the path editor: lines, a cursor, and the first line
//! and column shown, so the form's gutter can follow the scroll exactly. Keys are bound by
//! cfdash's own table (keys.rs); this only knows how to change text.

/// Text as lines, never empty (an empty text is one empty line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editor {
    lines: Vec<String>,
    /// One stamp a line, new whenever the line is made or changed, never reused by any
    /// editor: a line whose stamp is unchanged since an earlier look has the same text,
    /// so the form re-checks only what was edited.
    stamps: Vec<u64>,
    /// Cursor line.
    row: usize,
    /// Cursor column, in characters.
    col: usize,
    /// The column vertical moves try to keep.
    want_col: usize,
    /// First line shown.
    pub top: usize,
    /// First column shown.
    pub left: usize,
}

impl Default for Editor {
    fn default() -> Self {
        Self::from_text("")
    }
}

/// `n` stamps no line of any editor has had.
fn fresh_n(n: usize) -> std::ops::Range<u64> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let first = NEXT.fetch_add(n as u64, Ordering::Relaxed);
    first..first + n as u64
}

fn fresh() -> u64 {
    fresh_n(1).start
}

fn byte_at(line: &str, col: usize) -> usize {
    line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
}

fn char_len(line: &str) -> usize {
    if line.is_ascii() {
        line.len()
    } else {
        line.chars().count()
    }
}

impl Editor {
    /// The text, cursor at its end.
    pub fn from_text(text: &str) -> Self {
        let mut lines: Vec<String> = split_lines(text);
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = lines.len() - 1;
        let col = char_len(&lines[row]);
        Self {
            stamps: fresh_n(lines.len()).collect(),
            lines,
            row,
            col,
            want_col: col,
            top: 0,
            left: 0,
        }
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The lines' stamps (see [`Editor`]), one a line.
    pub fn stamps(&self) -> &[u64] {
        &self.stamps
    }

    /// The cursor's line is about to change.
    fn touch(&mut self) {
        self.stamps[self.row] = fresh();
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// No characters at all (blank lines count as text only if they hold spaces).
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(String::is_empty)
    }

    /// (line, column in characters).
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    pub fn insert_char(&mut self, c: char) {
        if c == '\n' || c == '\r' {
            return self.newline();
        }
        self.touch();
        let line = &mut self.lines[self.row];
        let at = byte_at(line, self.col);
        line.insert(at, c);
        self.col += 1;
        self.want_col = self.col;
    }

    /// Inserts text at the cursor (a paste): any line ending splits lines, and the cursor
    /// ends after the text. One splice, however many lines.
    pub fn insert_str(&mut self, text: &str) {
        let mut parts = split_lines(text);
        if text.ends_with('\n') || text.ends_with('\r') {
            parts.push(String::new());
        }
        match parts.len() {
            0 => {}
            1 => {
                self.touch();
                let line = &mut self.lines[self.row];
                let at = byte_at(line, self.col);
                line.insert_str(at, &parts[0]);
                self.col += char_len(&parts[0]);
            }
            n => {
                self.touch();
                let line = &mut self.lines[self.row];
                let at = byte_at(line, self.col);
                let rest = line.split_off(at);
                line.push_str(&parts[0]);
                let mut tail = std::mem::take(&mut parts[n - 1]);
                let col = char_len(&tail);
                tail.push_str(&rest);
                parts[n - 1] = tail;
                let row = self.row;
                self.lines
                    .splice(row + 1..row + 1, parts.into_iter().skip(1));
                self.stamps.splice(row + 1..row + 1, fresh_n(n - 1));
                self.row = row + n - 1;
                self.col = col;
            }
        }
        self.want_col = self.col;
    }

    /// The cursor's line holds nothing but spaces.
    pub fn on_blank_line(&self) -> bool {
        self.lines[self.row].trim().is_empty()
    }

    /// The cursor is after the last character of its line.
    pub fn at_line_end(&self) -> bool {
        self.col >= self.lines[self.row].chars().count()
    }

    /// Inserts text on lines of its own (a pasted list, a preset): after the cursor's line
    /// if that holds text, else at the start of the cursor's blank line; the cursor ends
    /// after the text. Adds `line_breaks(text)` lines, one more if the cursor's line held
    /// text.
    pub fn insert_lines(&mut self, text: &str) {
        if self.on_blank_line() {
            self.home();
        } else {
            self.end();
            self.newline();
        }
        self.insert_str(text);
    }

    pub fn newline(&mut self) {
        self.touch();
        let line = &mut self.lines[self.row];
        let at = byte_at(line, self.col);
        let rest = line.split_off(at);
        self.row += 1;
        self.lines.insert(self.row, rest);
        self.stamps.insert(self.row, fresh());
        self.col = 0;
        self.want_col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            self.touch();
            let line = &mut self.lines[self.row];
            let at = byte_at(line, self.col - 1);
            line.remove(at);
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.stamps.remove(self.row);
            self.row -= 1;
            self.touch();
            self.col = char_len(&self.lines[self.row]);
            self.lines[self.row].push_str(&line);
        }
        self.want_col = self.col;
    }

    pub fn delete(&mut self) {
        let len = char_len(&self.lines[self.row]);
        if self.col < len {
            self.touch();
            let line = &mut self.lines[self.row];
            let at = byte_at(line, self.col);
            line.remove(at);
        } else if self.row + 1 < self.lines.len() {
            self.touch();
            let next = self.lines.remove(self.row + 1);
            self.stamps.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    /// Removes the cursor's line.
    pub fn delete_line(&mut self) {
        if self.lines.len() == 1 {
            self.touch();
            self.lines[0].clear();
        } else {
            self.lines.remove(self.row);
            self.stamps.remove(self.row);
            self.row = self.row.min(self.lines.len() - 1);
        }
        self.col = self.want_col.min(char_len(&self.lines[self.row]));
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = char_len(&self.lines[self.row]);
        }
        self.want_col = self.col;
    }

    pub fn right(&mut self) {
        if self.col < char_len(&self.lines[self.row]) {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
        self.want_col = self.col;
    }

    /// Moves `delta` lines, keeping the column where it can.
    pub fn move_lines(&mut self, delta: isize) {
        self.row = self
            .row
            .saturating_add_signed(delta)
            .min(self.lines.len() - 1);
        self.col = self.want_col.min(char_len(&self.lines[self.row]));
    }

    pub fn home(&mut self) {
        self.col = 0;
        self.want_col = 0;
    }

    pub fn end(&mut self) {
        self.col = char_len(&self.lines[self.row]);
        self.want_col = self.col;
    }

    pub fn to_start(&mut self) {
        self.row = 0;
        self.home();
    }

    pub fn to_end(&mut self) {
        self.row = self.lines.len() - 1;
        self.end();
    }

    /// Puts the cursor at a line and column (a click), clamped to the text.
    pub fn set_cursor(&mut self, row: usize, col: usize) {
        self.row = row.min(self.lines.len() - 1);
        self.col = col.min(char_len(&self.lines[self.row]));
        self.want_col = self.col;
    }

    /// Scrolls the view by `delta` lines without moving the cursor (the mouse wheel).
    pub fn scroll(&mut self, delta: isize, height: usize) {
        let max = self.lines.len().saturating_sub(height.max(1));
        self.top = self.top.saturating_add_signed(delta).min(max);
    }

    /// Moves the view so the cursor is inside `height` lines and `width` columns.
    pub fn follow_cursor(&mut self, height: usize, width: usize) {
        let (height, width) = (height.max(1), width.max(1));
        if self.row < self.top {
            self.top = self.row;
        } else if self.row >= self.top + height {
            self.top = self.row + 1 - height;
        }
        self.top = self.top.min(self.lines.len().saturating_sub(1));
        if self.col < self.left {
            self.left = self.col;
        } else if self.col >= self.left + width {
            self.left = self.col + 1 - width;
        }
    }
}

/// How many line breaks a text holds, `\r\n`, `\n` and `\r` alike (what a paste adds to
/// the line count).
pub fn line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// Lines of `text`, any of \n, \r\n or \r ending them. A final line ending adds no line.
fn split_lines(text: &str) -> Vec<String> {
    if !text.contains('\r') {
        return text.lines().map(str::to_string).collect();
    }
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_count_every_ending() {
        assert_eq!(line_breaks("a"), 0);
        assert_eq!(line_breaks("a\nb\r\nc\rd\n"), 4);
        assert_eq!(line_breaks("\r\r\n"), 2);
        let mut e = Editor::default();
        e.insert_str("a\nb\r\nc\rd\n");
        assert_eq!(e.lines().len(), 1 + line_breaks("a\nb\r\nc\rd\n"));
    }

    #[test]
    fn typing_and_deleting() {
        let mut e = Editor::default();
        for c in "/a".chars() {
            e.insert_char(c);
        }
        e.newline();
        e.insert_char('é');
        e.insert_char('x');
        assert_eq!(e.text(), "/a\néx");
        e.left();
        e.backspace();
        assert_eq!(e.text(), "/a\nx");
        e.home();
        e.backspace();
        assert_eq!(e.text(), "/ax");
        assert_eq!(e.cursor(), (0, 2));
        e.delete();
        assert_eq!(e.text(), "/a");
        e.delete();
        assert_eq!(e.text(), "/a", "delete at the end of the text does nothing");
    }

    #[test]
    fn pasting_many_lines_splices_them_in() {
        let mut e = Editor::from_text("/first\n/last");
        e.set_cursor(0, 6);
        e.insert_str("\r\n/p1\r\n/p2 tail");
        assert_eq!(e.text(), "/first\n/p1\n/p2 tail\n/last");
        assert_eq!(e.cursor(), (2, 8));
        e.insert_str("\n");
        assert_eq!(e.text(), "/first\n/p1\n/p2 tail\n\n/last");
        assert_eq!(e.cursor(), (3, 0));
        let big: String = (0..5000).map(|i| format!("/p{i}\n")).collect();
        let mut e = Editor::default();
        e.insert_str(&big);
        assert_eq!(e.lines().len(), 5001);
        assert_eq!(e.cursor(), (5000, 0));
    }

    #[test]
    fn lines_of_their_own_go_after_a_line_with_text() {
        let mut e = Editor::from_text("/first\n/last");
        e.set_cursor(0, 2);
        assert!(!e.on_blank_line());
        e.insert_lines("/a\n/b");
        assert_eq!(e.text(), "/first\n/a\n/b\n/last");
        assert_eq!(e.cursor(), (2, 2));
        // On a blank line (spaces count as blank) they start it, wherever the cursor is.
        let mut e = Editor::from_text("/x\n  \n/y");
        e.set_cursor(1, 2);
        assert!(e.on_blank_line());
        e.insert_lines("/a\n/b");
        assert_eq!(e.text(), "/x\n/a\n/b  \n/y");
        let mut e = Editor::default();
        e.insert_lines("/a");
        assert_eq!(e.lines(), ["/a"]);
        // Every line touched or made gets a new stamp: the form re-reads them.
        let mut e = Editor::from_text("/first\n/last");
        let before = e.stamps().to_vec();
        e.set_cursor(0, 0);
        e.insert_lines("/a\n/b");
        let after = e.stamps();
        assert_eq!(after.len(), 4);
        assert_ne!(after[0], before[0]);
        assert!(!before.contains(&after[1]) && !before.contains(&after[2]));
        assert_eq!(after[3], before[1]);
    }

    #[test]
    fn vertical_moves_keep_the_column() {
        let mut e = Editor::from_text("/long/path\n/a\n/another/long");
        e.set_cursor(0, 8);
        e.move_lines(1);
        assert_eq!(e.cursor(), (1, 2));
        e.move_lines(1);
        assert_eq!(e.cursor(), (2, 8));
        e.move_lines(-10);
        assert_eq!(e.cursor(), (0, 8));
    }

    #[test]
    fn the_view_follows_the_cursor() {
        let text: String = (0..100).map(|i| format!("/p{i}\n")).collect();
        let mut e = Editor::from_text(&text);
        e.follow_cursor(10, 20);
        assert_eq!(e.top, 90);
        e.to_start();
        e.follow_cursor(10, 20);
        assert_eq!(e.top, 0);
        e.set_cursor(5, 0);
        e.insert_str(&"x".repeat(30));
        e.follow_cursor(10, 20);
        assert_eq!(e.left, 11);
    }

    #[test]
    fn deleting_lines() {
        let mut e = Editor::from_text("/a\n/b\n/c");
        e.set_cursor(2, 1);
        e.delete_line();
        assert_eq!(e.text(), "/a\n/b");
        assert_eq!(e.cursor(), (1, 1));
        e.delete_line();
        e.delete_line();
        assert!(e.is_empty());
    }
}
