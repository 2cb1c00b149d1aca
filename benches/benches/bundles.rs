//! `cargo bench -p msc4268-benches`: every stage on bundles of 1k to 100k sessions, for the
//! reference and matrix-sdk-crypto 0.18.0 side by side, against the floor; peak heap from a
//! counting allocator. Writes `results.json`, `results.md` and `scale.svg` to
//! `$CARGO_TARGET_DIR/msc4268-bench/` (default `target/msc4268-bench/`).
//!
//! `MSC4268_BENCH_SIZES=1000,10000` measures other sizes.

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use msc4268_adapter_matrix_sdk_crypto::MatrixSdkCrypto;
use msc4268_benches::BenchError;
use msc4268_benches::alloc::{self, CountingAllocator};
use msc4268_benches::corpus::{Case, Corpus, import_template};
use msc4268_benches::ops::{self, Context};
use msc4268_benches::report::{Measurement, Run};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Operations slower than this per run are timed outside criterion (see `run`).
const SLOW: Duration = Duration::from_secs(1);

const DEFAULT_SIZES: [usize; 4] = [1_000, 10_000, 50_000, 100_000];

fn sizes() -> Result<Vec<usize>, BenchError> {
    match std::env::var("MSC4268_BENCH_SIZES") {
        Err(_) => Ok(DEFAULT_SIZES.to_vec()),
        Ok(s) => s
            .split(',')
            .map(|n| {
                n.trim().parse().map_err(|e| {
                    BenchError::Setup(format!("MSC4268_BENCH_SIZES: `{n}` is not a size: {e}"))
                })
            })
            .collect(),
    }
}

fn out_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
        .join("msc4268-bench")
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map_or_else(|e| format!("unreadable: {e}"), |s| s.trim().to_owned())
}

fn machine() -> Vec<(String, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map_or_else(
            |e| format!("unknown: {e}"),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        );
    vec![
        ("CPU".into(), cpu),
        (
            "cores".into(),
            std::thread::available_parallelism()
                .map_or(0, usize::from)
                .to_string(),
        ),
        ("rustc".into(), rustc),
        (
            "matrix-sdk-crypto".into(),
            msc4268_adapter_matrix_sdk_crypto::CRATE_VERSION.into(),
        ),
        (
            "load average at start (/proc/loadavg)".into(),
            read_trimmed("/proc/loadavg"),
        ),
    ]
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("msc4268 benches: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BenchError> {
    let sizes = sizes()?;
    let mut report = Run {
        machine: machine(),
        measurements: Vec::new(),
    };
    let template = import_template()?;
    let started = Instant::now();
    let corpus = Corpus::generate(sizes.iter().copied().max().unwrap_or(0));
    eprintln!(
        "generated {} real Megolm sessions in {:.1} s",
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
    let ctx = Context {
        crate_adapter: MatrixSdkCrypto::new().map_err(|e| BenchError::Setup(e.to_string()))?,
    };
    if let Ok(filter) = std::env::var("MSC4268_BENCH_PROFILE") {
        return profile(&filter, &sizes, &corpus, &template, &ctx);
    }
    let mut criterion = Criterion::default().configure_from_args();
    for &n in &sizes {
        let case = Case::new(&corpus, n, &template)?;
        eprintln!(
            "{n} sessions: bundle {} bytes ({} room_keys, {} withheld)",
            case.bytes(),
            case.room_keys,
            case.withheld
        );
        let mut group = criterion.benchmark_group(format!("{n}-sessions"));
        group
            .throughput(Throughput::Bytes(case.bytes() as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if n >= 50_000 { 4 } else { 2 }));
        if n >= 10_000 {
            group.sampling_mode(SamplingMode::Flat);
        }
        for op in ops::all() {
            // Checked and sized once, outside criterion.
            let started = Instant::now();
            let (count, peak_bytes) = alloc::peak_of(|| (op.run)(&ctx, &case));
            let first = started.elapsed();
            let count = count.map_err(|detail| check(&op, n, detail))?;
            if count != op.expected(&case) {
                return Err(check(
                    &op,
                    n,
                    format!(
                        "returned {count}, the bundle calls for {}",
                        op.expected(&case)
                    ),
                ));
            }
            if first > SLOW {
                // Criterion needs at least 10 samples of at least one run each; for operations
                // this slow, the median of 3 plain runs (this one and 2 more) is reported.
                let mut runs = vec![first.as_nanos() as f64];
                for _ in 0..2 {
                    let started = Instant::now();
                    let _ = std::hint::black_box((op.run)(&ctx, std::hint::black_box(&case)));
                    runs.push(started.elapsed().as_nanos() as f64);
                }
                eprintln!(
                    "{n}-sessions/{}/{}: {:.0} ms (median of 3 runs, outside criterion: over {} s a run)",
                    op.stage,
                    op.implementation,
                    median_of_last(&runs, 3) / 1e6,
                    SLOW.as_secs()
                );
                report.measurements.push(Measurement {
                    stage: op.stage.into(),
                    implementation: op.implementation.into(),
                    sessions: n,
                    bundle_bytes: case.bytes(),
                    median_ns: median_of_last(&runs, 3),
                    peak_bytes,
                });
                continue;
            }
            let samples = RefCell::new(Vec::new());
            group.bench_function(BenchmarkId::new(op.stage, op.implementation), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let _ = std::hint::black_box((op.run)(&ctx, std::hint::black_box(&case)));
                    }
                    let elapsed = start.elapsed();
                    samples
                        .borrow_mut()
                        .push(elapsed.as_nanos() as f64 / iters.max(1) as f64);
                    elapsed
                });
            });
            let samples = samples.into_inner();
            if samples.is_empty() {
                continue; // filtered out on the command line
            }
            report.measurements.push(Measurement {
                stage: op.stage.into(),
                implementation: op.implementation.into(),
                sessions: n,
                bundle_bytes: case.bytes(),
                median_ns: median_of_last(&samples, 10),
                peak_bytes,
            });
        }
        group.finish();
    }
    criterion.final_summary();
    report.machine.push((
        "load average at end (/proc/loadavg)".into(),
        read_trimmed("/proc/loadavg"),
    ));
    write(&report)
}

