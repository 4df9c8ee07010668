//! Snapshots of whole screens: a state built on the simulator with a fixed clock and UTC,
//! drawn into ratatui's TestBackend at 80×24 and 160×48.

use crate::common::Harness;
use cfdash::app::{Action, Pane};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use crossterm::event::KeyCode;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
/// The sizes an operator used all day: the dashboard and the form are read at each.
const ALL_SIZES: [(u16, u16); 5] = [(80, 24), (100, 30), (120, 35), (160, 48), (200, 50)];

fn at(width: u16, height: u16) -> Harness {
    Harness::with(SimData::demo(), SimSettings::default(), width, height)
}

#[test]
fn main_screen() {
    for (w, h) in ALL_SIZES {
        let harness = at(w, h);
        insta::assert_snapshot!(format!("main_{w}x{h}"), harness.screen());
    }
}

#[test]
fn help_overlay() {
    for (w, h) in SIZES {
        let mut harness = at(w, h);
        harness.ch('?');
        insta::assert_snapshot!(format!("help_{w}x{h}"), harness.screen());
    }
}

#[test]
fn the_help_scrolls_to_its_last_legend_line_at_80x24() {
    let mut harness = at(80, 24);
    harness.ch('?');
    let screen = harness.screen();
    assert!(screen.contains("↓ more"), "{screen}");
    assert!(!screen.contains("cut to fit"), "{screen}");
    for _ in 0..60 {
        harness.ch('j');
    }
    let screen = harness.screen();
    insta::assert_snapshot!("help_scrolled_80x24", screen);
    assert!(screen.contains("cut to fit"), "{screen}");
    assert!(!screen.contains("↓ more"), "{screen}");
    // The keys scrolled the help, not the table under it.
    assert_eq!(harness.app.session.dist_scroll.selected, 0);
    harness.key(KeyCode::PageUp);
    harness.key(KeyCode::PageUp);
    harness.key(KeyCode::PageUp);
    assert_eq!(harness.screen(), {
        let mut fresh = at(80, 24);
        fresh.ch('?');
        fresh.screen()
    });
}

#[test]
fn too_small() {
    let mut harness = at(80, 24);
    harness.act(Action::Resize {
        width: 50,
        height: 12,
    });
    insta::assert_snapshot!("too_small_50x12", harness.screen());
}

#[test]
fn error_state() {
    for (w, h) in SIZES {
        let settings = SimSettings {
            throttle_rate: 1.0,
            ..Default::default()
        };
        let harness = Harness::with(SimData::demo(), settings, w, h);
        insta::assert_snapshot!(format!("error_{w}x{h}"), harness.screen());
    }
}

/// The header's optional parts (the zone, the tenants, the month) do not come and go
/// with the spinner: room is kept for it whether a request is in flight or not.
#[test]
fn the_header_keeps_its_parts_while_requests_come_and_go() {
    for w in (100..=170).step_by(5) {
        let mut harness = at(w, 40);
        let parts = |h: &Harness| {
            let screen = h.screen();
            let header = screen.lines().next().unwrap().to_string();
            (
                header.contains("tenants"),
                header.contains("this month"),
                header.contains("· UTC"),
                header,
            )
        };
        let idle = parts(&harness);
        assert!(harness.app.requests.shown() == 0, "{}", idle.3);
        harness.ch('r');
        assert!(harness.app.requests.shown() > 0);
        let busy = parts(&harness);
        assert_eq!(
            (idle.0, idle.1, idle.2),
            (busy.0, busy.1, busy.2),
            "{w}:\n{}\n{}",
            idle.3,
            busy.3
        );
    }
}

