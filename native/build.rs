fn main() {
    napi_build::setup();
    isal_shim();
}

/// Compiles isal_shim.c when ISA-L's header is here (Debian: libisal-dev), and turns on the
/// `riskgate_isal` cfg; without it the gunzip is zlib-rs alone. The library itself is loaded at
/// run time (src/isal.rs), so the module never needs it to load.
fn isal_shim() {
    println!("cargo::rustc-check-cfg=cfg(riskgate_isal)");
    println!("cargo::rerun-if-changed=src/isal_shim.c");
    let dirs = ["/usr/include", "/usr/local/include"];
    let Some(dir) = dirs.iter().find(|d| std::path::Path::new(&format!("{d}/isa-l/igzip_lib.h")).exists()) else {
        println!("cargo::warning=ISA-L header (isa-l/igzip_lib.h) not found: gunzip uses zlib-rs only");
        return;
    };
    println!("cargo::rerun-if-changed={dir}/isa-l/igzip_lib.h");
    cc::Build::new().file("src/isal_shim.c").include(dir).opt_level(2).compile("riskgate_isal_shim");
    println!("cargo::rustc-cfg=riskgate_isal");
}
