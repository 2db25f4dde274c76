//! Walletbook's desktop shell: window, state and the IPC commands. All logic
//! lives in the core crates; this crate wires them to the window.

pub mod commands;
pub mod error;
pub mod state;

use state::{db_path_from_args, AppState};

pub fn run() {
    let state = AppState::new(db_path_from_args(std::env::args_os().skip(1)));
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app::about,
            commands::app::app_info,
            commands::app::list_providers,
            commands::connections::add_connection,
            commands::connections::list_connections,
            commands::connections::remove_connection,
            commands::connections::stored_secret_keys,
            commands::connections::update_connection,
            commands::demo::load_demo,
            commands::export::export_history,
            commands::export::export_statement,
            commands::import::import_file,
            commands::review::history_count,
            commands::review::history_page,
            commands::review::history_seek,
            commands::review::reconcile,
            commands::review::summarise,
            commands::review::transaction_detail,
            commands::sync::list_quarantine,
            commands::sync::list_runs,
            commands::sync::sync_cancel,
            commands::sync::sync_run,
            commands::sync::test_connection,
            commands::wallets::list_wallets,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Walletbook");
}