/// A message longer than its pane is wide wraps, and every line of it shows, the way to
/// act on it last ("r retries").
#[test]
fn a_long_error_wraps_whole_in_its_pane() {
    let settings = SimSettings {
        throttle_rate: 1.0,
        ..Default::default()
    };
    let harness = Harness::with(SimData::demo(), settings, 60, 15);
    let screen = harness.screen();
    let pane: String = screen
        .lines()
        .skip(1)
        .take_while(|l| !l.contains('┗'))
        .collect::<Vec<_>>()
        .join(" ");
    let words = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        words(&pane).contains(
            "CloudFront is throttling requests cfdash is backing off and will retry r retries"
        ),
        "{screen}"
    );
}

#[test]
fn paths_of_an_invalidation() {
    for (w, h) in SIZES {
        let harness = third_paths_open(w, h);
        insta::assert_snapshot!(format!("paths_{w}x{h}"), harness.screen());
    }
}

/// The paths pane of the third invalidation of the first distribution, open.
fn third_paths_open(width: u16, height: u16) -> Harness {
    let mut harness = at(width, height);
    harness.key(KeyCode::Tab);
    harness.ch('j');
    harness.ch('j');
    harness.key(KeyCode::Enter);
    harness.settle();
    harness
}

/// The paths pane of the third invalidation, with a 150-character path added last.
fn with_a_long_path(width: u16, height: u16) -> (Harness, String) {
    let mut harness = third_paths_open(width, height);
    let long = format!("/assets/{}/app.main.js", "a1b2c3d4e5".repeat(13));
    assert_eq!(long.len(), 150);
    let key = harness.app.selected_invalidation().unwrap();
    match harness.app.session.details.get_mut(&key) {
        Some(cfdash::app::Remote::Ready { data, .. }) => data.paths.push(long.clone()),
        _ => panic!("paths not fetched"),
    }
    (harness, long)
}

#[test]
fn a_long_path_reads_whole_at_160_and_wraps_indented_at_80() {
    let (harness, long) = with_a_long_path(160, 48);
    let screen = harness.screen();
    assert!(screen.contains(&format!("  {long}")), "{screen}");
    insta::assert_snapshot!("long_path_160x48", screen);

    let (mut harness, long) = with_a_long_path(80, 24);
    // The paths have the focus; scrolled to the end, every piece of the long path shows.
    assert_eq!(harness.app.session.focus, cfdash::app::Pane::Detail);
    for _ in 0..10 {
        harness.ch('j');
    }
    let screen = harness.screen();
    insta::assert_snapshot!("long_path_80x24", screen);
    let pane = harness.app.areas().unwrap().detail.unwrap();
    let rows: Vec<String> = screen
        .lines()
        .map(|l| {
            let cells: Vec<char> = l.trim_matches('"').chars().collect();
            let inner = (pane.x + 1) as usize..(pane.x + pane.width - 1) as usize;
            cells[inner].iter().collect()
        })
        .collect();
    let first = rows
        .iter()
        .position(|r| r.starts_with("  /assets/"))
        .expect("the long path's first line");
    let mut joined = rows[first].trim().to_string();
    for r in &rows[first + 1..] {
        if !r.starts_with("    ") || r.trim().is_empty() {
            break;
        }
        joined.push_str(r.trim());
    }
    assert_eq!(joined, long, "{screen}");
}

#[test]
fn long_lists_show_their_position_and_a_scrollbar() {
    let mut data = SimData::generated(200, 0);
    data.distributions[11].history = 40;
    let mut harness = Harness::with(data, SimSettings::default(), 80, 24);
    for _ in 0..11 {
        harness.ch('j');
    }
    let screen = harness.screen();
    insta::assert_snapshot!("scrollbar_80x24", screen);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[9].contains(" 12/200 "), "{}", lines[9]);
    assert!(lines[3..9].iter().any(|l| l.ends_with("█\"")), "{screen}");
    // The invalidations too: the first of 40, the thumb at the top.
    assert!(lines[21].contains(" 1/40 "), "{}", lines[21]);
    assert!(lines[12].ends_with("█\""), "{screen}");
    // The filtered rows count: 11 of the 200 match "site-1".
    harness.ch('/');
    harness.typed("site-1");
    harness.key(KeyCode::Enter);
    harness.ch('g');
    let screen = harness.screen();
    assert!(
        screen.lines().nth(9).unwrap().contains(" 1/111 "),
        "{screen}"
    );
}

