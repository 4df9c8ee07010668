//! Where each pane goes for a terminal size: one pure function that `update` uses to clamp
//! scrolling and find the pane under the mouse, and `ui` uses to draw.

use ratatui::layout::{Constraint, Layout, Position, Rect};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;
/// The inner width from which the distributions table shows every column (the comment too).
pub const DIST_ALL: u16 = 84;
/// The inner width the invalidations table needs for the columns it shows above the
/// distributions (its widths and gaps): all but the origin and the paths.
pub const INV_BASE: u16 = 68;
/// … and with the origin too, then with the paths (at their least): side by side only.
pub const INV_ORIGIN: u16 = INV_BASE + 8;
pub const INV_ALL: u16 = INV_ORIGIN + 15;
/// From this width the distributions sit left of the invalidations instead of above them:
/// only where both panes, borders included, still show every column they showed above each
/// other, so a wider terminal never shows fewer columns than a narrower one. Side by side,
/// the distributions' spare room goes to the invalidations' origin, then their paths.
pub const WIDE: u16 = DIST_ALL + 2 + INV_BASE + 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub distributions: Rect,
    pub invalidations: Rect,
    pub detail: Option<Rect>,
    pub status: Rect,
    pub footer: Rect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Distributions,
    Invalidations,
    Detail,
}

/// The panes for a terminal of `area`, or `None` when it is too small to be useful.
pub fn layout(area: Rect, detail_open: bool) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (distributions, invalidations, detail) = if area.width >= WIDE {
        // Side by side; the paths, when open, take the whole width below both, so a long
        // path reads on one line.
        let (top, detail) = if detail_open {
            let [t, b] = Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(body);
            (t, Some(b))
        } else {
            (body, None)
        };
        // The invalidations' columns are fixed: past their width, the distributions (whose
        // names take the spare room) get the larger share, but first the invalidations
        // take what shows their origin, then their paths.
        let spare = area.width - (DIST_ALL + 2);
        let inner = [INV_ALL, INV_ORIGIN]
            .into_iter()
            .find(|&w| w + 2 <= spare)
            .unwrap_or(INV_BASE);
        let right = (inner + 2).max(area.width * 2 / 5);
        let [l, r] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(right)]).areas(top);
        (l, r, detail)
    } else {
        let [t, b] =
            Layout::vertical([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(body);
        if detail_open {
            let [l, r] =
                Layout::horizontal([Constraint::Percentage(52), Constraint::Percentage(48)])
                    .areas(b);
            (t, l, Some(r))
        } else {
            (t, b, None)
        }
    };
    Some(Areas {
        header,
        distributions,
        invalidations,
        detail,
        status,
        footer,
    })
}

impl Areas {
    pub fn pane(&self, pane: Pane) -> Option<Rect> {
        match pane {
            Pane::Distributions => Some(self.distributions),
            Pane::Invalidations => Some(self.invalidations),
            Pane::Detail => self.detail,
        }
    }

    pub fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        let p = Position::new(column, row);
        [Pane::Distributions, Pane::Invalidations, Pane::Detail]
            .into_iter()
            .find(|&pane| self.pane(pane).is_some_and(|r| r.contains(p)))
    }
}

/// Where the new-invalidation form goes: it takes the body of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormAreas {
    /// The bordered frame around it all.
    pub block: Rect,
    /// Marks and line numbers.
    pub gutter: Rect,
    pub text: Rect,
    /// What each line becomes, when the screen is wide enough.
    pub notes: Option<Rect>,
    /// Everything about the cursor's line.
    pub detail: Rect,
    /// Counts, and the room the in-progress quotas leave.
    pub summary: Rect,
    /// The month's free paths and what this submit costs.
    pub price: Rect,
    pub buttons: Rect,
}

/// Width of the form's gutter: a mark, a space, a line number, a space.
pub const GUTTER: u16 = 8;
/// From this inner width the form shows a notes column beside the text.
pub const WITH_NOTES: u16 = 70;

pub fn form_layout(area: Rect) -> Option<FormAreas> {
    let areas = layout(area, false)?;
    let block = areas.distributions.union(areas.invalidations);
    let inner = Rect::new(
        block.x + 1,
        block.y + 1,
        block.width.saturating_sub(2),
        block.height.saturating_sub(2),
    );
    let [editor, detail, summary, price, buttons] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let [gutter, rest] =
        Layout::horizontal([Constraint::Length(GUTTER), Constraint::Min(0)]).areas(editor);
    let (text, notes) = if inner.width >= WITH_NOTES {
        let [t, n] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .spacing(1)
            .areas(rest);
        (t, Some(n))
    } else {
        (rest, None)
    };
    Some(FormAreas {
        block,
        gutter,
        text,
        notes,
        detail,
        summary,
        price,
        buttons,
    })
}

