//! Validating a pasted path list: 3,000 and 30,000 lines, the whole analysis (parse,
//! normalise, duplicates, wildcard coverage) plus the estimate, as the form redoes it on a
//! keystroke. Run with `cargo bench --bench paths`.

fn main() {
    divan::main();
}

/// A realistic list: pages, assets under a few wildcards, some to encode, a few tags.
fn list(lines: usize) -> String {
    (0..lines)
        .map(|i| match i % 10 {
            0 => format!("/assets/{}/*\n", i % 40),
            1 => format!("/assets/{}/app-{i}.js\n", i % 40),
            2 => format!("/blog/my post {i}.html\n"),
            3 => format!("#product:{i}\n"),
            4 => format!("/café/{i}?v=2\n"),
            _ => format!("/pages/{i}/index.html\n"),
        })
        .collect()
}

#[divan::bench(args = [3_000, 30_000])]
fn analyse_and_estimate(bencher: divan::Bencher, lines: usize) {
    let text = list(lines);
    bencher.bench_local(|| {
        let a = cfdash::paths::analyse(divan::black_box(&text));
        divan::black_box(a.estimate(true));
    });
}