#[test]
fn fields_the_endpoint_did_not_send_show_a_question_mark() {
    let mut harness = at(200, 50);
    if let cfdash::app::Remote::Ready { data, .. } = &mut harness.app.session.distributions {
        data[1].enabled = None;
        data[1].comment = None;
    }
    let screen = harness.screen();
    let row = screen
        .lines()
        .find(|l| l.contains("staging.acme-shop.com  "))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    // Status, Enabled "?", Running, Comment "?".
    assert!(
        cells
            .windows(5)
            .any(|w| w == ["Deployed", "?", "1", "?", "┃│"]),
        "{row}"
    );
    // Filtering skips an unknown comment without trouble.
    harness.ch('/');
    harness.typed("staging");
    assert_eq!(harness.app.session.view.len(), 1);
}

#[test]
fn filtering() {
    for (w, h) in SIZES {
        let mut harness = at(w, h);
        harness.ch('/');
        harness.typed("acme.dev");
        insta::assert_snapshot!(format!("filter_{w}x{h}"), harness.screen());
    }
}

#[test]
fn no_color_draws_the_same_text() {
    // NO_COLOR changes styles only; the text an operator reads is the same.
    let harness = at(80, 24);
    let size = harness.app.size;
    let mut mono =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.width, size.height))
            .unwrap();
    mono.draw(|f| cfdash::ui::render(&harness.app, &cfdash::ui::Theme::mono(), f))
        .unwrap();
    assert_eq!(mono.backend().to_string(), harness.screen());
    let colored = mono
        .backend()
        .buffer()
        .content()
        .iter()
        .any(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset);
    assert!(!colored, "NO_COLOR theme used a colour");
}

#[test]
fn no_text_is_drawn_in_its_background_colour() {
    // The selection's background must not swallow faint text (ages, comments, counts).
    let mut harness = at(120, 35);
    let mut screens = vec![];
    let draw = |h: &Harness| {
        let size = h.app.size;
        let mut t =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.width, size.height))
                .unwrap();
        t.draw(|f| cfdash::ui::render(&h.app, &cfdash::ui::Theme::color(), f))
            .unwrap();
        t.backend().buffer().clone()
    };
    screens.push(draw(&harness));
    harness.key(KeyCode::Tab);
    harness.ch('j');
    screens.push(draw(&harness));
    harness.key(KeyCode::Enter);
    harness.settle();
    screens.push(draw(&harness));
    for buffer in screens {
        for cell in buffer.content() {
            if cell.symbol().trim().is_empty() {
                continue;
            }
            assert!(
                cell.fg == ratatui::style::Color::Reset || cell.fg != cell.bg,
                "{:?} drawn {:?} on {:?}",
                cell.symbol(),
                cell.fg,
                cell.bg
            );
        }
    }
}

#[test]
fn the_watched_badge_never_overwrites_a_message() {
    let mut harness = at(80, 24);
    for id in ["I1", "I2", "I3", "I4"] {
        let key = cfdash::app::InvKey::new("E2QWRUHAPOMQZL", id);
        harness.app.watch.watched.insert(key);
    }
    assert_eq!(harness.app.watch.watched.len(), 4);
    let now = harness.app.now;
    harness.app.notice = Some(cfdash::app::Notice {
        kind: cfdash::app::NoticeKind::Success,
        text: "Created 3 invalidations on www.acme-shop.com: I3D02BPYZAK3XL, I0MY1DMI8YSMI4, I2N90PVVCIQ7ZZ".into(),
        at: now,
        until: now + jiff::SignedDuration::from_secs(60),
        completions: vec![],
        link: None,
    });
    let screen = harness.screen();
    let bar = screen.lines().nth(22).unwrap();
    // [message… | ◆ 4 watched]: the message is cut with "…", a space before the badge.
    assert!(bar.contains("… ◆ 4 watched "), "{bar}");
    assert!(bar.contains(" Created 3 invalidations"), "{bar}");
    insta::assert_snapshot!("status_badge_80x24", screen);
}

