//! The tests that need a tool outside Rust: the Python example adapter (a venv with
//! `cryptography` from PyPI) and a headless browser (Debian's `chromium`).
//!
//! The tests set up what they can: the Python venv is created on demand by running
//! `adapters/python/setup.sh`. What needs the system package manager (`python3-venv`, `chromium`)
//! is installed by `scripts/test.sh`, README's test command. A tool that is missing fails its
//! test with a message saying how to get it, unless the user opted out (`MSC4268_SKIP_PYTHON=1`,
//! `MSC4268_SKIP_BROWSER=1`): then the test is reported *ignored*, with the reason, never `ok`.
//! This target runs on libtest-mimic (`harness = false`) so that a test can decide at run time
//! that it is ignored.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use msc4268_adapter::{AdapterOptions, CommandImplementation};
use msc4268_corpus::expected_failures::ExpectedFailures;
use msc4268_corpus::fixture::{Case, load_dir};
use msc4268_generator::mutants::{Bug, Mutant};
use msc4268_harness::output::{self, ImplementationRun, RunSet};
use msc4268_harness::profile::Profile;
use msc4268_harness::runner::{Status, run_case, run_case_expecting};
use msc4268_model::reference::Reference;
use msc4268_protocol::cases::Category;
use msc4268_protocol::implementation::Implementation;

/// Opts out of the Python example adapter's test (`=1`): reported ignored when the venv is missing.
const SKIP_PYTHON: &str = "MSC4268_SKIP_PYTHON";
/// Opts out of the headless-browser test (`=1`): reported ignored when no browser is found.
const SKIP_BROWSER: &str = "MSC4268_SKIP_BROWSER";
/// Where the Python example adapter's venv is (default `adapters/python/.venv`; `setup.sh`
/// honours it too).
const PYTHON_VENV: &str = "MSC4268_PYTHON_VENV";
/// A browser to use instead of the first `chromium` on `PATH`.
const CHROMIUM: &str = "MSC4268_CHROMIUM";

const PYTHON_TEST: &str = "python_example_adapter_passes_its_categories_in_strict_mode";
const BROWSER_TEST: &str = "the_html_matrix_renders_in_a_headless_browser";

