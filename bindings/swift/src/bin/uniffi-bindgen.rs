//! The uniffi code generator, at the exact uniffi version the library was built with.
fn main() {
    uniffi::uniffi_bindgen_main()
}