/// A form with good, normalised, covered, repeated and bad lines, the cursor on the bad one.
fn form_with_lines(width: u16, height: u16) -> Harness {
    let mut harness = at(width, height);
    harness.ch('n');
    let text = "/index.html\nimages/*\n/images/logo.png\n/my file.html\n/a*/b\n/index.html\n/docs/\n#product:shoes";
    harness.act(Action::Paste(text.into()));
    harness.key(KeyCode::Up);
    harness.key(KeyCode::Up);
    harness.key(KeyCode::Up);
    harness
}

#[test]
fn form() {
    for (w, h) in ALL_SIZES {
        let harness = form_with_lines(w, h);
        insta::assert_snapshot!(format!("form_{w}x{h}"), harness.screen());
    }
}

/// A deploy step's one-line list pasted under a list with a space inside a path: one line a
/// path, the repeat naming its line, the space refused with its reason, what the paste did.
#[test]
fn form_after_pasting_a_list() {
    let mut harness = at(80, 24);
    harness.ch('n');
    harness.act(Action::Paste("/docs/my file.html /index.html\n".into()));
    harness.act(Action::Paste("/index.html /images/* /index.html".into()));
    insta::assert_snapshot!("form_pasted_list_80x24", harness.screen());
}

#[test]
fn form_confirmation() {
    for (w, h) in SIZES {
        let mut harness = at(w, h);
        harness.ch('n');
        let text = "/index.html\n/images/*\n/images/logo.png\n/my file.html\n#product:shoes";
        harness.act(Action::Paste(text.into()));
        harness.act(Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('s'),
            crossterm::event::KeyModifiers::CONTROL,
        )));
        insta::assert_snapshot!(format!("confirm_{w}x{h}"), harness.screen());
    }
}

fn ctrl_key(harness: &mut Harness, c: char) {
    harness.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        crossterm::event::KeyModifiers::CONTROL,
    )));
}