/// How long one headless-browser run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    let args = Arguments::from_args();
    let trials = vec![
        Trial::ignorable_test(PYTHON_TEST, python_example_adapter),
        Trial::ignorable_test(BROWSER_TEST, html_matrix_in_a_headless_browser),
        Trial::test(
            "an_opted_out_missing_tool_is_reported_ignored_with_the_reason",
            an_opted_out_missing_tool_is_reported_ignored_with_the_reason,
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> Vec<Case> {
    load_dir(&root().join("fixtures")).unwrap_or_else(|e| panic!("cannot load fixtures: {e}"))
}

/// Whether the user opted out of the tests that need a tool (`VAR=1`).
fn opted_out(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| v == "1")
}

// ---------------------------------------------------------------------------------------------
// The Python example adapter.

fn venv_dir() -> PathBuf {
    match std::env::var_os(PYTHON_VENV) {
        Some(dir) => root().join("adapters/python").join(dir),
        None => root().join("adapters/python/.venv"),
    }
}

/// Whether `python` exists and imports `cryptography`.
fn venv_ready(python: &Path) -> bool {
    python.is_file()
        && Command::new(python)
            .args(["-c", "import cryptography"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Creates the venv with `adapters/python/setup.sh` (python3 -m venv, pip install from PyPI).
fn set_up_venv() -> Result<(), Failed> {
    let script = root().join("adapters/python/setup.sh");
    let hint = format!(
        "it needs python3 with the venv module (Debian: python3-venv, which scripts/test.sh \
         installs) and PyPI; or set {SKIP_PYTHON}=1 to report this test as ignored"
    );
    eprintln!(
        "creating the Python example adapter's venv: {}",
        script.display()
    );
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .map_err(|e| format!("cannot run {}: {e}; {hint}", script.display()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        return Err(format!(
            "the Python example adapter's venv could not be set up: {} {}:\n{}\n{hint}",
            script.display(),
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
        .into());
    }
    Ok(())
}

fn python_example_adapter() -> Result<Completion, Failed> {
    let venv = venv_dir();
    let python = venv.join("bin/python");
    if !venv_ready(&python) {
        if opted_out(SKIP_PYTHON) {
            return Ok(Completion::ignored_with(format!(
                "{SKIP_PYTHON}=1 and the Python example adapter's venv ({}) is not set up",
                venv.display()
            )));
        }
        set_up_venv()?;
        if !venv_ready(&python) {
            return Err(format!(
                "adapters/python/setup.sh succeeded, but {} does not import cryptography",
                python.display()
            )
            .into());
        }
    }
    let command = format!(
        "{} {}",
        python.display(),
        root().join("adapters/python/adapter.py").display()
    );
    let options = AdapterOptions {
        // Generous: `file-decryption/declared-limit/one-byte-over` sends a 64 MiB file (a request
        // line of about 90 MB) that the adapter must read, decode and refuse.
        case_timeout: Duration::from_secs(60),
        start_timeout: Duration::from_secs(10),
        strict: true,
        max_consecutive_failures: 3,
    };
    let imp = CommandImplementation::start(&command, options).map_err(|e| e.to_string())?;
    let declared = imp.declared().categories.clone();
    assert!(declared.contains(&Category::FileDecryption));
    assert!(declared.contains(&Category::BundleParsing));
    let mut ran = 0;
    let mut failures = Vec::new();
    for c in corpus() {
        let r = run_case(&imp, &c);
        if declared.contains(&c.category) {
            ran += 1;
            if r.status != Status::Passed {
                failures.push(r.explain());
            }
        } else {
            assert!(
                matches!(r.status, Status::Skipped { .. }),
                "{} must be skipped: {:?}",
                c.def.id,
                r.status
            );
        }
    }
    assert!(ran >= 190, "only {ran} cases ran");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(imp.restarts(), 0, "problems: {:?}", imp.problems());
    assert_eq!(imp.stop(), None);
    Ok(Completion::Completed)
}

// ---------------------------------------------------------------------------------------------
// The HTML report in a headless browser.

const XFAIL_CASE: &str = "file-decryption/hash-check/wrong-hash";

/// The file-decryption cases against the reference and against a mutant that skips the hash
/// check, with one of its failures listed as expected: fail, pass and expected-failure cells.
fn run_set() -> RunSet {
    let mut cases = corpus();
    cases.retain(|c| c.category == Category::FileDecryption);
    let list = ExpectedFailures::parse(
        &format!(
            r#"{{"implementation": "mutant:skips-hash-check", "expected_failures": [
                {{"case": "{XFAIL_CASE}", "reason": "does not check the hash", "upstream": "https://example.invalid/issues/1"}}]}}"#
        ),
        Path::new("expected-failures/mutant.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = |imp: &dyn Implementation, expected: Option<&ExpectedFailures>| ImplementationRun {
        info: imp.info(),
        expected_failures_file: expected
            .and_then(|e| e.file.clone())
            .map(|p| p.display().to_string()),
        cases: cases
            .iter()
            .map(|c| run_case_expecting(imp, c, expected))
            .collect(),
        wall_time_s: 0.1,
        notes: vec!["test run".into()],
    };
    RunSet {
        fixtures: "fixtures".into(),
        catalogue: msc4268_corpus::rules::catalogue().expect("catalogue"),
        runs: vec![
            run(&Reference, None),
            run(&Mutant::new(Bug::SkipsHashCheck), Some(&list)),
        ],
        profile: Profile::Required,
    }
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("msc4268-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The headless browser, if installed.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CHROMIUM) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs the browser headless with `args` and returns its standard output; a browser that has
/// not finished within [`BROWSER_TIMEOUT`] is killed and fails the test.
fn headless(browser: &Path, args: &[&str]) -> String {
    let profile = out_dir("chromium-profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", browser.display()));
    // Read both pipes while waiting, so that a large page cannot fill a pipe and stall it.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < BROWSER_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} did not finish within {} s: killed",
                    browser.display(),
                    BROWSER_TIMEOUT.as_secs()
                );
            }
            Err(e) => panic!("cannot wait for {}: {e}", browser.display()),
        }
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    assert!(status.success(), "{} failed: {err}", browser.display());
    let _ = std::fs::remove_dir_all(&profile);
    out
}

fn html_matrix_in_a_headless_browser() -> Result<Completion, Failed> {
    let Some(browser) = chromium() else {
        if opted_out(SKIP_BROWSER) {
            return Ok(Completion::ignored_with(format!(
                "{SKIP_BROWSER}=1 and no chromium on PATH (nor {CHROMIUM})"
            )));
        }
        return Err(format!(
            "this test renders the HTML report in a headless browser, and none was found: \
             run scripts/test.sh (it installs Debian's `chromium`), point {CHROMIUM} at one, \
             or set {SKIP_BROWSER}=1 to report this test as ignored"
        )
        .into());
    };
    let set = run_set();
    let dir = out_dir("html");
    output::write_all(&set, &dir).unwrap_or_else(|e| panic!("{e}"));

    // A probe page: the report plus a script that records what the browser computed, opened at
    // the fragment a matrix cell links to.
    let page = std::fs::read_to_string(dir.join("index.html")).expect("html");
    let probe = page.replace(
        "</body>",
        r#"<script>
const cell = document.querySelector('td.cell.fail a');
const shown = () => document.getElementById(location.hash.slice(1));
addEventListener('load', () => document.body.setAttribute('data-probe', JSON.stringify({
  failColour: getComputedStyle(cell.parentElement).backgroundColor,
  passColour: getComputedStyle(document.querySelector('td.cell.pass')).backgroundColor,
  link: cell.getAttribute('href'),
  targetDisplay: shown() ? getComputedStyle(shown()).display : null,
  targetOutline: shown() ? getComputedStyle(shown()).outlineStyle : null,
  targetIsTarget: shown() ? shown().matches(':target') : false,
  targetText: shown() ? shown().textContent : '',
  rows: document.querySelectorAll('table.matrix tr').length,
})));
</script></body>"#,
    );
    std::fs::write(dir.join("probe.html"), probe).expect("write probe");
    let link = "impl1-R38";
    assert!(
        page.contains(&format!("href=\"#{link}\"")),
        "a cell links to {link}"
    );
    let url = format!("file://{}#{link}", dir.join("probe.html").display());
    let dom = headless(&browser, &["--dump-dom", &url]);
    let start = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    let end = start + dom[start..].find('"').expect("end of probe");
    let probe: serde_json::Value =
        serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).expect("probe JSON");
    assert_eq!(probe["failColour"], "rgb(207, 34, 46)", "{probe}");
    assert_eq!(probe["passColour"], "rgb(45, 164, 78)", "{probe}");
    assert_eq!(
        probe["targetDisplay"], "block",
        "the linked section is shown: {probe}"
    );
    assert_eq!(probe["targetIsTarget"], true, "{probe}");
    assert_eq!(
        probe["targetOutline"], "solid",
        "the linked section is highlighted: {probe}"
    );
    let text = probe["targetText"].as_str().expect("text");
    assert!(
        text.contains(XFAIL_CASE),
        "the R38 section lists its cases: {text}"
    );
    assert!(
        text.contains("does not check the hash"),
        "and the reasons: {text}"
    );
    assert!(probe["rows"].as_u64().expect("rows") > 20, "{probe}");
    assert!(dom.contains(&format!("id=\"{link}\"")));

    // And a real screenshot of the page.
    let shot = dir.join("matrix.png");
    headless(
        &browser,
        &[
            "--window-size=1400,1800",
            &format!("--screenshot={}", shot.display()),
            &format!("file://{}", dir.join("index.html").display()),
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 20_000,
        "suspiciously small screenshot: {} bytes",
        png.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Completion::Completed)
}

// ---------------------------------------------------------------------------------------------
// Opted out is ignored, never ok.

/// Runs this test binary again for the one test `name`, with `env` set and without any tool on
/// `PATH`; returns its exit success and its output.
fn run_self(name: &str, env: &[(&str, &str)]) -> (bool, String) {
    let exe = std::env::current_exe().expect("this test binary");
    let empty = out_dir("empty-path");
    std::fs::create_dir_all(&empty).expect("empty dir");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "--color", "never", "--test-threads", "1", name])
        .env("PATH", &empty)
        .env_remove(CHROMIUM)
        .env_remove(SKIP_PYTHON)
        .env_remove(SKIP_BROWSER)
        .env_remove(PYTHON_VENV);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run this test binary again");
    let _ = std::fs::remove_dir_all(&empty);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// What libtest-mimic printed for test `name` (the text after `... `; names may be padded).
fn outcome<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    out.lines()
        .find(|l| l.starts_with(&format!("test {name} ")))
        .and_then(|l| l.split_once(" ... "))
        .map(|(_, outcome)| outcome)
}