/// Rows of data a bordered table pane shows (borders and the column header taken off).
pub fn table_rows(pane: Rect) -> usize {
    pane.height.saturating_sub(3) as usize
}

/// The data row under a screen row of a bordered table pane, if any.
pub fn table_row_at(pane: Rect, row: u16) -> Option<usize> {
    let first = pane.y + 2;
    (row >= first && row < pane.y + pane.height.saturating_sub(1)).then(|| (row - first) as usize)
}

/// Lines of text the detail pane shows below its fixed fields.
pub fn detail_rows(pane: Rect) -> usize {
    pane.height.saturating_sub(2 + DETAIL_FIELDS) as usize
}

/// Lines the detail pane spends on fields above the paths.
pub const DETAIL_FIELDS: u16 = 5;

/// How a path is drawn on the lines of a detail pane: its first piece after two spaces,
/// the rest wrapped under it after four (visibly a continuation).
pub const PATH_INDENT: usize = 2;
pub const PATH_CONTINUED: usize = 4;

/// The pieces a path takes in the detail pane `pane`: one a line.
pub fn path_lines(pane: Rect, path: &str) -> Vec<&str> {
    let width = pane.width.saturating_sub(2) as usize;
    crate::text::chunks(
        path,
        width.saturating_sub(PATH_INDENT),
        width.saturating_sub(PATH_CONTINUED),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_small_is_none() {
        assert!(layout(Rect::new(0, 0, 59, 24), false).is_none());
        assert!(layout(Rect::new(0, 0, 80, 14), false).is_none());
        assert!(layout(Rect::new(0, 0, 60, 15), false).is_some());
    }

    #[test]
    fn panes_tile_the_body_without_overlap() {
        for (w, h) in [(80, 24), (160, 48), (60, 15), (200, 60)] {
            for open in [false, true] {
                let a = layout(Rect::new(0, 0, w, h), open).unwrap();
                let panes = [Some(a.distributions), Some(a.invalidations), a.detail];
                let panes: Vec<Rect> = panes.into_iter().flatten().collect();
                for (i, p) in panes.iter().enumerate() {
                    for q in &panes[i + 1..] {
                        assert!(!p.intersects(*q), "{w}x{h} {p:?} {q:?}");
                    }
                }
                let area: u32 = panes.iter().map(|r| r.area()).sum();
                assert_eq!(area, w as u32 * (h as u32 - 3), "{w}x{h} open={open}");
                assert_eq!(a.detail.is_some(), open);
            }
        }
    }

    #[test]
    fn pane_at_finds_the_pane_under_a_point() {
        let a = layout(Rect::new(0, 0, 80, 24), true).unwrap();
        assert_eq!(a.pane_at(1, 2), Some(Pane::Distributions));
        let d = a.detail.unwrap();
        assert_eq!(a.pane_at(d.x + 1, d.y + 1), Some(Pane::Detail));
        assert_eq!(a.pane_at(1, 0), None);
    }

    #[test]
    fn the_form_takes_the_body() {
        for (w, h) in [(60, 15), (80, 24), (160, 48)] {
            let f = form_layout(Rect::new(0, 0, w, h)).unwrap();
            assert_eq!(f.block, Rect::new(0, 1, w, h - 3));
            // Under the editor: the cursor's line, the counts, the price, the buttons.
            assert_eq!(f.text.height, h - 3 - 2 - 4);
            assert_eq!((f.summary.y, f.price.y), (f.detail.y + 1, f.detail.y + 2));
            assert_eq!(f.gutter.height, f.text.height);
            assert!(f.text.width > 20, "{w}x{h}");
            assert_eq!(f.notes.is_some(), w >= WITH_NOTES + 2);
        }
        assert!(form_layout(Rect::new(0, 0, 59, 24)).is_none());
    }

    #[test]
    fn table_row_at_skips_border_and_header() {
        let pane = Rect::new(0, 5, 40, 10);
        assert_eq!(table_row_at(pane, 5), None);
        assert_eq!(table_row_at(pane, 6), None);
        assert_eq!(table_row_at(pane, 7), Some(0));
        assert_eq!(table_row_at(pane, 13), Some(6));
        assert_eq!(table_row_at(pane, 14), None);
        assert_eq!(table_rows(pane), 7);
    }
}
