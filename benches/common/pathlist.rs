//! The path list the benchmarks check and paste.

/// A realistic list: pages, assets under a few wildcards, some to encode, a few tags.
pub fn list(lines: usize) -> String {
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