fn an_opted_out_missing_tool_is_reported_ignored_with_the_reason() -> Result<(), Failed> {
    // No browser on PATH, opted out: ignored, with the reason.
    let (ok, out) = run_self(BROWSER_TEST, &[(SKIP_BROWSER, "1")]);
    let reason = format!("ignored ({SKIP_BROWSER}=1 and no chromium on PATH");
    if !ok
        || !outcome(&out, BROWSER_TEST).is_some_and(|o| o.starts_with(&reason))
        || !out.contains("0 passed; 0 failed; 1 ignored")
    {
        return Err(format!("expected `{reason}`, one ignored test and success:\n{out}").into());
    }
    // No browser, not opted out: failed, saying how to get one.
    let (ok, out) = run_self(BROWSER_TEST, &[]);
    if ok || outcome(&out, BROWSER_TEST) != Some("FAILED") || !out.contains("scripts/test.sh") {
        return Err(format!("expected a failure naming scripts/test.sh:\n{out}").into());
    }
    // No venv, opted out: ignored, with the reason (the venv is looked for in a directory that
    // does not exist, so this holds whether or not the real venv is set up).
    let missing = out_dir("no-venv");
    let venv = missing.display().to_string();
    let (ok, out) = run_self(PYTHON_TEST, &[(SKIP_PYTHON, "1"), (PYTHON_VENV, &venv)]);
    let reason = format!("ignored ({SKIP_PYTHON}=1 and the Python example adapter's venv ({venv})");
    if !ok
        || !outcome(&out, PYTHON_TEST).is_some_and(|o| o.starts_with(&reason))
        || !out.contains("0 passed; 0 failed; 1 ignored")
    {
        return Err(format!("expected `{reason}`, one ignored test and success:\n{out}").into());
    }
    Ok(())
}
