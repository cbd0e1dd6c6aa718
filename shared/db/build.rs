// The migrations are embedded at compile time: rebuild when any of them changes or a new one appears.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
