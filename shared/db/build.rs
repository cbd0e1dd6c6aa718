// The migrations are embedded at compile time by a macro that cargo cannot see reading them. Rerunning this
// script when the folder changes is not enough on its own: the crate is recompiled only when the script's
// output changes, so the output names the migrations' contents.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    let folder = Path::new("../../migrations");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .expect("read the migrations folder")
        .map(|entry| entry.expect("list the migrations folder").path())
        .collect();
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        file.file_name().hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rustc-env=MIGRATIONS_DIGEST={:016x}", hasher.finish());
}
