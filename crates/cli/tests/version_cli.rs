//! `walletbook --version` prints the one workspace version (the same the
//! app's About panel and the installers show; see src-tauri/tests/versions.rs).

#[test]
fn version_flag_prints_the_workspace_version() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_walletbook")).arg("--version").output().expect("run walletbook");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("walletbook {}", env!("CARGO_PKG_VERSION")));
}
