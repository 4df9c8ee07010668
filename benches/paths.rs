//! Validating a pasted path list: 3,000 and 30,000 lines, the whole analysis (parse,
//! normalise, duplicates, wildcard coverage) plus the estimate, as the form redoes it on a
//! keystroke. Run with `cargo bench --bench paths`.

fn main() {
    divan::main();
}

#[path = "common/pathlist.rs"]
mod pathlist;
use pathlist::list;

#[divan::bench(args = [3_000, 30_000])]
fn analyse_and_estimate(bencher: divan::Bencher, lines: usize) {
    let text = list(lines);
    bencher.bench_local(|| {
        let a = cfdash::paths::analyse(divan::black_box(&text));
        divan::black_box(a.estimate(true));
    });
}

/// A deploy step's one-line list pasted into the form: 2,000 and 20,000 paths on one line
/// (20 KB and 200 KB), laid out a path a line and read. Ten times the text should take
/// about ten times as long: nothing in the paste is quadratic.
#[divan::bench(args = [2_000, 20_000])]
fn paste_one_line_list(bencher: divan::Bencher, paths: usize) {
    let text: String = (0..paths).map(|i| format!("/p/{i}.html ")).collect();
    bencher.bench_local(|| {
        let unfolded = cfdash::paths::one_item_a_line(divan::black_box(&text)).unwrap();
        let a = cfdash::paths::analyse(&unfolded.text);
        divan::black_box(a.estimate(true));
    });
}
