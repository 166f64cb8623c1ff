//! Flag groups shared by several commands: running components, WAC packages, output.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use weft_compose::Composition;
use weft_runtime::{
    Capabilities, CompileCache, DEFAULT_MAX_MEMORY, Limits, Preopen, RuntimeConfig, SessionOptions,
    parse_duration, parse_size,
};

/// What a guest may touch, its limits, and how it is compiled.
#[derive(Args, Debug, Clone, Default)]
pub struct RunOptions {
    /// Grant a host directory: `HOST[::GUEST]` (read-write; repeatable).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,
    /// Grant a host directory the guest may only read: `HOST[::GUEST]` (repeatable).
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]")]
    pub dirs_read_only: Vec<String>,
    /// Grant an environment variable: `NAME=VALUE`, or `NAME` to pass the host's (repeatable).
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Let the guest open TCP and UDP sockets and resolve names.
    #[arg(long)]
    pub allow_network: bool,
    /// Let the guest read this process's stdin.
    #[arg(long)]
    pub stdin: bool,
    /// The most linear memory the guest may use in all its memories, e.g. `64MiB`, `1GiB` [default: 1GiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<usize>,
    /// Fuel for each call (about one unit per wasm instruction).
    #[arg(long, value_name = "UNITS")]
    pub fuel: Option<u64>,
    /// Wall-clock time each call may take, e.g. `500ms`, `5s`, `2m`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Satisfy imports weft does not provide with functions that trap when called.
    #[arg(long)]
    pub trap_unknown_imports: bool,
    /// The compile cache.
    #[command(flatten)]
    pub cache: CacheOptions,
}

/// Where a WAC document's packages come from: the flags of every command that reads one.
#[derive(Args, Debug, Clone, Default)]
pub struct WacDeps {
    /// WAC: the file of package `NAMESPACE:NAME` (repeatable).
    #[arg(long = "dep", value_name = "PKG=PATH")]
    pub deps: Vec<String>,
    /// WAC: where packages without `--dep` are looked up, as `<dir>/<ns>/<name>.wasm`
    /// [default: `deps` beside the input].
    #[arg(long, value_name = "DIR")]
    pub deps_dir: Option<PathBuf>,
}

impl WacDeps {
    /// Refuses the flags for a manifest, which names its own files.
    pub fn check_manifest(&self) -> anyhow::Result<()> {
        if !self.deps.is_empty() || self.deps_dir.is_some() {
            bail!(
                "`--dep` and `--deps-dir` apply to WAC documents only; a manifest names its files in `[component.dependencies]`"
            );
        }
        Ok(())
    }

    /// The options for `weft-compose`.
    pub fn wac_options(&self) -> anyhow::Result<weft_compose::WacOptions> {
        let mut options = weft_compose::WacOptions {
            deps_dir: self.deps_dir.clone(),
            ..Default::default()
        };
        for dep in &self.deps {
            let (name, path) = weft_compose::parse_dep(dep)?;
            options.deps.insert(name, path);
        }
        Ok(options)
    }
}

/// Where compiled components are cached: the flags of every command that compiles.
#[derive(Args, Debug, Clone, Default)]
pub struct CacheOptions {
    /// Compile without reading or writing the compile cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Where compiled components are cached [default: $WEFT_CACHE_DIR, $XDG_CACHE_HOME/weft or ~/.cache/weft].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl CacheOptions {
    /// Sets `config`'s cache as these flags ask.
    pub fn apply(&self, config: &mut RuntimeConfig) {
        if self.no_cache {
            config.cache = None;
        } else if let Some(dir) = &self.cache_dir {
            config.cache = Some(CompileCache::new(dir));
        }
    }
}

impl RunOptions {
    /// The runtime configuration these flags ask for.
    pub fn runtime_config(&self) -> RuntimeConfig {
        // One process makes one session: reserving the pooling allocator's slots up front
        // costs more (in system time) than allocating the one instance on demand.
        let mut config = RuntimeConfig {
            pooling: false,
            ..RuntimeConfig::default()
        };
        self.cache.apply(&mut config);
        config.fuel = self.fuel.is_some();
        config
    }

