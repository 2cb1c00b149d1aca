//! Results of one benchmark run: a JSON file, Markdown tables and an SVG plot of the scale.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::ops::{self, stage};

const MIB: f64 = 1024.0 * 1024.0;

/// One operation measured on one bundle size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Stage.
    pub stage: String,
    /// Implementation.
    pub implementation: String,
    /// Sessions in the bundle's store.
    pub sessions: usize,
    /// Bundle size (plaintext bytes).
    pub bundle_bytes: usize,
    /// Median wall time of one run, in nanoseconds, over criterion's measurement samples.
    pub median_ns: f64,
    /// Most heap the operation had live at once beyond its inputs (bytes).
    pub peak_bytes: usize,
}

/// One panel of the scale plot: title, left edge, and the value it plots.
type Panel = (&'static str, f64, fn(&Measurement) -> f64);

impl Measurement {
    /// Bundle MiB per second.
    pub fn mib_per_s(&self) -> f64 {
        self.bundle_bytes as f64 / MIB / (self.median_ns / 1e9)
    }

    /// Sessions per second.
    pub fn sessions_per_s(&self) -> f64 {
        self.sessions as f64 / (self.median_ns / 1e9)
    }

    /// Peak heap as a multiple of the bundle size.
    pub fn peak_ratio(&self) -> f64 {
        self.peak_bytes as f64 / self.bundle_bytes as f64
    }

    /// Nanoseconds per session.
    pub fn ns_per_session(&self) -> f64 {
        self.median_ns / self.sessions as f64
    }
}

/// Everything one run measured, and where.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Run {
    /// Machine description (CPU, cores, rustc, load).
    pub machine: Vec<(String, String)>,
    /// The measurements, in the order they were taken.
    pub measurements: Vec<Measurement>,
}

impl Run {
    /// The measurement of `stage` by `implementation` at `sessions`, if taken.
    pub fn get(&self, stage: &str, implementation: &str, sessions: usize) -> Option<&Measurement> {
        self.measurements.iter().find(|m| {
            m.stage == stage && m.implementation == implementation && m.sessions == sessions
        })
    }

    /// The bundle sizes measured, ascending.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s: Vec<usize> = self.measurements.iter().map(|m| m.sessions).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// `a`'s throughput over `b`'s (how many times faster `a` is), if both were measured.
    pub fn speedup(&self, stage: &str, a: &str, b: &str, sessions: usize) -> Option<f64> {
        Some(self.get(stage, b, sessions)?.median_ns / self.get(stage, a, sessions)?.median_ns)
    }

    /// The Markdown report: per-size tables, the floor, the scale and the goals.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## Machine\n");
        for (k, v) in &self.machine {
            let _ = writeln!(out, "- {k}: {v}");
        }
        for n in self.sizes() {
            let Some(bytes) = self.measurements.iter().find(|m| m.sessions == n) else {
                continue;
            };
            let _ = writeln!(
                out,
                "\n## {n} sessions ({:.2} MiB bundle)\n",
                bytes.bundle_bytes as f64 / MIB
            );
            let _ = writeln!(
                out,
                "| stage | reference | matrix-sdk-crypto | floor | reference ÷ matrix-sdk-crypto (speed) | reference ÷ floor (time) |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|");
            for st in [
                stage::ENCRYPT,
                stage::DECRYPT,
                stage::PARSE,
                stage::DECRYPT_PARSE,
                stage::IMPORT,
                stage::BUILD,
            ] {
                let cell = |imp: &str| {
                    self.get(st, imp, n).map_or("—".to_owned(), |m| {
                        format!(
                            "{:.1} ms · {:.0} MiB/s · {:.0} k sessions/s · peak {:.2}×",
                            m.median_ns / 1e6,
                            m.mib_per_s(),
                            m.sessions_per_s() / 1e3,
                            m.peak_ratio()
                        )
                    })
                };
                let ratio = self
                    .speedup(st, ops::REFERENCE, ops::MATRIX_SDK_CRYPTO, n)
                    .map_or("—".to_owned(), |r| format!("{r:.2}×"));
                let floor = self
                    .speedup(st, ops::FLOOR, ops::REFERENCE, n)
                    .map_or("—".to_owned(), |r| format!("{r:.2}×"));
                let _ = writeln!(
                    out,
                    "| {st} | {} | {} | {} | {ratio} | {floor} |",
                    cell(ops::REFERENCE),
                    cell(ops::MATRIX_SDK_CRYPTO),
                    cell(ops::FLOOR)
                );
            }
        }
        let _ = writeln!(out, "\n## Scale\n");
        let _ = writeln!(
            out,
            "| sessions | MiB | stage | implementation | time (ms) | ns/session | peak (MiB) | peak ÷ bundle |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
        for (st, imp) in scale_series() {
            for n in self.sizes() {
                if let Some(m) = self.get(st, imp, n) {
                    let _ = writeln!(
                        out,
                        "| {n} | {:.2} | {st} | {imp} | {:.1} | {:.0} | {:.1} | {:.2}× |",
                        m.bundle_bytes as f64 / MIB,
                        m.median_ns / 1e6,
                        m.ns_per_session(),
                        m.peak_bytes as f64 / MIB,
                        m.peak_ratio()
                    );
                }
            }
        }
        out.push_str(&self.goals());
        out
    }