/// `MSC4268_BENCH_PROFILE=stage/implementation` (e.g. `decrypt+parse/reference`, or `all`):
/// runs the matching operations once per size, without criterion, for a profiler such as
/// `valgrind --tool=callgrind --toggle-collect='msc4268_benches::ops::*'`.
fn profile(
    filter: &str,
    sizes: &[usize],
    corpus: &Corpus,
    template: &msc4268_protocol::cases::ImportInput,
    ctx: &Context,
) -> Result<(), BenchError> {
    for &n in sizes {
        let case = Case::new(corpus, n, template)?;
        for op in ops::all() {
            if filter != "all" && filter != format!("{}/{}", op.stage, op.implementation) {
                continue;
            }
            let started = Instant::now();
            let (count, peak) = alloc::peak_of(|| (op.run)(ctx, &case));
            let count = count.map_err(|detail| check(&op, n, detail))?;
            eprintln!(
                "{n} sessions: {}/{}: {count} in {:.1} ms, peak heap {peak} bytes ({:.2}× the bundle)",
                op.stage,
                op.implementation,
                started.elapsed().as_secs_f64() * 1e3,
                peak as f64 / case.bytes() as f64
            );
        }
    }
    Ok(())
}

fn check(op: &ops::Op, sessions: usize, detail: String) -> BenchError {
    BenchError::Check {
        stage: op.stage,
        implementation: op.implementation,
        sessions,
        detail,
    }
}

/// Median of the last `k` samples (criterion's measurement samples follow its warm-up calls).
fn median_of_last(samples: &[f64], k: usize) -> f64 {
    let mut last: Vec<f64> = samples[samples.len().saturating_sub(k)..].to_vec();
    last.sort_by(f64::total_cmp);
    last[last.len() / 2]
}

fn write(report: &Run) -> Result<(), BenchError> {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).map_err(|e| BenchError::io(dir.display(), e))?;
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| BenchError::json("serialising the results", e))?;
    for (name, text) in [
        ("results.json", json),
        ("results.md", report.markdown()),
        ("scale.svg", report.svg()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| BenchError::io(path.display(), e))?;
        eprintln!("wrote {}", path.display());
    }
    println!("{}", report.markdown());
    Ok(())
}