    /// The session options these flags ask for.
    pub fn session_options(&self) -> anyhow::Result<SessionOptions> {
        let mut capabilities = Capabilities::default();
        let grants = self.dirs.iter().map(|spec| ("--dir", spec, false));
        let read_only = self
            .dirs_read_only
            .iter()
            .map(|spec| ("--dir-ro", spec, true));
        for (flag, spec, read_only) in grants.chain(read_only) {
            let preopen = Preopen {
                read_only,
                ..Preopen::parse(spec)
            };
            if capabilities
                .preopens
                .iter()
                .any(|p: &Preopen| p.guest == preopen.guest)
            {
                bail!(
                    "`{flag} {spec}`: the guest path `{}` is granted twice; give each directory its own guest path",
                    preopen.guest
                );
            }
            // A relative guest path named after `::` resolves against nothing the guest
            // can see; `.` is the one relative path WASI programs look up by convention.
            if spec.contains("::") && !preopen.guest.starts_with('/') && preopen.guest != "." {
                bail!(
                    "`{flag} {spec}`: the guest path `{}` is relative; give an absolute one such as `/{}`",
                    preopen.guest,
                    preopen.guest.trim_start_matches("./")
                );
            }
            if !preopen.host.is_dir() {
                bail!(
                    "`{flag} {spec}`: `{}` is not a directory",
                    preopen.host.display()
                );
            }
            capabilities.preopens.push(preopen);
        }
        for spec in &self.env {
            if spec.is_empty() || spec.starts_with('=') {
                bail!("`--env {spec}`: the variable has no name; write `--env NAME=VALUE`");
            }
            let (name, value) = match spec.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => {
                    let value = std::env::var(spec)
                        .with_context(|| format!("`--env {spec}`: the host has no variable `{spec}`; write `--env {spec}=VALUE`"))?;
                    (spec.clone(), value)
                }
            };
            capabilities.env.push((name, value));
        }
        capabilities.network = self.allow_network;
        capabilities.stdin = self.stdin;
        Ok(SessionOptions {
            capabilities,
            limits: Limits {
                max_memory: self.max_memory.unwrap_or(DEFAULT_MAX_MEMORY),
                fuel: self.fuel,
                timeout: self.timeout,
                ..Limits::default()
            },
            trap_unknown_imports: self.trap_unknown_imports,
        })
    }
}

/// `--features`/`--all-features`: which `@unstable` WIT items to keep while resolving.
#[derive(Args, Debug, Clone, Default)]
pub struct WitFeatures {
    /// Keep the `@unstable(feature = NAME)` WIT items of these features (comma-separated
    /// or repeated); the others are left out, as wit-parser does.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub features: Vec<String>,
    /// Keep every `@unstable` WIT item.
    #[arg(long)]
    pub all_features: bool,
}

impl WitFeatures {
    /// The features for `weft-wit` and `weft-compose`.
    pub fn get(&self) -> weft_wit::Features {
        weft_wit::Features {
            names: self.features.clone(),
            all: self.all_features,
        }
    }
}

/// `--wit PATH [--world NAME]` and the WIT features: the world a command builds for or
/// checks against.
#[derive(Args, Debug, Clone, Default)]
pub struct WitWorld {
    /// The WIT package (a file, or a directory with `deps/`) holding the world.
    #[arg(long, value_name = "PATH")]
    pub wit: Option<PathBuf>,
    /// The world in `--wit` (needed when the package has several).
    #[arg(long, requires = "wit")]
    pub world: Option<String>,
    #[command(flatten)]
    pub features: WitFeatures,
}

impl WitWorld {
    /// The world, when `--wit` was given.
    pub fn get(&self) -> Option<weft_compose::WorldPath> {
        Some(weft_compose::WorldPath {
            wit: self.wit.clone()?,
            world: self.world.clone(),
            features: self.features.get(),
        })
    }
}

/// `-o FILE`: where a command that makes a component writes it.
#[derive(Args, Debug, Clone, Default)]
pub struct OutputArg {
    /// Where to write the component; stdout when omitted (not on a terminal).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArg {
    /// Writes the component to `output` (or stdout), warnings to stderr, and a summary of
    /// its exports and open imports to stdout (to stderr when the component went there).
    pub fn write_composition(&self, composition: &Composition) -> anyhow::Result<()> {
        let output = self.output.as_deref().filter(|p| *p != Path::new("-"));
        for warning in &composition.warnings {
            crate::output::stderr_line!("warning: {warning}");
        }
        write_wasm(&composition.bytes, output)?;
        let mut summary = Vec::new();
        let name = output.map_or("<stdout>".to_string(), |p| format!("`{}`", p.display()));
        writeln!(summary, "wrote {name}")?;
        writeln!(summary, "exports ({}):", composition.exports.len())?;
        for export in &composition.exports {
            writeln!(summary, "  {} {}", export.kind, export.name)?;
        }
        if composition.imports.is_empty() {
            writeln!(summary, "imports: none")?;
        } else {
            writeln!(
                summary,
                "imports left open, to be provided by the host ({}):",
                composition.imports.len()
            )?;
            for import in &composition.imports {
                writeln!(summary, "  {} {}", import.kind, import.name)?;
            }
        }
        if output.is_some() {
            std::io::stdout().lock().write_all(&summary)?;
        } else {
            std::io::stderr().lock().write_all(&summary)?;
        }
        Ok(())
    }
}

/// Writes wasm bytes to `output`, or to stdout unless it is a terminal.
fn write_wasm(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) if path != Path::new("-") => std::fs::write(path, bytes)
            .with_context(|| format!("failed to write `{}`", path.display())),
        _ => {
            let mut stdout = std::io::stdout().lock();
            if stdout.is_terminal() {
                anyhow::bail!(
                    "refusing to write a binary component to a terminal; pass `-o FILE` or redirect stdout"
                );
            }
            stdout
                .write_all(bytes)
                .context("failed to write to stdout")?;
            stdout.flush().context("failed to write to stdout")
        }
    }
}
