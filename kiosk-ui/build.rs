//! Compiles the `.slint` files. Debug info keeps element ids in the generated code so the flow
//! tests can find a button by its accessible id (Slint's element queries need it).

fn main() {
    let config = slint_build::CompilerConfiguration::new().with_debug_info(true);
    if let Err(e) = slint_build::compile_with_config("ui/app.slint", config) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
