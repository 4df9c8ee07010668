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
