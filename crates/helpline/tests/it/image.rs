//! The container image's `Dockerfile` (no container engine runs here): `hadolint` finds nothing,
//! it builds the binary these tests run (`cargo build --release -p helpline` of this workspace,
//! with the workspace's toolchain) and copies that one, runs it as a non-root user with
//! `helpline` as the entry point, and gives no setting through the environment (which would
//! override the chart's settings file).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dockerfile() -> String {
    std::fs::read_to_string(root().join("Dockerfile")).unwrap()
}

/// The Dockerfile's instructions, continuation lines joined, comments left out.
fn instructions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                if !current.trim().is_empty() {
                    out.push(current.trim().to_owned());
                }
                current.clear();
            }
        }
    }
    out
}

#[test]
fn the_dockerfile_passes_hadolint() {
    let hadolint = root().join("target/venv/bin/hadolint");
    if !hadolint.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "hadolint is missing: `cargo xtask test` installs it into target/venv"
        );
        eprintln!("hadolint is not installed here: skipped (`cargo xtask test` installs it)");
        return;
    }
    let output = Command::new(hadolint)
        .arg(root().join("Dockerfile"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "hadolint: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_image_builds_and_copies_the_release_binary_and_runs_it_unprivileged() {
    let steps = instructions(&dockerfile());
    let stages: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, step)| step.starts_with("FROM "))
        .map(|(index, _)| index)
        .collect();
    assert_eq!(
        stages.len(),
        2,
        "a build stage and a runtime stage: {steps:#?}"
    );
    let (build, runtime) = (&steps[stages[0]..stages[1]], &steps[stages[1]..]);

    // The builder's toolchain is at least the workspace's rust-version.
    let image = build[0].split_whitespace().nth(1).unwrap();
    let version = image
        .strip_prefix("rust:")
        .and_then(|tag| tag.split('-').next())
        .unwrap_or_else(|| panic!("the build stage is not a rust image: {image}"));
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let wanted = manifest
        .lines()
        .find_map(|line| line.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    let numbers = |v: &str| -> Vec<u32> { v.split('.').map(|n| n.parse().unwrap()).collect() };
    assert!(
        numbers(version) >= numbers(wanted),
        "rust {version} is older than the workspace's {wanted}"
    );

    // It builds this workspace's `helpline` binary in release and copies that file out.
    let workdir = build
        .iter()
        .find_map(|step| step.strip_prefix("WORKDIR "))
        .unwrap();
    let run = build
        .iter()
        .find(|step| step.contains("cargo build"))
        .unwrap();
    assert!(
        run.contains("cargo build --release --locked -p helpline "),
        "{run}"
    );
    let built = format!("{workdir}/target/release/helpline");
    let copied_out = run
        .split("&&")
        .map(str::trim)
        .find_map(|part| part.strip_prefix("cp "))
        .unwrap();
    let (source, staged) = copied_out.split_once(' ').unwrap();
    assert_eq!(source, built, "the copy is the release binary");
    // That path is where `cargo build --release -p helpline` puts its binary: the package
    // `helpline` has one binary, its `src/main.rs`, under the package's name.
    let package = std::fs::read_to_string(root().join("crates/helpline/Cargo.toml")).unwrap();
    assert!(package.contains("\nname = \"helpline\"\n"), "{package}");
    assert!(!package.contains("[[bin]]"), "a renamed binary: {package}");
    assert!(root().join("crates/helpline/src/main.rs").is_file());
    let copy = runtime
        .iter()
        .find(|step| step.starts_with("COPY --from=build") && step.contains("/usr/local/bin/"))
        .unwrap();
    assert_eq!(
        copy,
        &format!("COPY --from=build {staged} /usr/local/bin/helpline")
    );

    // Unprivileged, with `helpline` as the entry point.
    let user = runtime
        .iter()
        .rev()
        .find_map(|step| step.strip_prefix("USER "))
        .unwrap();
    let uid = user.split(':').next().unwrap();
    assert!(uid != "0" && uid != "root", "runs as {user}");
    assert!(runtime.contains(&r#"ENTRYPOINT ["helpline"]"#.to_owned()));

    // The build context leaves the target directory and the repository out.
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).unwrap();
    for entry in ["target/", ".git/"] {
        assert!(ignore.lines().any(|line| line.trim() == entry), "{entry}");
    }
}

#[test]
fn the_image_gives_no_setting_through_the_environment() {
    // The environment ranks above a settings file: a setting the image gave there would
    // silently override the chart's ConfigMap (its store path, its metrics port).
    let help = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let variables: Vec<&str> = help
        .lines()
        .filter_map(|line| line.trim().strip_prefix("env: "))
        .flat_map(|names| names.split(", "))
        .collect();
    assert!(
        variables.contains(&"HELPLINE_METRICS_LISTEN"),
        "{variables:?}"
    );
    let steps = instructions(&dockerfile());
    let runtime = steps
        .iter()
        .rposition(|step| step.starts_with("FROM "))
        .unwrap();
    for step in steps[runtime..]
        .iter()
        .filter(|step| step.starts_with("ENV "))
    {
        for name in variables.iter().chain(&["HELPLINE_CONFIG"]) {
            assert!(
                !step.contains(&format!("{name}=")),
                "the image sets {name}, which would override the settings file: {step}"
            );
        }
    }
    assert!(steps[runtime..].iter().any(|step| step == "WORKDIR /data"));
}