    /// The goals of issue 6, each with its measured value.
    pub fn goals(&self) -> String {
        let mut out = String::from("\n## Goals\n\n| goal | measured | met |\n|---|---|---|\n");
        let n = 50_000;
        let mut row = |goal: &str, value: Option<f64>, unit: &str, ok: &dyn Fn(f64) -> bool| {
            let (v, met) = match value {
                Some(v) => (format!("{v:.2}{unit}"), if ok(v) { "yes" } else { "no" }),
                None => ("not measured".to_owned(), "not measured"),
            };
            let _ = writeln!(out, "| {goal} | {v} | {met} |");
        };
        for st in [stage::DECRYPT_PARSE, stage::IMPORT] {
            row(
                &format!("{st}, 50k: reference ≥ 2× matrix-sdk-crypto's throughput"),
                self.speedup(st, ops::REFERENCE, ops::MATRIX_SDK_CRYPTO, n),
                "×",
                &|v| v >= 2.0,
            );
        }
        row(
            "decrypt+parse, 50k: reference within 3× of the floor (time ratio)",
            self.speedup(stage::DECRYPT_PARSE, ops::FLOOR, ops::REFERENCE, n),
            "×",
            &|v| v <= 3.0,
        );
        let largest = self.sizes().last().copied().unwrap_or(0);
        for n in self.sizes() {
            row(
                &format!("decrypt+parse, {n}: reference peak heap < 3× the bundle"),
                self.get(stage::DECRYPT_PARSE, ops::REFERENCE, n)
                    .map(Measurement::peak_ratio),
                "×",
                &|v| v < 3.0,
            );
        }
        let smallest = self.sizes().first().copied().unwrap_or(0);
        for (st, imp) in scale_series() {
            let per = |n| self.get(st, imp, n).map(Measurement::ns_per_session);
            let growth = per(largest).zip(per(smallest)).map(|(a, b)| a / b);
            row(
                &format!(
                    "{st} ({imp}): time per session at {largest} ÷ at {smallest} (linear: ≤ 1.5)"
                ),
                growth,
                "",
                &|v| v <= 1.5,
            );
        }
        out
    }

    /// The scale plot: time and peak heap against sessions, one line per series.
    pub fn svg(&self) -> String {
        let sizes = self.sizes();
        let max_n = sizes.last().copied().unwrap_or(1).max(1) as f64;
        let series: Vec<(&str, &str, &str)> = scale_series()
            .into_iter()
            .zip(COLOURS)
            .map(|((s, i), c)| (s, i, c))
            .collect();
        let (w, h, pad) = (460.0, 300.0, 60.0);
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
"#,
            2.0 * w + 40.0,
            h + 150.0
        );
        let panels: [Panel; 2] = [
            ("time per run (ms)", 0.0, |m| m.median_ns / 1e6),
            ("peak heap (MiB)", w + 40.0, |m| m.peak_bytes as f64 / MIB),
        ];
        for (title, x0, value) in panels {
            let max_y = series
                .iter()
                .flat_map(|(s, i, _)| sizes.iter().filter_map(|n| self.get(s, i, *n)))
                .map(value)
                .fold(0.0f64, f64::max)
                .max(1e-9);
            let px = |n: f64| x0 + pad + n / max_n * (w - pad - 10.0);
            let py = |v: f64| 20.0 + (h - 40.0) * (1.0 - v / max_y);
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="14" font-weight="bold">{title} against sessions</text>"#,
                x0 + pad
            );
            let _ = writeln!(
                svg,
                r##"<path d="M{} 20 V{} H{}" fill="none" stroke="#333"/>"##,
                px(0.0),
                py(0.0),
                px(max_n)
            );
            for t in 0..=4 {
                let v = max_y * f64::from(t) / 4.0;
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{}" text-anchor="end">{v:.0}</text>"#,
                    px(0.0) - 4.0,
                    py(v) + 4.0
                );
            }
            for n in &sizes {
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{}" text-anchor="middle">{}k</text>"#,
                    px(*n as f64),
                    py(0.0) + 14.0,
                    n / 1000
                );
            }
            for (s, i, colour) in &series {
                let points: Vec<String> = sizes
                    .iter()
                    .filter_map(|n| self.get(s, i, *n))
                    .map(|m| format!("{:.1},{:.1}", px(m.sessions as f64), py(value(m))))
                    .collect();
                let _ = writeln!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                    points.join(" ")
                );
                for p in &points {
                    let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                    let _ = writeln!(svg, r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#);
                }
            }
        }
        for (k, (s, i, colour)) in series.iter().enumerate() {
            let y = h + 10.0 + 16.0 * k as f64;
            let _ = writeln!(
                svg,
                r#"<rect x="{pad}" y="{}" width="14" height="4" fill="{colour}"/><text x="{}" y="{}">{s} — {i}</text>"#,
                y - 4.0,
                pad + 20.0,
                y
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

const COLOURS: [&str; 7] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f",
];

/// The series of the scale table and plot.
pub fn scale_series() -> Vec<(&'static str, &'static str)> {
    vec![
        (stage::DECRYPT_PARSE, ops::REFERENCE),
        (stage::DECRYPT_PARSE, ops::MATRIX_SDK_CRYPTO),
        (stage::DECRYPT_PARSE, ops::FLOOR),
        (stage::IMPORT, ops::REFERENCE),
        (stage::IMPORT, ops::MATRIX_SDK_CRYPTO),
        (stage::BUILD, ops::REFERENCE),
        (stage::BUILD, ops::MATRIX_SDK_CRYPTO),
    ]
}
