//! Time as the operator reads it ("3m ago", "took ≤ 1m12s", local clock time), and when
//! such a label next changes, so the runtime wakes exactly then and not before.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// A spinner's frames: time passing, as a glyph (the dashboard's and `--wait`'s alike).
pub const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The spinner's frame for tick `n`.
pub fn spinner(n: i64) -> char {
    SPINNER[n.rem_euclid(SPINNER.len() as i64) as usize]
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// Up to two days, ages read in hours.
const TWO_DAYS: i64 = 2 * DAY;

/// "12s ago", "3m ago", "5h ago", "4d ago"; "just now" for a time not yet past.
pub fn ago(now: Timestamp, then: Timestamp) -> String {
    let s = now.duration_since(then).as_secs();
    match s {
        i64::MIN..=0 => "just now".into(),
        1..MINUTE => format!("{s}s ago"),
        MINUTE..HOUR => format!("{}m ago", s / MINUTE),
        HOUR..TWO_DAYS => format!("{}h ago", s / HOUR),
        _ => format!("{}d ago", s / DAY),
    }
}

/// The first instant after `now` at which `ago(_, then)` reads differently.
pub fn next_ago_change(now: Timestamp, then: Timestamp) -> Timestamp {
    let s = now.duration_since(then).as_secs();
    let unit = match s {
        i64::MIN..MINUTE => 1,
        MINUTE..HOUR => MINUTE,
        HOUR..TWO_DAYS => HOUR,
        _ => DAY,
    };
    let next = if s < 0 { 1 } else { (s / unit + 1) * unit };
    then + SignedDuration::from_secs(next)
}

/// Like [`ago`], but "just now" for the whole first minute: for labels that need not tick
/// every second ("refreshed just now").
pub fn ago_coarse(now: Timestamp, then: Timestamp) -> String {
    if now.duration_since(then).as_secs() < MINUTE {
        "just now".into()
    } else {
        ago(now, then)
    }
}

/// The first instant after `now` at which `ago_coarse(_, then)` reads differently.
pub fn next_ago_coarse_change(now: Timestamp, then: Timestamp) -> Timestamp {
    let minute = then + SignedDuration::from_secs(MINUTE);
    if now < minute {
        minute
    } else {
        next_ago_change(now, then)
    }
}

/// A count with thousands separators: 3400 → "3,400".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "45s", "1m12s", "2h03m", "3d4h".
/// A size on disk: "812 KB", "14.2 MB".
pub fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{} KB", n / 1_000),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

pub fn short_duration(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match s {
        0..MINUTE => format!("{s}s"),
        MINUTE..HOUR => format!("{}m{:02}s", s / MINUTE, s % MINUTE),
        HOUR..DAY => format!("{}h{:02}m", s / HOUR, s % HOUR / MINUTE),
        _ => format!("{}d{}h", s / DAY, s % DAY / HOUR),
    }
}

/// When, as a person says it: "today 17:42", "yesterday 17:42", else "2026-11-20 17:42".
pub fn day_and_time(tz: &TimeZone, now: Timestamp, t: Timestamp) -> String {
    let (day, today) = (tz.to_datetime(t).date(), tz.to_datetime(now).date());
    let time = tz.to_datetime(t).strftime("%H:%M").to_string();
    if day == today {
        format!("today {time}")
    } else if today.yesterday().ok() == Some(day) {
        format!("yesterday {time}")
    } else {
        format!("{day} {time}")
    }
}

/// "2026-11-27 14:03:12" in the given zone.
pub fn local(tz: &TimeZone, t: Timestamp) -> String {
    tz.to_datetime(t).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_said_as_a_person_says_them() {
        let tz = TimeZone::UTC;
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let now = at("2026-11-28T09:00:00Z");
        assert_eq!(
            day_and_time(&tz, now, at("2026-11-28T08:15:00Z")),
            "today 08:15"
        );
        assert_eq!(
            day_and_time(&tz, now, at("2026-11-27T17:42:10Z")),
            "yesterday 17:42"
        );
        assert_eq!(
            day_and_time(&tz, now, at("2026-11-20T17:42:00Z")),
            "2026-11-20 17:42"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (3400, "3,400"),
            (1234567, "1,234,567"),
        ];
        for (n, shown) in cases {
            assert_eq!(thousands(n), shown);
        }
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn ago_reads_like_a_person() {
        let now = t("2026-11-27T12:00:00Z");
        let cases = [
            ("2026-11-27T12:00:00Z", "just now"),
            ("2026-11-27T12:00:05Z", "just now"),
            ("2026-11-27T11:59:59Z", "1s ago"),
            ("2026-11-27T11:59:00.5Z", "59s ago"),
            ("2026-11-27T11:59:00Z", "1m ago"),
            ("2026-11-27T11:00:01Z", "59m ago"),
            ("2026-11-27T11:00:00Z", "1h ago"),
            ("2026-11-25T12:00:01Z", "47h ago"),
            ("2026-11-25T12:00:00Z", "2d ago"),
        ];
        for (then, want) in cases {
            assert_eq!(ago(now, t(then)), want, "{then}");
        }
    }

    #[test]
    fn next_ago_change_is_exactly_when_the_label_changes() {
        let then = t("2026-11-27T12:00:00Z");
        for offset_ms in [
            0i64,
            400,
            1_000,
            59_999,
            60_000,
            61_234,
            3_599_000,
            3_600_000,
            172_800_000,
        ] {
            let now = then + SignedDuration::from_millis(offset_ms);
            let next = next_ago_change(now, then);
            assert!(next > now, "{offset_ms}");
            let before = next - SignedDuration::from_millis(1);
            assert_eq!(ago(before, then), ago(now, then), "{offset_ms}");
            assert_ne!(ago(next, then), ago(now, then), "{offset_ms}");
        }
    }

    #[test]
    fn coarse_ago_waits_a_minute() {
        let then = t("2026-11-27T12:00:00Z");
        let at = |s| then + SignedDuration::from_secs(s);
        assert_eq!(ago_coarse(at(59), then), "just now");
        assert_eq!(ago_coarse(at(60), then), "1m ago");
        assert_eq!(next_ago_coarse_change(at(5), then), at(60));
        assert_eq!(next_ago_coarse_change(at(61), then), at(120));
    }

    #[test]
    fn short_durations() {
        let d = SignedDuration::from_secs;
        assert_eq!(short_duration(d(45)), "45s");
        assert_eq!(short_duration(d(72)), "1m12s");
        assert_eq!(short_duration(d(7380)), "2h03m");
        assert_eq!(short_duration(d(3 * 86_400 + 4 * 3600)), "3d4h");
    }

    #[test]
    fn local_time_uses_the_zone() {
        let when = t("2026-11-27T12:00:00Z");
        assert_eq!(local(&TimeZone::UTC, when), "2026-11-27 12:00:00");
        let tokyo = TimeZone::fixed(jiff::tz::offset(9));
        assert_eq!(local(&tokyo, when), "2026-11-27 21:00:00");
    }
}
