use std::path::{Path, PathBuf};

use crate::Error;

/// Where `initdb` and `postgres` live: `$PG_BIN_DIR`, else `PATH`, else Debian's `/usr/lib/postgresql/<newest>/bin`.
pub fn find_bin_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return if has_server(&dir) {
            Ok(dir)
        } else {
            Err(Error::BinariesNotFound(format!(
                "PG_BIN_DIR={} has no initdb and postgres",
                dir.display()
            )))
        };
    }
    if let Some(dir) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| has_server(dir))
    {
        return Ok(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, bin)| has_server(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        Error::BinariesNotFound(
            "install the `postgresql` package, or set PG_BIN_DIR to the folder holding initdb and postgres"
                .into(),
        )
    })
}

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}