/// Every dialog at 80×24 and 60×15: it is drawn inside its parent's inside (the form's, the
/// switcher's, the terminal's), and the parent's border is whole with the dialog open.
#[test]
fn dialogs_keep_inside_their_parents_border() {
    type Open = fn(&mut Harness);
    let dialogs: [(&str, Open); 11] = [
        ("confirm", |h| {
            h.ch('n');
            h.act(Action::Paste("/index.html\n/images/*".into()));
            ctrl_key(h, 's');
        }),
        ("discard", |h| {
            h.ch('n');
            h.act(Action::Paste("/index.html".into()));
            h.key(KeyCode::Esc);
        }),
        ("presets", |h| {
            h.app.session.presets = (0..30)
                .map(|i| {
                    (
                        format!("preset {i}"),
                        vec!["/a/very/long/path/*".to_string(); 9],
                    )
                })
                .collect();
            h.ch('n');
            ctrl_key(h, 'p');
        }),
        ("switcher", |h| {
            h.ch('p');
        }),
        ("delete profile", |h| {
            h.ch('p');
            h.ch('d');
        }),
        ("profile form", |h| {
            h.ch('p');
            h.ch('a');
        }),
        ("help", |h| {
            h.ch('?');
        }),
        ("quit unsent", |h| {
            let from = Box::new(std::mem::take(&mut h.app.screen));
            h.app.screen = cfdash::app::Screen::QuitUnsent { from };
        }),
        ("resume", |h| {
            h.app.screen = cfdash::app::Screen::Resume { look: false }
        }),
        ("resume, looking", |h| {
            h.app.screen = cfdash::app::Screen::Resume { look: true }
        }),
        ("notices", |h| {
            h.ch('N');
        }),
    ];
    for (w, h) in [(80, 24), (60, 15)] {
        for (name, open) in dialogs {
            let mut harness = with_profiles(w, h);
            open(&mut harness);
            let screen = harness.screen();
            let d = cfdash::ui::dialog_rect(&harness.app, harness.app.size)
                .unwrap_or_else(|| panic!("{name} {w}x{h}: no dialog\n{screen}"));
            assert!(d.rect.width > 0 && d.rect.height > 2, "{name} {w}x{h}");
            assert_eq!(
                d.parent.intersection(d.rect),
                d.rect,
                "{name} {w}x{h}: {:?} not inside {:?}\n{screen}",
                d.rect,
                d.parent
            );
            // A bordered parent keeps its border: its sides are whole, and no corner of the
            // dialog's frame sits on its top or bottom row.
            if d.parent != harness.app.size {
                let rows: Vec<Vec<char>> = screen
                    .lines()
                    .map(|l| l.trim_matches('"').chars().collect())
                    .collect();
                let p = d.parent;
                let at = |x: u16, y: u16| rows[y as usize][x as usize];
                let side = match at(p.x - 1, p.bottom()) {
                    '┗' => '┃',
                    '╚' => '║',
                    c => panic!("{name} {w}x{h}: parent corner {c}\n{screen}"),
                };
                for y in p.y..p.bottom() {
                    assert_eq!(
                        at(p.x - 1, y),
                        side,
                        "{name} {w}x{h} left, row {y}\n{screen}"
                    );
                    assert_eq!(
                        at(p.right(), y),
                        side,
                        "{name} {w}x{h} right, row {y}\n{screen}"
                    );
                }
                for x in p.x..p.right() {
                    for y in [p.y - 1, p.bottom()] {
                        let c = at(x, y);
                        assert!(
                            !"╔╗╚╝".contains(c),
                            "{name} {w}x{h}: {c} at {x},{y}\n{screen}"
                        );
                    }
                }
            }
        }
    }
}

/// The copy menu opens inside the pane it copies from where it fits there, over both
/// where it does not (a short pane at 80×24).
#[test]
fn the_copy_menu_keeps_inside_its_pane() {
    for (w, h) in [(120, 35), (160, 48), (200, 50)] {
        for pane in [Pane::Distributions, Pane::Invalidations] {
            let mut harness = at(w, h);
            if pane == Pane::Invalidations {
                harness.key(KeyCode::Tab);
            }
            harness.ch('y');
            let screen = harness.screen();
            let d = cfdash::ui::dialog_rect(&harness.app, harness.app.size).unwrap();
            let rect = harness.app.areas().unwrap().pane(pane).unwrap();
            let inner = rect.inner(ratatui::layout::Margin::new(1, 1));
            assert_eq!(d.parent, inner, "{pane:?} {w}x{h}\n{screen}");
            assert_eq!(
                inner.intersection(d.rect),
                d.rect,
                "{pane:?} {w}x{h}\n{screen}"
            );
            assert!(screen.contains(" Copy "), "{screen}");
        }
    }
    let mut harness = at(80, 24);
    harness.ch('y');
    let d = cfdash::ui::dialog_rect(&harness.app, harness.app.size).unwrap();
    assert_eq!(d.parent, harness.app.size);
}

#[test]
fn form_help() {
    let mut harness = form_with_lines(80, 24);
    harness.key(KeyCode::F(1));
    insta::assert_snapshot!("form_help_80x24", harness.screen());
}

