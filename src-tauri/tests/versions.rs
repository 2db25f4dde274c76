//! One version for everything a user can ask the version of: the Cargo
//! workspace (the app and `walletbook --version`), tauri.conf.json (the
//! installers' version) and the UI's package.json and lockfile.

use std::path::Path;

fn json_version(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    value["version"].as_str().unwrap_or_else(|| panic!("{} has no \"version\"", path.display())).to_string()
}

#[test]
fn workspace_app_and_ui_share_one_version() {
    let workspace = env!("CARGO_PKG_VERSION");
    for file in ["tauri.conf.json", "ui/package.json", "ui/package-lock.json", "tests/e2e/package.json"] {
        assert_eq!(json_version(file), workspace, "{file} disagrees with the workspace version in Cargo.toml");
    }
}
