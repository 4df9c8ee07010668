//! Escape sequences cfdash writes to the terminal besides the frame: the clipboard
//! (OSC 52), a hyperlink (OSC 8) and a desktop notification (OSC 777 and OSC 9). Pure
//! functions: the runtime writes what they return.
//!
//! Text from outside (a path, an alias) could carry its own escapes: every function here
//! drops control characters from what it wraps, so nothing it writes can end the sequence
//! early or start another.

use base64::Engine as _;

/// The most bytes cfdash puts on the clipboard at once. Terminals cap OSC 52 (xterm's
/// default is about 100 KB of base64); more is refused with a message, not cut.
pub const CLIPBOARD_MAX: usize = 74_000;

/// Puts `text` on the system clipboard through the terminal: OSC 52, which works over
/// ssh and, with `set-clipboard on`, in tmux.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// `text` as a link to `url` for terminals that know OSC 8 (others show the text).
pub fn osc8(url: &str, text: &str) -> String {
    format!(
        "\x1b]8;;{}\x1b\\{}\x1b]8;;\x1b\\",
        printable(url),
        printable(text)
    )
}

/// A desktop notification: OSC 777 (urxvt, foot, WezTerm, Ghostty) and OSC 9 (iTerm2,
/// Windows Terminal, kitty). A terminal that knows neither ignores both. Inside tmux, each
/// is wrapped for tmux to pass on (it needs `allow-passthrough on`).
pub fn desktop_notification(title: &str, body: &str, in_tmux: bool) -> String {
    let (title, body) = (printable(title).replace(';', ","), printable(body));
    let sequences = [
        format!("\x1b]777;notify;{title};{body}\x07"),
        format!("\x1b]9;{title}: {body}\x07"),
    ];
    sequences
        .iter()
        .map(|s| {
            if in_tmux {
                tmux_passthrough(s)
            } else {
                s.clone()
            }
        })
        .collect()
}

/// A sequence wrapped for tmux to hand to the terminal outside it.
fn tmux_passthrough(sequence: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", sequence.replace('\x1b', "\x1b\x1b"))
}

/// `s` without control characters, one line.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_base64_of_the_text() {
        assert_eq!(osc52("E2QW"), "\x1b]52;c;RTJRVw==\x07");
        assert_eq!(osc52("/a\n/b"), "\x1b]52;c;L2EKL2I=\x07");
    }

    #[test]
    fn osc8_wraps_the_text_and_drops_escapes() {
        assert_eq!(
            osc8("https://x.test/a", "open"),
            "\x1b]8;;https://x.test/a\x1b\\open\x1b]8;;\x1b\\"
        );
        let hostile = osc8("https://x.test/\x1b]52;c;AAA\x07", "t\x07");
        assert_eq!(hostile.matches('\x1b').count(), 4, "{hostile:?}");
        assert!(!hostile.contains('\x07'));
    }

    #[test]
    fn desktop_notification_sends_both_and_cannot_be_broken_out_of() {
        let n = desktop_notification("cfdash", "I1 completed\x07\x1b]52;c;x\x07", false);
        assert_eq!(
            n,
            "\x1b]777;notify;cfdash;I1 completed]52;c;x\x07\x1b]9;cfdash: I1 completed]52;c;x\x07"
        );
        assert_eq!(n.matches('\x07').count(), 2);
        assert_eq!(n.matches('\x1b').count(), 2);
    }

    #[test]
    fn inside_tmux_the_notification_is_passed_through() {
        let n = desktop_notification("cfdash", "done", true);
        assert!(n.starts_with("\x1bPtmux;\x1b\x1b]777;notify;cfdash;done\x07\x1b\\"));
        assert!(n.ends_with("\x1bPtmux;\x1b\x1b]9;cfdash: done\x07\x1b\\"));
    }
}