fn with_profiles(width: u16, height: u16) -> Harness {
    let mut harness = at(width, height);
    let text = "default_profile = \"demo\"\n\
        [profiles.demo]\nsimulated = true\n\
        [profiles.prod]\naws_profile = \"prod-admin\"\nregion = \"us-east-1\"\nread_only = true\n\
        [profiles.localstack]\nendpoint_url = \"http://127.0.0.1:4566\"\n\
        [profiles.moto]\nendpoint_url = \"http://127.0.0.1:5000\"\nregion = \"eu-west-1\"\n";
    harness
        .app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    harness.app.catalog.config_path = "/home/op/.config/cfdash/config.toml".into();
    harness
}

/// The names' column is as wide as the longest name where the row has room for it.
#[test]
fn the_switcher_shows_a_long_profile_name_whole_where_there_is_room() {
    let long = "prod-readonly-with-a-long-name-for-audits";
    let mut harness = at(120, 35);
    let text = format!(
        "default_profile = \"demo\"\n[profiles.demo]\nsimulated = true\n\
         [profiles.{long}]\nendpoint_url = \"http://127.0.0.1:4566\"\nread_only = true\n"
    );
    harness
        .app
        .set_config(Some(&cfdash::config::Config::parse(&text).unwrap()));
    harness.ch('p');
    let screen = harness.screen();
    assert!(screen.contains(long), "{screen}");
    assert!(screen.contains("http://127.0.0.1:4566"), "{screen}");
    // At 80 columns the endpoint stays whole and the name gives way, with "…".
    harness.act(Action::Resize {
        width: 80,
        height: 24,
    });
    let screen = harness.screen();
    assert!(screen.contains("http://127.0.0.1:4566"), "{screen}");
    assert!(!screen.contains(long), "{screen}");
    assert!(screen.contains("prod-readonly-with-a-long-"), "{screen}");
}

#[test]
fn profile_switcher() {
    for (w, h) in SIZES {
        let mut harness = with_profiles(w, h);
        harness.ch('p');
        // Two emulators are told apart by their endpoints: host and port in full.
        let screen = harness.screen();
        assert!(screen.contains("http://127.0.0.1:4566"), "{screen}");
        assert!(screen.contains("http://127.0.0.1:5000"), "{screen}");
        insta::assert_snapshot!(format!("profiles_{w}x{h}"), screen);
    }
}

#[test]
fn profile_form_with_errors() {
    let mut harness = with_profiles(100, 30);
    harness.app.catalog.aws_profiles = vec!["default".into(), "prod-admin".into()];
    harness.ch('p');
    harness.ch('a');
    harness.typed("prod");
    harness.key(KeyCode::Tab);
    harness.typed("nope");
    harness.key(KeyCode::Tab);
    harness.typed("eu-west");
    harness.key(KeyCode::Tab);
    harness.typed("ftp://x");
    insta::assert_snapshot!("profile_form_100x30", harness.screen());
}

#[test]
fn profile_form_asking_to_discard() {
    let mut harness = with_profiles(80, 24);
    harness.ch('p');
    harness.key(KeyCode::Down);
    harness.ch('e');
    harness.key(KeyCode::Tab);
    harness.typed("-2");
    harness.key(KeyCode::Esc);
    insta::assert_snapshot!("profile_form_discard_80x24", harness.screen());
}

#[test]
fn welcome() {
    for (w, h) in SIZES {
        let mut harness = at(w, h);
        harness.app.profile = String::new();
        harness.app.screen = cfdash::app::Screen::Welcome;
        harness.app.catalog.config_path = "/home/op/.config/cfdash/config.toml".into();
        harness.app.catalog.aws_profiles = vec!["default".into(), "staging-admin".into()];
        insta::assert_snapshot!(format!("welcome_{w}x{h}"), harness.screen());
    }
    let mut harness = at(80, 24);
    harness.app.profile = String::new();
    harness.app.screen = cfdash::app::Screen::Welcome;
    harness.app.catalog.config_error = Some(
        "/home/op/.config/cfdash/config.toml: line 3, column 1: aws_secret_access_key looks like a secret".into(),
    );
    insta::assert_snapshot!("welcome_broken_80x24", harness.screen());
}
